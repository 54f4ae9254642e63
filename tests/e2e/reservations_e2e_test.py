"""End to end for issue #3 (seats and reservations): a real tacosd process, called through real
gRPC, checks the catalog admin RPCs, holds, the reservation lifecycle, idempotency, listing, the
InventoryService and the GatewayService reservation RPCs, and bad input on every one of them.

Every test defines its own small event through AdminService/UpdateConfig (JSON), so nothing here
depends on the shipped sample catalog. Errors are checked on three levels: the gRPC status, the
common.v1.Error carried in grpc-status-details-bin (its code and the offending field), and its
trace id."""
import json
import os
import re
import sys
import threading
import time
import unittest
import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2, types_pb2  # noqa: E402
from proto.gateway.v1 import gateway_pb2, gateway_pb2_grpc  # noqa: E402
from proto.google.rpc import status_pb2  # noqa: E402
from proto.reservation.v1 import inventory_pb2, inventory_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from node_process import NodeProcess, eventually  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
SC = grpc.StatusCode
E = errors_pb2
R = reservation_pb2
INV = inventory_pb2
GW = gateway_pb2
HEX32 = re.compile(r"^[0-9a-f]{32}$")
CALL_TIMEOUT = 10
# What a command on a lapsed hold may answer (FAILED_PRECONDITION either way).
EXPIRED_CODES = (E.ERROR_CODE_RESERVATION_EXPIRED, E.ERROR_CODE_FAILED_PRECONDITION)

# The standard test event: two sections, 40 seats, 2 of them blocked (38 on sale).
#   V (VIP, 100,000 KRW): rows 1-2 x seats 1-5   = 10 seats, V-1-1 blocked
#   G (General, 50,000):  rows 1-3 x seats 1-10  = 30 seats, G-3-10 blocked
V_PRICE, G_PRICE = 100000, 50000


def event_doc(event_id, **overrides):
    doc = {
        "event_id": event_id,
        "name": "E2E " + event_id,
        "venue": "Test Hall",
        "sale_starts_at": "2020-01-01T00:00:00Z",
        "sale_ends_at": "2099-12-31T00:00:00Z",
        "currency": "KRW",
        "sections": [
            {"section": "V", "name": "VIP", "price": V_PRICE,
             "rows": [{"rows": "1-2", "seats": "1-5"}]},
            {"section": "G", "name": "General", "price": G_PRICE,
             "rows": [{"rows": "1-3", "seats": "1-10"}]},
        ],
        "blocked_seats": ["V-1-1", "G-3-10"],
    }
    doc.update(overrides)
    return doc


_counter = [0]
_counter_lock = threading.Lock()


def unique(prefix):
    with _counter_lock:
        _counter[0] += 1
        return "%s-%d-%s" % (prefix, _counter[0], uuid.uuid4().hex[:6])


def key():
    return uuid.uuid4().hex


def ts(t):
    return t.seconds + t.nanos / 1e9


def ms(t):
    return t.ToMilliseconds()


def contract_error(rpc_error):
    """The common.v1.Error carried in grpc-status-details-bin (google.rpc.Status)."""
    md = dict(rpc_error.trailing_metadata() or ())
    status = status_pb2.Status.FromString(md["grpc-status-details-bin"])
    assert status.code == rpc_error.code().value[0], (status.code, rpc_error.code())
    err = errors_pb2.Error()
    assert status.details[0].Unpack(err)
    return err


class Client:
    """Stubs of every service this file calls, on one channel."""

    def __init__(self, channel):
        self.channel = channel
        self.admin = admin_pb2_grpc.AdminServiceStub(channel)
        self.res = reservation_pb2_grpc.ReservationServiceStub(channel)
        self.inv = inventory_pb2_grpc.InventoryServiceStub(channel)
        self.gw = gateway_pb2_grpc.GatewayServiceStub(channel)


class NodeTestCase(unittest.TestCase):
    """A test case against one node. Subclasses use the module's shared node unless they start
    their own (NODE_FLAGS)."""
    NODE_FLAGS = None
    node = None
    client = None

    @classmethod
    def setUpClass(cls):
        if cls.NODE_FLAGS is None:
            cls.node, cls.client = SHARED["node"], SHARED["client"]
            cls.own_node = None
        else:
            cls.own_node = NodeProcess(TACOSD, *cls.NODE_FLAGS).start()
            cls.node = cls.own_node
            cls.own_channel = cls.own_node.channel()
            cls.client = Client(cls.own_channel)

    @classmethod
    def tearDownClass(cls):
        if cls.own_node is not None:
            cls.own_channel.close()
            cls.own_node.close()

    # --- helpers -------------------------------------------------------------------------------

    def define(self, doc):
        return self.client.admin.UpdateConfig(admin_pb2.UpdateConfigRequest(
            config_key="catalog.event", config_value=json.dumps(doc), reason="e2e"),
            timeout=CALL_TIMEOUT)

    def new_event(self, **overrides):
        event_id = unique("ev")
        reply = self.define(event_doc(event_id, **overrides))
        self.assertTrue(reply.updated)
        return event_id

    def create(self, event_id, user="alice", seats=(), quantity=0, idem=None, stub=None):
        stub = stub or self.client.res
        msg = R.CreateReservationRequest if stub is self.client.res else GW.CreateReservationRequest
        return stub.CreateReservation(msg(event_id=event_id, user_id=user, seat_ids=list(seats),
                                          quantity=quantity, idempotency_key=idem or key()),
                                      timeout=CALL_TIMEOUT)

    def get(self, rid, user="alice"):
        return self.client.res.GetReservation(
            R.GetReservationRequest(reservation_id=rid, user_id=user),
            timeout=CALL_TIMEOUT).reservation

    def cancel(self, rid, user="alice", idem=None):
        return self.client.res.CancelReservation(R.CancelReservationRequest(
            reservation_id=rid, user_id=user, reason="e2e", idempotency_key=idem or key()),
            timeout=CALL_TIMEOUT)

    def check(self, event_id, seats=(), quantity=0, section=""):
        return self.client.inv.CheckAvailability(INV.CheckAvailabilityRequest(
            event_id=event_id, seat_ids=list(seats), quantity=quantity, section=section),
            timeout=CALL_TIMEOUT)

    def status(self, event_id, section=""):
        return self.client.inv.GetInventoryStatus(
            INV.GetInventoryStatusRequest(event_id=event_id, section=section),
            timeout=CALL_TIMEOUT)

    def assertRpcError(self, fn, request, code, error_code=None, field=None, trace=None):
        """Calls fn(request), expects `code`, checks the common.v1.Error and returns it."""
        metadata = [("x-trace-id", trace)] if trace else None
        with self.assertRaises(grpc.RpcError) as cm:
            fn(request, metadata=metadata, timeout=CALL_TIMEOUT)
        exc = cm.exception
        self.assertEqual(exc.code(), code, "%s: %s" % (exc.code(), exc.details()))
        err = contract_error(exc)
        if error_code is not None:
            self.assertEqual(E.ErrorCode.Name(err.code), E.ErrorCode.Name(error_code), err)
        if field is not None:
            self.assertIn(field, [d.field for d in err.details], err)
        if trace:
            self.assertEqual(err.trace_id, trace)
        else:
            self.assertRegex(err.trace_id, HEX32)
        return err

    def assertAdjacent(self, seats):
        """All in one section and row, with consecutive numbers."""
        self.assertEqual(len({(s.section, s.row) for s in seats}), 1, seats)
        numbers = sorted(int(s.number) for s in seats)
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(numbers))), seats)


SHARED = {}


def setUpModule():
    import tempfile
    SHARED["catalog_tmp"] = tempfile.TemporaryDirectory(prefix="tacosd-e2e-catalog-")
    SHARED["catalog_dir"] = SHARED["catalog_tmp"].name
    node = NodeProcess(TACOSD, "--catalog.dir", SHARED["catalog_dir"]).start()
    SHARED["node"] = node
    SHARED["channel"] = node.channel()
    SHARED["client"] = Client(SHARED["channel"])


def tearDownModule():
    SHARED["channel"].close()
    SHARED["node"].close()
    SHARED["catalog_tmp"].cleanup()


# ================================================================================================
# 1. Catalog administration
# ================================================================================================
class Catalog(NodeTestCase):
    def assertCounts(self, section, total, available, reserved, sold, blocked):
        self.assertEqual((section.total_seats, section.available_seats, section.reserved_seats,
                          section.sold_seats, section.blocked_seats),
                         (total, available, reserved, sold, blocked), section)

    def test_update_config_adds_an_event_with_exact_counts(self):
        event_id = unique("cat")
        reply = self.define(event_doc(event_id))
        self.assertTrue(reply.updated)
        self.assertIn(event_id, reply.new_value)
        self.assertIn("40 seats", reply.new_value)
        self.assertIn("added", reply.new_value)
        self.assertGreater(reply.updated_at.seconds, 0)

        s = self.status(event_id)
        self.assertEqual(s.event.id, event_id)
        self.assertEqual(s.event.name, "E2E " + event_id)
        self.assertEqual(s.event.venue.name, "Test Hall")
        self.assertEqual((s.event.total_seats, s.event.remaining_seats), (40, 38))
        self.assertEqual(s.event.sale_start_time.seconds, 1577836800)  # 2020-01-01T00:00:00Z
        sections = {x.section_id: x for x in s.sections}
        self.assertEqual(list(sections), ["V", "G"])
        self.assertEqual(sections["V"].section_name, "VIP")
        self.assertCounts(sections["V"], 10, 9, 0, 0, 1)
        self.assertCounts(sections["G"], 30, 29, 0, 0, 1)
        self.assertEqual((sections["V"].min_price.amount, sections["V"].min_price.currency),
                         (V_PRICE, "KRW"))
        self.assertEqual(sections["G"].max_price.amount, G_PRICE)
        self.assertCounts(s.stats, 40, 38, 0, 0, 2)
        self.assertAlmostEqual(s.stats.availability_percentage, 95.0, places=3)
        self.assertGreater(s.stats.last_updated.seconds, 0)

        # A hold moves seats from available to reserved, in its section and in the totals.
        self.create(event_id, seats=["G-1-1", "G-1-2"])
        s = self.status(event_id)
        self.assertCounts({x.section_id: x for x in s.sections}["G"], 30, 27, 2, 0, 1)
        self.assertCounts(s.stats, 40, 36, 2, 0, 2)
        self.assertAlmostEqual(s.stats.availability_percentage, 90.0, places=3)

    def test_replacing_an_event_without_holds_works(self):
        event_id = self.new_event()
        doc = event_doc(event_id, name="Renamed", blocked_seats=[])
        doc["sections"] = [{"section": "Z", "price": 7000, "rows": [{"row": "1", "seats": "1-4"}]}]
        reply = self.define(doc)
        self.assertTrue(reply.updated)
        self.assertIn("replaced", reply.new_value)
        s = self.status(event_id)
        self.assertEqual(s.event.name, "Renamed")
        self.assertEqual([x.section_id for x in s.sections], ["Z"])
        self.assertCounts(s.stats, 4, 4, 0, 0, 0)
        self.assertEqual(s.sections[0].min_price.amount, 7000)

    def test_replacing_an_event_with_a_hold_is_refused_and_the_old_event_stays(self):
        event_id = self.new_event()
        created = self.create(event_id, seats=["V-2-3"])
        doc = event_doc(event_id, name="Should not apply")
        doc["sections"] = [{"section": "Z", "price": 7000, "rows": [{"row": "1", "seats": "1-4"}]}]
        doc["blocked_seats"] = []
        err = self.assertRpcError(
            self.client.admin.UpdateConfig,
            admin_pb2.UpdateConfigRequest(config_key="catalog.event", config_value=json.dumps(doc)),
            SC.FAILED_PRECONDITION, E.ERROR_CODE_FAILED_PRECONDITION, "event_id")
        self.assertIn(event_id, err.message)
        s = self.status(event_id)
        self.assertEqual(s.event.name, "E2E " + event_id)
        self.assertEqual([x.section_id for x in s.sections], ["V", "G"])
        self.assertCounts(s.stats, 40, 37, 1, 0, 2)
        self.assertEqual(self.get(created.reservation_id).status, R.RESERVATION_STATUS_HOLD)

    def update_error(self, value, field, config_key="catalog.event"):
        return self.assertRpcError(
            self.client.admin.UpdateConfig,
            admin_pb2.UpdateConfigRequest(config_key=config_key, config_value=value),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, field)

    def test_malformed_json_is_invalid_argument_naming_the_document(self):
        self.update_error('{"event_id": "x", ', "config_value.document")
        self.update_error("", "config_value.document")

    def test_unknown_key_is_invalid_argument_with_its_path(self):
        doc = event_doc(unique("bad"))
        doc["colour"] = "red"
        err = self.update_error(json.dumps(doc), "config_value.colour")
        self.assertTrue(all(d.field.startswith("config_value.") for d in err.details), err)
        doc = event_doc(unique("bad"))
        doc["sections"][1]["prise"] = 5
        self.update_error(json.dumps(doc), "config_value.sections[1].prise")

    def test_bad_range_and_bad_values_are_invalid_argument_with_their_path(self):
        doc = event_doc(unique("bad"))
        doc["sections"][0]["rows"][0]["seats"] = "5-1"
        self.update_error(json.dumps(doc), "config_value.sections[0].rows[0].seats")
        doc = event_doc(unique("bad"))
        doc["sections"][1]["price"] = 0
        self.update_error(json.dumps(doc), "config_value.sections[1].price")
        doc = event_doc(unique("bad"), blocked_seats=["Q-9-9"])
        self.update_error(json.dumps(doc), "config_value.blocked_seats[0]")
        doc = event_doc(unique("bad"))
        del doc["sale_ends_at"]
        self.update_error(json.dumps(doc), "config_value.sale_ends_at")

    def test_unknown_or_missing_config_key_is_invalid_argument(self):
        err = self.update_error(json.dumps(event_doc(unique("k"))), "config_key",
                                config_key="catalog.events")
        self.assertIn("catalog.events", err.message)
        self.update_error(json.dumps(event_doc(unique("k"))), "config_key", config_key="")

    def test_refresh_config_defines_the_catalog_directory_and_dry_run_only_validates(self):
        event_id = unique("yaml")
        path = os.path.join(SHARED["catalog_dir"], event_id + ".yaml")
        with open(path, "w") as f:
            f.write("event_id: %s\nname: From YAML\nsale_starts_at: 2020-01-01T00:00:00Z\n"
                    "sale_ends_at: 2099-01-01T00:00:00+09:00\nsections:\n"
                    "  - section: A\n    price: 30000\n    rows:\n"
                    "      - rows: \"1-2\"\n        seats: \"1-3\"\n"
                    "blocked_seats: [A-2-3]\n" % event_id)
        admin = self.client.admin
        try:
            reply = admin.TriggerOperation(admin_pb2.TriggerOperationRequest(
                operation=admin_pb2.OPERATION_TYPE_REFRESH_CONFIG, dry_run=True),
                timeout=CALL_TIMEOUT)
            self.assertTrue(reply.triggered)
            self.assertEqual(reply.status, admin_pb2.OPERATION_STATUS_COMPLETED)
            self.assertIn("dry run", reply.result)
            # Only validated: the event does not exist yet.
            self.assertRpcError(self.client.inv.GetInventoryStatus,
                                INV.GetInventoryStatusRequest(event_id=event_id),
                                SC.NOT_FOUND, E.ERROR_CODE_NOT_FOUND, "event_id")

            reply = admin.TriggerOperation(admin_pb2.TriggerOperationRequest(
                operation=admin_pb2.OPERATION_TYPE_REFRESH_CONFIG, reason="e2e"),
                timeout=CALL_TIMEOUT)
            self.assertTrue(reply.triggered)
            self.assertEqual(reply.status, admin_pb2.OPERATION_STATUS_COMPLETED, reply.result)
            s = self.status(event_id)
            self.assertEqual(s.event.name, "From YAML")
            self.assertCounts(s.stats, 6, 5, 0, 0, 1)

            # A bad file fails even a dry run, naming the file and the field.
            bad = os.path.join(SHARED["catalog_dir"], "zz-broken.json")
            with open(bad, "w") as f:
                doc = event_doc(unique("broken"))
                doc["sections"][0]["price"] = -1
                json.dump(doc, f)
            try:
                err = self.assertRpcError(admin.TriggerOperation, admin_pb2.TriggerOperationRequest(
                    operation=admin_pb2.OPERATION_TYPE_REFRESH_CONFIG, dry_run=True),
                    SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT)
                self.assertIn("zz-broken.json", err.message)
            finally:
                os.remove(bad)
        finally:
            os.remove(path)


# ================================================================================================
# 2. Holds
# ================================================================================================
class Holds(NodeTestCase):
    def test_explicit_seats_are_all_or_nothing(self):
        event_id = self.new_event()
        self.create(event_id, user="alice", seats=["G-1-5"])
        err = self.assertRpcError(
            self.client.res.CreateReservation,
            R.CreateReservationRequest(event_id=event_id, user_id="bob", idempotency_key=key(),
                                       seat_ids=["G-1-4", "G-1-5", "G-1-6"]),
            SC.ABORTED, E.ERROR_CODE_INVENTORY_CONFLICT, "seat_ids")
        self.assertEqual([(d.field, d.value) for d in err.details], [("seat_ids", "G-1-5")])
        # None of the free ones was held.
        free = self.check(event_id, seats=["G-1-4", "G-1-6"])
        self.assertTrue(free.available)
        self.assertEqual({s.id for s in free.available_seats}, {"G-1-4", "G-1-6"})
        self.assertTrue(all(s.status == types_pb2.SEAT_STATUS_AVAILABLE
                            for s in free.available_seats))
        taken = self.check(event_id, seats=["G-1-4", "G-1-5"])
        self.assertFalse(taken.available)
        self.assertEqual(list(taken.unavailable_seat_ids), ["G-1-5"])
        self.assertEqual(self.status(event_id).stats.reserved_seats, 1)
        # A blocked seat is never held either.
        err = self.assertRpcError(
            self.client.res.CreateReservation,
            R.CreateReservationRequest(event_id=event_id, user_id="bob", idempotency_key=key(),
                                       seat_ids=["V-1-1", "V-1-2"]),
            SC.ABORTED, E.ERROR_CODE_INVENTORY_CONFLICT, "seat_ids")
        self.assertEqual([d.value for d in err.details], ["V-1-1"])
        self.assertTrue(self.check(event_id, seats=["V-1-2"]).available)

    def test_explicit_hold_reply(self):
        event_id = self.new_event()
        reply = self.create(event_id, seats=["V-2-1", "G-2-7"])
        self.assertEqual(reply.status, R.RESERVATION_STATUS_HOLD)
        self.assertTrue(reply.reservation_id.startswith("r-"), reply.reservation_id)
        self.assertIn(event_id, reply.reservation_id)
        self.assertEqual({s.id for s in reply.reserved_seats}, {"V-2-1", "G-2-7"})
        by_id = {s.id: s for s in reply.reserved_seats}
        self.assertEqual((by_id["G-2-7"].section, by_id["G-2-7"].row, by_id["G-2-7"].number),
                         ("G", "2", "7"))
        self.assertEqual(by_id["V-2-1"].price.amount, V_PRICE)
        self.assertTrue(all(s.status == types_pb2.SEAT_STATUS_RESERVED
                            for s in reply.reserved_seats))
        self.assertEqual((reply.total_amount.amount, reply.total_amount.currency),
                         (V_PRICE + G_PRICE, "KRW"))
        # 60 s (the default hold) after its creation, both by the node's clock.
        stored = self.get(reply.reservation_id)
        self.assertEqual(stored.hold_expires_at, reply.hold_expires_at)
        self.assertEqual(ms(stored.hold_expires_at) - ms(stored.created_at), 60_000)

    def test_quantity_takes_adjacent_seats_of_the_best_tier(self):
        event_id = self.new_event()
        reply = self.create(event_id, quantity=3)
        self.assertEqual(len(reply.reserved_seats), 3)
        self.assertAdjacent(reply.reserved_seats)
        self.assertEqual(reply.reserved_seats[0].section, "V")  # the highest price first
        self.assertNotIn("V-1-1", [s.id for s in reply.reserved_seats])  # blocked
        self.assertEqual(reply.total_amount.amount, 3 * V_PRICE)
        self.assertEqual(reply.total_amount.currency, "KRW")
        self.assertEqual(sorted(s.id for s in reply.reserved_seats), ["V-1-2", "V-1-3", "V-1-4"])
        # 5 more: VIP row 2 is still a free run of 5.
        reply = self.create(event_id, quantity=5)
        self.assertEqual(sorted(s.id for s in reply.reserved_seats),
                         ["V-2-%d" % n for n in range(1, 6)])
        # 2 more: VIP has a single seat left (V-1-5), so they come adjacent from General.
        reply = self.create(event_id, quantity=2)
        self.assertAdjacent(reply.reserved_seats)
        self.assertEqual({s.section for s in reply.reserved_seats}, {"G"})
        self.assertEqual(reply.total_amount.amount, 2 * G_PRICE)
        self.assertEqual(self.status(event_id).stats.reserved_seats, 10)

    def test_quantity_prefers_adjacency_then_one_section_of_the_best_tier(self):
        event_id = self.new_event(blocked_seats=[], sections=[
            {"section": "S", "price": 20000, "rows": [{"rows": "1-3", "seats": "1-2"}]},
            {"section": "T", "price": 10000, "rows": [{"rows": "1-3", "seats": "1-3"}]}])
        # A run of 3 exists only in the cheaper section: adjacency wins over the tier.
        reply = self.create(event_id, quantity=3)
        self.assertAdjacent(reply.reserved_seats)
        self.assertEqual({s.section for s in reply.reserved_seats}, {"T"})
        # No row has 4 free in a run: 4 seats of one section, the best tier.
        reply = self.create(event_id, quantity=4)
        self.assertEqual({s.section for s in reply.reserved_seats}, {"S"})
        self.assertEqual(len({s.id for s in reply.reserved_seats}), 4)
        self.assertEqual(reply.total_amount.amount, 4 * 20000)

    def test_quantity_beyond_what_is_left_is_insufficient_inventory(self):
        event_id = self.new_event(blocked_seats=[], sections=[
            {"section": "S", "price": 20000, "rows": [{"row": "1", "seats": "1-3"}]}])
        self.create(event_id, quantity=2)
        self.assertRpcError(self.client.res.CreateReservation, R.CreateReservationRequest(
            event_id=event_id, user_id="bob", quantity=2, idempotency_key=key()),
            SC.RESOURCE_EXHAUSTED, E.ERROR_CODE_INSUFFICIENT_INVENTORY, "quantity")
        self.assertEqual(self.status(event_id).stats.available_seats, 1)


# ================================================================================================
# 3. Lifecycle
# ================================================================================================
class Lifecycle(NodeTestCase):
    def setUp(self):
        self.event_id = self.new_event()
        self.created = self.create(self.event_id, user="alice", seats=["G-1-1", "G-1-2"])
        self.rid = self.created.reservation_id

    def test_owner_gets_the_reservation(self):
        r = self.get(self.rid)
        self.assertEqual((r.reservation_id, r.event_id, r.user_id, r.status),
                         (self.rid, self.event_id, "alice", R.RESERVATION_STATUS_HOLD))
        self.assertEqual(r.quantity, 2)
        self.assertEqual([s.id for s in r.seats], [s.id for s in self.created.reserved_seats])
        self.assertEqual(r.total_amount, self.created.total_amount)
        self.assertEqual(r.hold_expires_at, self.created.hold_expires_at)
        self.assertGreater(r.created_at.seconds, 0)
        self.assertEqual(r.order_id, "")

    def test_another_user_is_forbidden_and_learns_nothing(self):
        secrets = [self.rid, self.event_id, "alice", "G-1-1", "G-1-2"]
        calls = [
            (self.client.res.GetReservation,
             R.GetReservationRequest(reservation_id=self.rid, user_id="mallory")),
            (self.client.res.CancelReservation,
             R.CancelReservationRequest(reservation_id=self.rid, user_id="mallory",
                                        idempotency_key=key())),
            (self.client.res.ExtendHold,
             R.ExtendHoldRequest(reservation_id=self.rid, user_id="mallory", extension_seconds=10,
                                 idempotency_key=key())),
            (self.client.res.ConfirmReservation,
             R.ConfirmReservationRequest(reservation_id=self.rid, user_id="mallory",
                                         payment_intent_id="pi-1", idempotency_key=key())),
            (self.client.gw.GetReservation,
             GW.GetReservationRequest(reservation_id=self.rid, user_id="mallory")),
            (self.client.gw.CancelReservation,
             GW.CancelReservationRequest(reservation_id=self.rid, user_id="mallory",
                                         idempotency_key=key())),
        ]
        for fn, request in calls:
            with self.subTest(rpc=type(request).DESCRIPTOR.full_name):
                err = self.assertRpcError(fn, request, SC.PERMISSION_DENIED, E.ERROR_CODE_FORBIDDEN)
                text = err.message + " ".join(d.field + d.reason + d.value for d in err.details)
                for secret in secrets:
                    self.assertNotIn(secret, text)
        # Nothing changed.
        r = self.get(self.rid)
        self.assertEqual(r.status, R.RESERVATION_STATUS_HOLD)
        self.assertEqual(r.hold_expires_at, self.created.hold_expires_at)

    def test_cancel_releases_the_seats_and_a_second_cancel_fails(self):
        reply = self.cancel(self.rid)
        self.assertEqual(reply.status, R.RESERVATION_STATUS_CANCELLED)
        self.assertGreater(reply.cancelled_at.seconds, 0)
        self.assertEqual({s.id for s in reply.released_seats}, {"G-1-1", "G-1-2"})
        self.assertTrue(all(s.status == types_pb2.SEAT_STATUS_AVAILABLE
                            for s in reply.released_seats))
        self.assertTrue(self.check(self.event_id, seats=["G-1-1", "G-1-2"]).available)
        self.assertEqual(self.status(self.event_id).stats.reserved_seats, 0)
        self.assertEqual(self.get(self.rid).status, R.RESERVATION_STATUS_CANCELLED)
        self.assertRpcError(self.client.res.CancelReservation, R.CancelReservationRequest(
            reservation_id=self.rid, user_id="alice", idempotency_key=key()),
            SC.FAILED_PRECONDITION, E.ERROR_CODE_FAILED_PRECONDITION)
        # The released seats can be held again.
        self.create(self.event_id, user="bob", seats=["G-1-1"])

    def test_extend_hold_once(self):
        first = self.client.res.ExtendHold(R.ExtendHoldRequest(
            reservation_id=self.rid, user_id="alice", extension_seconds=600, reason="slow card",
            idempotency_key=key()), timeout=CALL_TIMEOUT)
        self.assertTrue(first.extension_allowed)
        self.assertGreater(first.extended_seconds, 0)
        self.assertLessEqual(first.extended_seconds, 30)
        self.assertAlmostEqual(ts(first.new_expires_at),
                               ts(self.created.hold_expires_at) + first.extended_seconds, places=2)
        self.assertEqual(self.get(self.rid).hold_expires_at, first.new_expires_at)
        second = self.client.res.ExtendHold(R.ExtendHoldRequest(
            reservation_id=self.rid, user_id="alice", extension_seconds=5,
            idempotency_key=key()), timeout=CALL_TIMEOUT)
        self.assertFalse(second.extension_allowed)
        self.assertEqual(second.extended_seconds, 0)
        self.assertEqual(self.get(self.rid).hold_expires_at, first.new_expires_at)

    def test_extend_hold_bad_extension_seconds(self):
        for seconds in (0, -5):
            with self.subTest(seconds=seconds):
                self.assertRpcError(self.client.res.ExtendHold, R.ExtendHoldRequest(
                    reservation_id=self.rid, user_id="alice", extension_seconds=seconds,
                    idempotency_key=key()),
                    SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "extension_seconds")

    def test_confirm_without_an_approved_payment_is_refused(self):
        for stub, msg in ((self.client.res.ConfirmReservation, R.ConfirmReservationRequest),
                          (self.client.gw.ConfirmReservation, GW.ConfirmReservationRequest)):
            with self.subTest(rpc=msg.DESCRIPTOR.full_name):
                self.assertRpcError(stub, msg(reservation_id=self.rid, user_id="alice",
                                              payment_intent_id="pi-does-not-exist",
                                              idempotency_key=key()),
                                    SC.FAILED_PRECONDITION, E.ERROR_CODE_PAYMENT_NOT_APPROVED)
        r = self.get(self.rid)
        self.assertEqual(r.status, R.RESERVATION_STATUS_HOLD)
        self.assertEqual(self.status(self.event_id).stats.sold_seats, 0)
        self.assertRpcError(self.client.res.ConfirmReservation, R.ConfirmReservationRequest(
            reservation_id=self.rid, user_id="alice", idempotency_key=key()),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "payment_intent_id")


class HoldExpiry(NodeTestCase):
    NODE_FLAGS = ("--reservation.hold_seconds", "1")

    def test_a_hold_expires_and_its_seats_return(self):
        event_id = self.new_event()
        created = self.create(event_id, user="alice", seats=["V-2-2", "V-2-3"])
        rid = created.reservation_id
        r = self.get(rid)
        self.assertEqual(ms(r.hold_expires_at) - ms(r.created_at), 1000)
        r = eventually("the hold to end", lambda: self.get(rid),
                       until=lambda r: r.status != R.RESERVATION_STATUS_HOLD, timeout=4)
        self.assertEqual(r.status, R.RESERVATION_STATUS_EXPIRED)
        # Ended by the node's clock at its deadline, not before.
        self.assertGreaterEqual(ms(r.updated_at), ms(r.hold_expires_at))
        self.assertTrue(all(s.status == types_pb2.SEAT_STATUS_AVAILABLE for s in r.seats), r)
        self.assertTrue(self.check(event_id, seats=["V-2-2", "V-2-3"]).available)
        s = self.status(event_id)
        self.assertEqual((s.stats.reserved_seats, s.stats.available_seats), (0, 38))

        # Nothing can move an expired reservation.
        err = self.assertRpcError(self.client.res.CancelReservation, R.CancelReservationRequest(
            reservation_id=rid, user_id="alice", idempotency_key=key()), SC.FAILED_PRECONDITION)
        self.assertIn(err.code, EXPIRED_CODES)
        # What this build answers: the expiry timer already moved it to EXPIRED.
        self.assertEqual(E.ErrorCode.Name(err.code), "ERROR_CODE_FAILED_PRECONDITION")
        err = self.assertRpcError(self.client.res.ExtendHold, R.ExtendHoldRequest(
            reservation_id=rid, user_id="alice", extension_seconds=10, idempotency_key=key()),
            SC.FAILED_PRECONDITION)
        self.assertIn(err.code, EXPIRED_CODES)
        err = self.assertRpcError(self.client.res.ConfirmReservation, R.ConfirmReservationRequest(
            reservation_id=rid, user_id="alice", payment_intent_id="pi-1", idempotency_key=key()),
            SC.FAILED_PRECONDITION)
        self.assertIn(err.code, EXPIRED_CODES)
        # Someone else can hold the seats now.
        self.create(event_id, user="bob", seats=["V-2-2", "V-2-3"])

    def test_an_extended_hold_outlives_its_first_deadline(self):
        event_id = self.new_event()
        created = self.create(event_id, user="alice", seats=["G-2-2"])
        rid = created.reservation_id
        # Held just after and never extended: it runs out just past the first deadline.
        twin = self.create(event_id, user="bob", seats=["G-2-3"])
        first_deadline = ts(created.hold_expires_at)
        extended = self.client.res.ExtendHold(R.ExtendHoldRequest(
            reservation_id=rid, user_id="alice", extension_seconds=2, idempotency_key=key()),
            timeout=CALL_TIMEOUT)
        self.assertTrue(extended.extension_allowed)
        self.assertEqual(extended.extended_seconds, 2)
        new_deadline = ts(extended.new_expires_at)
        self.assertAlmostEqual(new_deadline, first_deadline + 2, places=2)
        # Past the first deadline, the seat is still held. Holds of one event expire in deadline
        # order, so once the twin has, the node has handled the first deadline too.
        eventually("the twin hold to expire", lambda: self.get(twin.reservation_id, "bob").status
                   == R.RESERVATION_STATUS_EXPIRED, timeout=4)
        self.assertEqual(self.get(rid).status, R.RESERVATION_STATUS_HOLD)
        self.assertFalse(self.check(event_id, seats=["G-2-2"]).available)
        self.assertRpcError(self.client.res.CreateReservation, R.CreateReservationRequest(
            event_id=event_id, user_id="bob", seat_ids=["G-2-2"], idempotency_key=key()),
            SC.ABORTED, E.ERROR_CODE_INVENTORY_CONFLICT, "seat_ids")
        # And it expires at the new deadline, not before (both by the node's clock).
        r = eventually("the extended hold to end", lambda: self.get(rid),
                       until=lambda r: r.status != R.RESERVATION_STATUS_HOLD, timeout=5)
        self.assertEqual(r.status, R.RESERVATION_STATUS_EXPIRED)
        self.assertGreaterEqual(ms(r.updated_at), ms(extended.new_expires_at))
        self.assertTrue(self.check(event_id, seats=["G-2-2"]).available)

    def test_expired_reservation_is_listed_as_expired(self):
        event_id = self.new_event()
        rid = self.create(event_id, user="carol", quantity=1).reservation_id
        eventually("the hold to end", lambda: self.get(rid, "carol").status
                   != R.RESERVATION_STATUS_HOLD, timeout=4)
        page = self.client.res.ListReservations(R.ListReservationsRequest(
            user_id="carol", status=R.RESERVATION_STATUS_EXPIRED), timeout=CALL_TIMEOUT)
        self.assertEqual([r.reservation_id for r in page.reservations], [rid])


# ================================================================================================
# 4. Idempotency
# ================================================================================================
class Idempotency(NodeTestCase):
    def test_same_key_same_request_replays_the_identical_reply(self):
        event_id = self.new_event()
        k = key()
        first = self.create(event_id, user="alice", quantity=2, idem=k)
        again = self.create(event_id, user="alice", quantity=2, idem=k)
        self.assertEqual(again.reservation_id, first.reservation_id)
        self.assertEqual(list(again.reserved_seats), list(first.reserved_seats))
        self.assertEqual(again.hold_expires_at, first.hold_expires_at)
        self.assertEqual(again, first)
        self.assertEqual(self.status(event_id).stats.reserved_seats, 2)  # ran once

    def test_same_key_different_request_is_an_idempotency_conflict(self):
        event_id = self.new_event()
        k = key()
        self.create(event_id, user="alice", seats=["G-2-1"], idem=k)
        err = self.assertRpcError(self.client.res.CreateReservation, R.CreateReservationRequest(
            event_id=event_id, user_id="alice", seat_ids=["G-2-2"], idempotency_key=k),
            SC.ALREADY_EXISTS, E.ERROR_CODE_IDEMPOTENCY_CONFLICT, "idempotency_key")
        self.assertIn(k, [d.value for d in err.details])
        self.assertTrue(self.check(event_id, seats=["G-2-2"]).available)
        # The key of a create, reused for a cancel, is a different request too.
        rid = self.create(event_id, user="alice", quantity=1, idem=k + "x").reservation_id
        self.assertRpcError(self.client.res.CancelReservation, R.CancelReservationRequest(
            reservation_id=rid, user_id="alice", idempotency_key=k + "x"),
            SC.ALREADY_EXISTS, E.ERROR_CODE_IDEMPOTENCY_CONFLICT, "idempotency_key")
        self.assertEqual(self.get(rid).status, R.RESERVATION_STATUS_HOLD)

    def test_same_key_different_request_on_another_event_is_a_conflict(self):
        first_event, second_event = self.new_event(), self.new_event()
        k = key()
        self.create(first_event, user="alice", seats=["G-2-1"], idem=k)
        self.assertRpcError(self.client.res.CreateReservation, R.CreateReservationRequest(
            event_id=second_event, user_id="alice", seat_ids=["G-2-1"], idempotency_key=k),
            SC.ALREADY_EXISTS, E.ERROR_CODE_IDEMPOTENCY_CONFLICT, "idempotency_key")

    def test_same_key_of_another_user_is_another_scope(self):
        event_id = self.new_event()
        k = key()
        a = self.create(event_id, user="alice", seats=["G-2-1"], idem=k)
        b = self.create(event_id, user="bob", seats=["G-2-2"], idem=k)
        self.assertNotEqual(a.reservation_id, b.reservation_id)
        self.assertEqual([s.id for s in b.reserved_seats], ["G-2-2"])
        self.assertEqual(self.get(b.reservation_id, "bob").user_id, "bob")

    def test_a_retried_cancel_gets_the_same_reply(self):
        event_id = self.new_event()
        rid = self.create(event_id, seats=["G-3-1", "G-3-2"]).reservation_id
        k = key()
        first = self.cancel(rid, idem=k)
        again = self.cancel(rid, idem=k)
        self.assertEqual(again, first)
        self.assertEqual(first.status, R.RESERVATION_STATUS_CANCELLED)

    def test_a_retried_extend_gets_the_same_reply_not_a_denial(self):
        event_id = self.new_event()
        rid = self.create(event_id, seats=["G-3-3"]).reservation_id
        k = key()
        request = R.ExtendHoldRequest(reservation_id=rid, user_id="alice", extension_seconds=20,
                                      idempotency_key=k)
        first = self.client.res.ExtendHold(request, timeout=CALL_TIMEOUT)
        again = self.client.res.ExtendHold(request, timeout=CALL_TIMEOUT)
        self.assertTrue(first.extension_allowed)
        self.assertEqual(again, first)

    def test_concurrent_duplicates_run_once(self):
        event_id = self.new_event()
        rid = self.create(event_id, seats=["G-3-4", "G-3-5"]).reservation_id
        k = key()
        request = R.CancelReservationRequest(reservation_id=rid, user_id="alice",
                                             idempotency_key=k)

        def call(_):
            try:
                return self.client.res.CancelReservation(request, timeout=CALL_TIMEOUT)
            except grpc.RpcError as exc:
                return exc

        with ThreadPoolExecutor(8) as pool:
            outcomes = list(pool.map(call, range(16)))
        replies = [o for o in outcomes if not isinstance(o, grpc.RpcError)]
        errors = [o for o in outcomes if isinstance(o, grpc.RpcError)]
        self.assertGreaterEqual(len(replies), 1)
        for r in replies:
            self.assertEqual(r, replies[0])
        for exc in errors:
            self.assertEqual(exc.code(), SC.ABORTED, exc.details())
            self.assertEqual(contract_error(exc).code, E.ERROR_CODE_CONCURRENT_MODIFICATION)
        self.assertEqual(self.client.res.CancelReservation(request, timeout=CALL_TIMEOUT),
                         replies[0])
        self.assertEqual(replies[0].status, R.RESERVATION_STATUS_CANCELLED)
        self.assertEqual(self.status(event_id).stats.reserved_seats, 0)

    def test_every_write_requires_an_idempotency_key(self):
        event_id = self.new_event()
        rid = self.create(event_id, seats=["V-2-5"]).reservation_id
        res, inv, gw = self.client.res, self.client.inv, self.client.gw
        writes = [
            (res.CreateReservation, R.CreateReservationRequest(
                event_id=event_id, user_id="alice", quantity=1)),
            (res.ConfirmReservation, R.ConfirmReservationRequest(
                reservation_id=rid, user_id="alice", payment_intent_id="pi-1")),
            (res.CancelReservation, R.CancelReservationRequest(
                reservation_id=rid, user_id="alice")),
            (res.ExtendHold, R.ExtendHoldRequest(
                reservation_id=rid, user_id="alice", extension_seconds=10)),
            (inv.ReserveSeat, INV.ReserveSeatRequest(
                event_id=event_id, user_id="alice", quantity=1)),
            (inv.CommitReservation, INV.CommitReservationRequest(
                reservation_id=rid, event_id=event_id, user_id="alice", payment_intent_id="pi-1")),
            (inv.ReleaseHold, INV.ReleaseHoldRequest(reservation_id=rid, event_id=event_id)),
            (gw.CreateReservation, GW.CreateReservationRequest(
                event_id=event_id, user_id="alice", quantity=1)),
            (gw.ConfirmReservation, GW.ConfirmReservationRequest(
                reservation_id=rid, user_id="alice", payment_intent_id="pi-1")),
            (gw.CancelReservation, GW.CancelReservationRequest(
                reservation_id=rid, user_id="alice")),
        ]
        for fn, request in writes:
            with self.subTest(rpc=type(request).DESCRIPTOR.full_name):
                err = self.assertRpcError(fn, request, SC.INVALID_ARGUMENT,
                                          E.ERROR_CODE_IDEMPOTENCY_REQUIRED, "idempotency_key")
                self.assertEqual([d.field for d in err.details], ["idempotency_key"])
        # None of them ran.
        self.assertEqual(self.get(rid).status, R.RESERVATION_STATUS_HOLD)
        self.assertEqual(self.status(event_id).stats.reserved_seats, 1)


# ================================================================================================
# 5. ListReservations
# ================================================================================================
class ListReservations(NodeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        helper = cls("setUp")  # an instance, for its helpers
        cls.user = unique("lister")
        cls.event_a, cls.event_b = helper.new_event(), helper.new_event()
        cls.created = []  # creation order
        for event_id in (cls.event_a, cls.event_b, cls.event_a, cls.event_b, cls.event_a):
            cls.created.append(helper.create(event_id, user=cls.user, quantity=1).reservation_id)
            # Distinct creation milliseconds make "newest first" one order: the node stamps them
            # from the system clock this sleep is measured on, so 3 ms apart is certain.
            time.sleep(0.003)
        helper.create(cls.event_a, user=unique("someone-else"), quantity=1)
        cls.cancelled = cls.created[1]
        helper.cancel(cls.cancelled, user=cls.user)

    def list(self, **kw):
        kw.setdefault("user_id", self.user)
        page = kw.pop("page", None)
        return self.client.res.ListReservations(R.ListReservationsRequest(pagination=page, **kw),
                                                timeout=CALL_TIMEOUT)

    def test_lists_the_users_reservations_newest_first(self):
        reply = self.list()
        self.assertEqual([r.reservation_id for r in reply.reservations], self.created[::-1])
        self.assertTrue(all(r.user_id == self.user for r in reply.reservations))
        self.assertEqual(reply.page_info.total_count, 5)
        self.assertFalse(reply.page_info.has_next_page)
        self.assertFalse(reply.page_info.has_previous_page)
        created_at = [ts(r.created_at) for r in reply.reservations]
        self.assertEqual(created_at, sorted(created_at, reverse=True))
        self.assertEqual(len(self.list(user_id=unique("nobody")).reservations), 0)

    def test_status_and_event_filters(self):
        cancelled = self.list(status=R.RESERVATION_STATUS_CANCELLED)
        self.assertEqual([r.reservation_id for r in cancelled.reservations], [self.cancelled])
        self.assertEqual(cancelled.reservations[0].status, R.RESERVATION_STATUS_CANCELLED)
        held = self.list(status=R.RESERVATION_STATUS_HOLD)
        self.assertEqual([r.reservation_id for r in held.reservations],
                         [r for r in self.created[::-1] if r != self.cancelled])
        in_b = self.list(event_id=self.event_b)
        self.assertEqual([r.reservation_id for r in in_b.reservations],
                         [self.created[3], self.created[1]])
        both = self.list(event_id=self.event_b, status=R.RESERVATION_STATUS_HOLD)
        self.assertEqual([r.reservation_id for r in both.reservations], [self.created[3]])
        self.assertEqual(len(self.list(status=R.RESERVATION_STATUS_CONFIRMED).reservations), 0)

    def test_cursor_pagination(self):
        seen, pages, cursor = [], [], ""
        while True:
            reply = self.list(page=types_pb2.Pagination(page_size=2, cursor=cursor))
            pages.append(reply)
            seen += [r.reservation_id for r in reply.reservations]
            if not reply.page_info.has_next_page:
                break
            self.assertTrue(reply.page_info.next_cursor)
            cursor = reply.page_info.next_cursor
            self.assertLess(len(pages), 5, "pagination does not end")
        self.assertEqual([len(p.reservations) for p in pages], [2, 2, 1])
        self.assertEqual([p.page_info.has_next_page for p in pages], [True, True, False])
        self.assertEqual([p.page_info.has_previous_page for p in pages], [False, True, True])
        self.assertEqual(pages[-1].page_info.next_cursor, "")
        self.assertEqual(seen, self.created[::-1])  # every one once, in order

    def test_bad_pagination_and_filters(self):
        fn = self.client.res.ListReservations
        for cursor in ("garbage", "/x", "12x/abc"):
            with self.subTest(cursor=cursor):
                self.assertRpcError(fn, R.ListReservationsRequest(
                    user_id=self.user, pagination=types_pb2.Pagination(cursor=cursor)),
                    SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "pagination.cursor")
        for size in (101, -1):
            with self.subTest(page_size=size):
                self.assertRpcError(fn, R.ListReservationsRequest(
                    user_id=self.user, pagination=types_pb2.Pagination(page_size=size)),
                    SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "pagination.page_size")
        self.assertEqual(len(self.list(page=types_pb2.Pagination(page_size=100)).reservations), 5)
        self.assertRpcError(fn, R.ListReservationsRequest(),
                            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "user_id")
        self.assertRpcError(fn, R.ListReservationsRequest(user_id=self.user, status=42),
                            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "status")
        self.assertRpcError(fn, R.ListReservationsRequest(user_id=self.user,
                                                          event_id=unique("nope")),
                            SC.NOT_FOUND, E.ERROR_CODE_NOT_FOUND, "event_id")


# ================================================================================================
# 6. InventoryService
# ================================================================================================
class Inventory(NodeTestCase):
    def setUp(self):
        self.event_id = self.new_event()

    def test_check_availability_by_seat_ids(self):
        reply = self.check(self.event_id, seats=["G-1-1", "V-2-5"])
        self.assertTrue(reply.available)
        self.assertEqual({s.id: s.price.amount for s in reply.available_seats},
                         {"G-1-1": G_PRICE, "V-2-5": V_PRICE})
        self.assertEqual(reply.remaining_in_section, 38)  # no section: the whole event
        self.assertEqual(self.check(self.event_id, seats=["G-1-1"], section="G")
                         .remaining_in_section, 29)
        reply = self.check(self.event_id, seats=["G-1-1", "G-3-10"])  # G-3-10 is blocked
        self.assertFalse(reply.available)
        self.assertEqual(list(reply.unavailable_seat_ids), ["G-3-10"])
        self.assertEqual([s.id for s in reply.available_seats], ["G-1-1"])

    def test_check_availability_by_quantity(self):
        reply = self.check(self.event_id, quantity=4)
        self.assertTrue(reply.available)
        self.assertEqual(len(reply.available_seats), 4)
        self.assertAdjacent(reply.available_seats)
        self.assertEqual(reply.available_seats[0].section, "V")
        reply = self.check(self.event_id, quantity=3, section="G")
        self.assertTrue(reply.available)
        self.assertEqual({s.section for s in reply.available_seats}, {"G"})
        self.assertAdjacent(reply.available_seats)
        self.assertEqual(reply.remaining_in_section, 29)
        # A check holds nothing.
        self.assertEqual(self.status(self.event_id).stats.reserved_seats, 0)
        reply = self.check(self.event_id, quantity=10, section="V")  # 9 on sale in V
        self.assertFalse(reply.available)
        self.assertEqual(reply.remaining_in_section, 9)

    def test_reserve_seat_and_release_hold(self):
        reply = self.client.inv.ReserveSeat(INV.ReserveSeatRequest(
            event_id=self.event_id, user_id="dave", seat_ids=["G-2-4", "G-2-5"],
            idempotency_key=key()), timeout=CALL_TIMEOUT)
        self.assertTrue(reply.hold_id.startswith("r-"), reply.hold_id)
        self.assertIn(self.event_id, reply.hold_id)
        self.assertEqual(reply.status, INV.HOLD_STATUS_ACTIVE)
        self.assertEqual({s.id for s in reply.reserved_seats}, {"G-2-4", "G-2-5"})
        stored = self.get(reply.hold_id, "dave")
        self.assertEqual(ms(stored.hold_expires_at) - ms(stored.created_at), 60_000)
        self.assertEqual(stored.hold_expires_at, reply.hold_expires_at)
        self.assertFalse(self.check(self.event_id, seats=["G-2-4"]).available)
        self.assertEqual(stored.status, R.RESERVATION_STATUS_HOLD)

        released = self.client.inv.ReleaseHold(INV.ReleaseHoldRequest(
            reservation_id=reply.hold_id, event_id=self.event_id, reason="operator",
            idempotency_key=key()), timeout=CALL_TIMEOUT)
        self.assertEqual(released.status, INV.RELEASE_STATUS_SUCCESS)
        self.assertEqual({s.id for s in released.released_seats}, {"G-2-4", "G-2-5"})
        self.assertGreater(released.released_at.seconds, 0)
        self.assertTrue(self.check(self.event_id, seats=["G-2-4", "G-2-5"]).available)
        self.assertEqual(self.status(self.event_id).stats.reserved_seats, 0)
        self.assertEqual(self.get(reply.hold_id, "dave").status, R.RESERVATION_STATUS_CANCELLED)
        # A second release is a transition out of CANCELLED: refused, nothing changes.
        self.assertRpcError(self.client.inv.ReleaseHold, INV.ReleaseHoldRequest(
            reservation_id=reply.hold_id, idempotency_key=key()),
            SC.FAILED_PRECONDITION, E.ERROR_CODE_FAILED_PRECONDITION)

    def test_release_hold_naming_another_event_is_refused(self):
        other_event = self.new_event()
        rid = self.create(self.event_id, user="dave", seats=["G-2-6"]).reservation_id
        try:
            with self.assertRaises(grpc.RpcError) as cm:
                self.client.inv.ReleaseHold(INV.ReleaseHoldRequest(
                    reservation_id=rid, event_id=other_event, idempotency_key=key()),
                    timeout=CALL_TIMEOUT)
            self.assertIn(cm.exception.code(), (SC.INVALID_ARGUMENT, SC.NOT_FOUND))
        finally:
            self.assertEqual(self.get(rid, "dave").status, R.RESERVATION_STATUS_HOLD)

    def test_reserve_seat_by_quantity_and_rejects_a_client_reservation_id(self):
        reply = self.client.inv.ReserveSeat(INV.ReserveSeatRequest(
            event_id=self.event_id, user_id="dave", quantity=2, idempotency_key=key()),
            timeout=CALL_TIMEOUT)
        self.assertEqual(len(reply.reserved_seats), 2)
        self.assertAdjacent(reply.reserved_seats)
        self.assertRpcError(self.client.inv.ReserveSeat, INV.ReserveSeatRequest(
            reservation_id="r-mine", event_id=self.event_id, user_id="dave", quantity=1,
            idempotency_key=key()),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "reservation_id")
        self.assertEqual(self.status(self.event_id).stats.reserved_seats, 2)

    def test_commit_without_payment_is_refused(self):
        rid = self.create(self.event_id, user="erin", seats=["V-2-4"]).reservation_id
        self.assertRpcError(self.client.inv.CommitReservation, INV.CommitReservationRequest(
            reservation_id=rid, event_id=self.event_id, user_id="erin", payment_intent_id="pi-x",
            idempotency_key=key()),
            SC.FAILED_PRECONDITION, E.ERROR_CODE_PAYMENT_NOT_APPROVED)
        self.assertEqual(self.status(self.event_id).stats.sold_seats, 0)
        self.assertEqual(self.get(rid, "erin").status, R.RESERVATION_STATUS_HOLD)

    def test_get_inventory_status_with_and_without_section(self):
        self.create(self.event_id, seats=["G-1-1", "G-1-2", "G-1-3"])
        whole = self.status(self.event_id)
        self.assertEqual([s.section_id for s in whole.sections], ["V", "G"])
        self.assertEqual((whole.stats.total_seats, whole.stats.reserved_seats), (40, 3))
        one = self.status(self.event_id, section="G")
        self.assertEqual([s.section_id for s in one.sections], ["G"])
        g = one.sections[0]
        self.assertEqual((g.total_seats, g.available_seats, g.reserved_seats, g.blocked_seats),
                         (30, 26, 3, 1))
        self.assertEqual((one.stats.total_seats, one.stats.available_seats,
                          one.stats.reserved_seats, one.stats.blocked_seats), (30, 26, 3, 1))
        self.assertAlmostEqual(one.stats.availability_percentage, 100.0 * 26 / 30, places=3)
        self.assertEqual(one.event.id, self.event_id)
        self.assertRpcError(self.client.inv.GetInventoryStatus, INV.GetInventoryStatusRequest(
            event_id=self.event_id, section="NOPE"), SC.NOT_FOUND, E.ERROR_CODE_NOT_FOUND,
            "section")
        self.assertRpcError(self.client.inv.CheckAvailability, INV.CheckAvailabilityRequest(
            event_id=self.event_id, quantity=1, section="NOPE"), SC.NOT_FOUND,
            E.ERROR_CODE_NOT_FOUND, "section")


# ================================================================================================
# 7. GatewayService
# ================================================================================================
class Gateway(NodeTestCase):
    def test_get_event_availability(self):
        event_id = self.new_event()
        self.create(event_id, seats=["V-2-1"])
        reply = self.client.gw.GetEventAvailability(GW.GetEventAvailabilityRequest(
            event_id=event_id), timeout=CALL_TIMEOUT)
        self.assertEqual(reply.event.id, event_id)
        self.assertEqual((reply.event.total_seats, reply.event.remaining_seats), (40, 37))
        self.assertEqual(reply.total_available, 37)
        self.assertEqual({s.section_id: s.available_seats for s in reply.sections},
                         {"V": 8, "G": 29})
        one = self.client.gw.GetEventAvailability(GW.GetEventAvailabilityRequest(
            event_id=event_id, section="G"), timeout=CALL_TIMEOUT)
        self.assertEqual([s.section_id for s in one.sections], ["G"])
        self.assertEqual(one.total_available, 29)
        self.assertRpcError(self.client.gw.GetEventAvailability, GW.GetEventAvailabilityRequest(
            event_id=unique("nope")), SC.NOT_FOUND, E.ERROR_CODE_NOT_FOUND, "event_id")
        self.assertRpcError(self.client.gw.GetEventAvailability, GW.GetEventAvailabilityRequest(
            event_id=event_id, section="NOPE"), SC.NOT_FOUND, E.ERROR_CODE_NOT_FOUND, "section")

    def test_create_get_cancel_through_the_gateway(self):
        event_id = self.new_event()
        gw = self.client.gw
        created = self.create(event_id, user="frank", quantity=2, stub=gw)
        self.assertIsInstance(created, GW.CreateReservationResponse)
        self.assertEqual(created.status, R.RESERVATION_STATUS_HOLD)
        self.assertTrue(created.reservation_id.startswith("r-"))
        self.assertIn(event_id, created.reservation_id)
        self.assertAdjacent(created.reserved_seats)
        self.assertEqual(created.total_amount.amount, 2 * V_PRICE)
        seats = [s.id for s in created.reserved_seats]

        via_gw = gw.GetReservation(GW.GetReservationRequest(
            reservation_id=created.reservation_id, user_id="frank"), timeout=CALL_TIMEOUT)
        # The same reservation, whichever service reads it.
        self.assertEqual(via_gw.reservation, self.get(created.reservation_id, "frank"))
        self.assertEqual([s.id for s in via_gw.reservation.seats], seats)

        # Held through the gateway means held for the reservation service too.
        self.assertRpcError(self.client.res.CreateReservation, R.CreateReservationRequest(
            event_id=event_id, user_id="gina", seat_ids=seats, idempotency_key=key()),
            SC.ABORTED, E.ERROR_CODE_INVENTORY_CONFLICT, "seat_ids")

        k = key()
        cancelled = gw.CancelReservation(GW.CancelReservationRequest(
            reservation_id=created.reservation_id, user_id="frank", idempotency_key=k),
            timeout=CALL_TIMEOUT)
        self.assertEqual(cancelled.status, R.RESERVATION_STATUS_CANCELLED)
        self.assertEqual({s.id for s in cancelled.released_seats}, set(seats))
        self.assertTrue(self.check(event_id, seats=seats).available)
        self.assertEqual(gw.CancelReservation(GW.CancelReservationRequest(
            reservation_id=created.reservation_id, user_id="frank", idempotency_key=k),
            timeout=CALL_TIMEOUT), cancelled)
        self.assertRpcError(gw.CancelReservation, GW.CancelReservationRequest(
            reservation_id=created.reservation_id, user_id="frank", idempotency_key=key()),
            SC.FAILED_PRECONDITION, E.ERROR_CODE_FAILED_PRECONDITION)

    def test_gateway_idempotency_replays_and_conflicts(self):
        event_id = self.new_event()
        k = key()
        first = self.create(event_id, user="hana", seats=["G-2-9"], idem=k, stub=self.client.gw)
        self.assertEqual(self.create(event_id, user="hana", seats=["G-2-9"], idem=k,
                                     stub=self.client.gw), first)
        self.assertRpcError(self.client.gw.CreateReservation, GW.CreateReservationRequest(
            event_id=event_id, user_id="hana", seat_ids=["G-2-8"], idempotency_key=k),
            SC.ALREADY_EXISTS, E.ERROR_CODE_IDEMPOTENCY_CONFLICT, "idempotency_key")


# ================================================================================================
# 8. Bad input
# ================================================================================================
class BadInput(NodeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        helper = cls("setUp")  # an instance, for its helpers
        cls.event_id = helper.new_event()
        # Another event whose seat labels this one does not have.
        cls.other_event = helper.new_event(blocked_seats=[], sections=[
            {"section": "X", "price": 1000, "rows": [{"row": "1", "seats": "1-3"}]}])
        cls.rid = helper.create(cls.event_id, user="alice", seats=["V-2-1"]).reservation_id

    def creates(self):
        """Every RPC that creates a hold, as (stub method, request class)."""
        return [(self.client.res.CreateReservation, R.CreateReservationRequest),
                (self.client.gw.CreateReservation, GW.CreateReservationRequest),
                (self.client.inv.ReserveSeat, INV.ReserveSeatRequest)]

    def expect_create_error(self, code, error_code, field, **fields):
        base = {"event_id": self.event_id, "user_id": "alice"}
        base.update(fields)
        for fn, msg in self.creates():
            with self.subTest(rpc=msg.DESCRIPTOR.full_name, **{k: str(v)[:40]
                                                                for k, v in fields.items()}):
                self.assertRpcError(fn, msg(idempotency_key=key(), **base), code, error_code,
                                    field)

    def test_empty_and_unknown_event_id(self):
        IA, NF = E.ERROR_CODE_INVALID_ARGUMENT, E.ERROR_CODE_NOT_FOUND
        self.expect_create_error(SC.INVALID_ARGUMENT, IA, "event_id", event_id="", quantity=1)
        self.expect_create_error(SC.NOT_FOUND, NF, "event_id", event_id="no-such-event",
                                 quantity=1)
        reads = [(self.client.inv.CheckAvailability, INV.CheckAvailabilityRequest, {"quantity": 1}),
                 (self.client.inv.GetInventoryStatus, INV.GetInventoryStatusRequest, {}),
                 (self.client.gw.GetEventAvailability, GW.GetEventAvailabilityRequest, {})]
        for fn, msg, extra in reads:
            with self.subTest(rpc=msg.DESCRIPTOR.full_name):
                self.assertRpcError(fn, msg(event_id="", **extra), SC.INVALID_ARGUMENT, IA,
                                    "event_id")
                err = self.assertRpcError(fn, msg(event_id="no-such-event", **extra),
                                          SC.NOT_FOUND, NF, "event_id")
                self.assertEqual(err.details[0].value, "no-such-event")

    def test_unknown_seat_and_seat_of_another_event(self):
        for seat in ("G-9-99", "X-1-1"):  # X-1-1 exists, but in the other event
            self.expect_create_error(SC.NOT_FOUND, E.ERROR_CODE_NOT_FOUND, "seat_ids",
                                     seat_ids=["G-1-1", seat])
            err = self.assertRpcError(self.client.inv.CheckAvailability,
                                      INV.CheckAvailabilityRequest(event_id=self.event_id,
                                                                   seat_ids=[seat]),
                                      SC.NOT_FOUND, E.ERROR_CODE_NOT_FOUND, "seat_ids")
            self.assertEqual([d.value for d in err.details], [seat])
        self.assertTrue(self.check(self.event_id, seats=["G-1-1"]).available)

    def test_duplicate_seat_ids(self):
        self.expect_create_error(SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "seat_ids",
                                 seat_ids=["G-1-3", "G-1-4", "G-1-3"])
        self.assertTrue(self.check(self.event_id, seats=["G-1-3", "G-1-4"]).available)

    def test_check_availability_rejects_duplicate_seat_ids(self):
        self.assertRpcError(self.client.inv.CheckAvailability, INV.CheckAvailabilityRequest(
            event_id=self.event_id, seat_ids=["G-1-3", "G-1-3"]),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "seat_ids")

    def test_quantity_out_of_range(self):
        for quantity in (0, -1, 11):
            self.expect_create_error(SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT,
                                     "quantity", quantity=quantity)
        self.assertRpcError(self.client.inv.CheckAvailability, INV.CheckAvailabilityRequest(
            event_id=self.event_id), SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT)
        self.assertRpcError(self.client.inv.CheckAvailability, INV.CheckAvailabilityRequest(
            event_id=self.event_id, quantity=-1),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "quantity")
        self.assertEqual(self.status(self.event_id).stats.reserved_seats, 1)

    def test_check_availability_rejects_quantity_over_the_reservation_limit(self):
        self.assertRpcError(self.client.inv.CheckAvailability, INV.CheckAvailabilityRequest(
            event_id=self.event_id, quantity=11),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "quantity")

    def test_both_seat_ids_and_quantity(self):
        for fn, msg in self.creates():
            with self.subTest(rpc=msg.DESCRIPTOR.full_name):
                err = self.assertRpcError(fn, msg(event_id=self.event_id, user_id="alice",
                                                  seat_ids=["G-1-5"], quantity=1,
                                                  idempotency_key=key()),
                                          SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT)
                self.assertIn(err.details[0].field, ("seat_ids", "quantity"))
        err = self.assertRpcError(self.client.inv.CheckAvailability, INV.CheckAvailabilityRequest(
            event_id=self.event_id, seat_ids=["G-1-5"], quantity=1),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT)
        self.assertIn(err.details[0].field, ("seat_ids", "quantity"))
        self.assertTrue(self.check(self.event_id, seats=["G-1-5"]).available)

    def test_too_many_seat_ids(self):
        eleven = ["G-1-%d" % n for n in range(1, 10)] + ["G-2-1", "G-2-2"]
        self.expect_create_error(SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "seat_ids",
                                 seat_ids=eleven)
        many = ["G-%d-%d" % (r, n) for r in (1, 2, 3, 4) for n in range(1, 10)][:33]
        self.expect_create_error(SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "seat_ids",
                                 seat_ids=many)
        self.assertRpcError(self.client.inv.CheckAvailability, INV.CheckAvailabilityRequest(
            event_id=self.event_id, seat_ids=["G-1-1"] * 101),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "seat_ids")
        self.expect_create_error(SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "seat_ids",
                                 seat_ids=["G-1-1", ""])
        self.expect_create_error(SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "seat_ids",
                                 seat_ids=["G-1-" + "9" * 70])
        self.assertEqual(self.status(self.event_id).stats.reserved_seats, 1)

    def test_overlong_strings_name_their_field(self):
        long = "e" * 65
        IA = E.ERROR_CODE_INVALID_ARGUMENT
        self.expect_create_error(SC.INVALID_ARGUMENT, IA, "event_id", event_id=long, quantity=1)
        self.expect_create_error(SC.INVALID_ARGUMENT, IA, "user_id", user_id="u" * 65, quantity=1)
        self.expect_create_error(SC.INVALID_ARGUMENT, IA, "user_id", user_id="", quantity=1)
        for fn, msg in self.creates():
            with self.subTest(rpc=msg.DESCRIPTOR.full_name, field="idempotency_key"):
                self.assertRpcError(fn, msg(event_id=self.event_id, user_id="alice", quantity=1,
                                            idempotency_key="k" * 129),
                                    SC.INVALID_ARGUMENT, IA, "idempotency_key")
        for fn, msg in ((self.client.inv.CheckAvailability, INV.CheckAvailabilityRequest),
                        (self.client.inv.GetInventoryStatus, INV.GetInventoryStatusRequest),
                        (self.client.gw.GetEventAvailability, GW.GetEventAvailabilityRequest)):
            with self.subTest(rpc=msg.DESCRIPTOR.full_name):
                self.assertRpcError(fn, msg(event_id=long), SC.INVALID_ARGUMENT, IA, "event_id")
                self.assertRpcError(fn, msg(event_id=self.event_id, section="s" * 65),
                                    SC.INVALID_ARGUMENT, IA, "section")
        res, gw = self.client.res, self.client.gw
        long_user = [
            (res.GetReservation, R.GetReservationRequest(reservation_id=self.rid, user_id=long)),
            (gw.GetReservation, GW.GetReservationRequest(reservation_id=self.rid, user_id=long)),
            (res.CancelReservation, R.CancelReservationRequest(
                reservation_id=self.rid, user_id=long, idempotency_key=key())),
            (res.ExtendHold, R.ExtendHoldRequest(reservation_id=self.rid, user_id=long,
                                                 extension_seconds=5, idempotency_key=key())),
            (res.ListReservations, R.ListReservationsRequest(user_id=long)),
        ]
        for fn, request in long_user:
            with self.subTest(rpc=type(request).DESCRIPTOR.full_name, field="user_id"):
                self.assertRpcError(fn, request, SC.INVALID_ARGUMENT, IA, "user_id")
        self.assertRpcError(res.CancelReservation, R.CancelReservationRequest(
            reservation_id=self.rid, user_id="alice", reason="r" * 513, idempotency_key=key()),
            SC.INVALID_ARGUMENT, IA, "reason")
        self.assertEqual(self.get(self.rid).status, R.RESERVATION_STATUS_HOLD)

    def reservation_id_calls(self, rid):
        res, inv, gw = self.client.res, self.client.inv, self.client.gw
        return [
            (res.GetReservation, R.GetReservationRequest(reservation_id=rid, user_id="alice")),
            (res.ConfirmReservation, R.ConfirmReservationRequest(
                reservation_id=rid, user_id="alice", payment_intent_id="pi-1",
                idempotency_key=key())),
            (res.CancelReservation, R.CancelReservationRequest(
                reservation_id=rid, user_id="alice", idempotency_key=key())),
            (res.ExtendHold, R.ExtendHoldRequest(reservation_id=rid, user_id="alice",
                                                 extension_seconds=5, idempotency_key=key())),
            (inv.CommitReservation, INV.CommitReservationRequest(
                reservation_id=rid, user_id="alice", payment_intent_id="pi-1",
                idempotency_key=key())),
            (inv.ReleaseHold, INV.ReleaseHoldRequest(reservation_id=rid, idempotency_key=key())),
            (gw.GetReservation, GW.GetReservationRequest(reservation_id=rid, user_id="alice")),
            (gw.ConfirmReservation, GW.ConfirmReservationRequest(
                reservation_id=rid, user_id="alice", payment_intent_id="pi-1",
                idempotency_key=key())),
            (gw.CancelReservation, GW.CancelReservationRequest(
                reservation_id=rid, user_id="alice", idempotency_key=key())),
        ]

    def test_malformed_reservation_id(self):
        for rid in ("garbage", "", "r-" + "x" * 200):
            for fn, request in self.reservation_id_calls(rid):
                with self.subTest(rpc=type(request).DESCRIPTOR.full_name, rid=rid[:20]):
                    self.assertRpcError(fn, request, SC.INVALID_ARGUMENT,
                                        E.ERROR_CODE_INVALID_ARGUMENT, "reservation_id")

    def test_well_formed_id_of_an_unknown_reservation(self):
        # Same shape as a real id, another unique part; and one naming an event this node lacks.
        last = "0" if self.rid[-1] != "0" else "1"
        unknown_here = self.rid[:-1] + last
        unknown_event = self.rid.replace(self.event_id, "gone-event")
        for rid in (unknown_here, unknown_event):
            for fn, request in self.reservation_id_calls(rid):
                with self.subTest(rpc=type(request).DESCRIPTOR.full_name, rid=rid):
                    err = self.assertRpcError(fn, request, SC.NOT_FOUND, E.ERROR_CODE_NOT_FOUND,
                                              "reservation_id")
                    self.assertNotIn("alice", err.message)
        self.assertEqual(self.get(self.rid).status, R.RESERVATION_STATUS_HOLD)

    def test_missing_required_fields(self):
        res, inv = self.client.res, self.client.inv
        IA = E.ERROR_CODE_INVALID_ARGUMENT
        cases = [
            (res.GetReservation, R.GetReservationRequest(reservation_id=self.rid), "user_id"),
            (res.CancelReservation, R.CancelReservationRequest(
                reservation_id=self.rid, idempotency_key=key()), "user_id"),
            (inv.CommitReservation, INV.CommitReservationRequest(
                reservation_id=self.rid, user_id="alice", idempotency_key=key()),
             "payment_intent_id"),
            (inv.CommitReservation, INV.CommitReservationRequest(
                reservation_id=self.rid, payment_intent_id="pi-1", idempotency_key=key()),
             "user_id"),
        ]
        for fn, request, field in cases:
            with self.subTest(rpc=type(request).DESCRIPTOR.full_name, field=field):
                self.assertRpcError(fn, request, SC.INVALID_ARGUMENT, IA, field)

    def test_errors_carry_the_callers_trace_id(self):
        trace = "e2e-trace-" + uuid.uuid4().hex[:12]
        self.assertRpcError(self.client.res.CreateReservation, R.CreateReservationRequest(
            event_id="no-such-event", user_id="alice", quantity=1, idempotency_key=key()),
            SC.NOT_FOUND, E.ERROR_CODE_NOT_FOUND, "event_id", trace=trace)
        self.assertRpcError(self.client.res.GetReservation, R.GetReservationRequest(
            reservation_id=self.rid, user_id="mallory"),
            SC.PERMISSION_DENIED, E.ERROR_CODE_FORBIDDEN, trace=trace)
        self.assertRpcError(self.client.inv.CheckAvailability, INV.CheckAvailabilityRequest(
            event_id=self.event_id, seat_ids=["nope"]),
            SC.NOT_FOUND, E.ERROR_CODE_NOT_FOUND, "seat_ids", trace=trace)
        # A W3C traceparent is honoured too.
        tid = uuid.uuid4().hex
        with self.assertRaises(grpc.RpcError) as cm:
            self.client.res.GetReservation(
                R.GetReservationRequest(reservation_id="garbage", user_id="alice"),
                metadata=[("traceparent", "00-%s-%s-01" % (tid, "b" * 16))], timeout=CALL_TIMEOUT)
        self.assertEqual(contract_error(cm.exception).trace_id, tid)


# ================================================================================================
# Last (classes run in name order): the node survived everything above.
# ================================================================================================
class ZzNodeSurvived(NodeTestCase):
    def test_node_still_answers_health_check(self):
        self.assertIsNone(self.node.proc.poll(), "tacosd exited")
        reply = self.client.gw.HealthCheck(GW.HealthCheckRequest(), timeout=CALL_TIMEOUT)
        self.assertEqual(reply.status, GW.HEALTH_STATUS_HEALTHY)
        errors = [e for e in self.node.log_entries() if e.get("level") in ("critical", "fatal")]
        self.assertEqual(errors, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
