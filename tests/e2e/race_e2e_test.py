"""Zero oversell under contention, through real gRPC: thousands of concurrent CreateReservation
calls, with overlapping explicit seat sets and quantities, compete for a 100-seat event. The
checker works from what clients were told (acknowledged replies) and from what the server
reports afterwards. Negative control: the same run against a node whose guard is switched off
(--testing.unsafe_ack_holds_before_apply) must be caught overselling."""
import json
import os
import random
import sys
import unittest
from concurrent import futures

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2  # noqa: E402
from proto.google.rpc import status_pb2  # noqa: E402
from proto.reservation.v1 import inventory_pb2, inventory_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from node_process import NodeProcess  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
EVENT = "race-100"
ROWS, SEATS_PER_ROW = 10, 10
CLIENTS = 2000
CHANNELS = 8
SEED = 20261125
EXPECTED_REJECTIONS = {errors_pb2.ERROR_CODE_INVENTORY_CONFLICT,
                       errors_pb2.ERROR_CODE_INSUFFICIENT_INVENTORY}


def define_event(channel):
    event = {
        "event_id": EVENT, "name": "Race", "venue": "Test Hall",
        "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-01-01T00:00:00Z",
        "sections": [{"section": "A", "price": 1000,
                      "rows": [{"rows": "1-%d" % ROWS, "seats": "1-%d" % SEATS_PER_ROW}]}],
    }
    admin_pb2_grpc.AdminServiceStub(channel).UpdateConfig(admin_pb2.UpdateConfigRequest(
        config_key="catalog.event", config_value=json.dumps(event)))


def requests(seed):
    """Overlapping demands: half ask for explicit runs of 1-4 seats, most of them in the first
    three rows (hot seats), half ask for a quantity of 1-4."""
    rng = random.Random(seed)
    out = []
    for i in range(CLIENTS):
        if rng.random() < 0.5:
            row = rng.randint(1, 3) if rng.random() < 0.8 else rng.randint(1, ROWS)
            n = rng.randint(1, 4)
            first = rng.randint(1, SEATS_PER_ROW - n + 1)
            seats = ["A-%d-%d" % (row, s) for s in range(first, first + n)]
            out.append(reservation_pb2.CreateReservationRequest(
                event_id=EVENT, seat_ids=seats, user_id="u%d" % i, idempotency_key="k%d" % i))
        else:
            out.append(reservation_pb2.CreateReservationRequest(
                event_id=EVENT, quantity=rng.randint(1, 4), user_id="u%d" % i,
                idempotency_key="k%d" % i))
    return out


def error_code(rpc_error):
    md = dict(rpc_error.trailing_metadata() or ())
    err = errors_pb2.Error()
    status_pb2.Status.FromString(md["grpc-status-details-bin"]).details[0].Unpack(err)
    return err.code


def run_contention(node):
    """All clients at once; returns (acknowledged {reservation_id: (user, request, reply)},
    unexpected errors)."""
    channels = [node.channel() for _ in range(CHANNELS)]
    stubs = [reservation_pb2_grpc.ReservationServiceStub(c) for c in channels]
    pending = [(req, stubs[i % CHANNELS].CreateReservation.future(req, timeout=60))
               for i, req in enumerate(requests(SEED))]
    acknowledged, unexpected = {}, []
    for req, fut in pending:
        try:
            reply = fut.result()
            acknowledged[reply.reservation_id] = (req.user_id, req, reply)
        except grpc.RpcError as e:
            code = error_code(e)
            if code not in EXPECTED_REJECTIONS:
                unexpected.append((req.user_id, e.code(), code, e.details()))
    for c in channels:
        c.close()
    return acknowledged, unexpected


def violations(node, acknowledged):
    """Everything that contradicts zero oversell, as readable lines (empty: none)."""
    problems = []
    owner_of = {}
    for rid, (user, req, reply) in acknowledged.items():
        seats = [s.id for s in reply.reserved_seats]
        if req.seat_ids and sorted(seats) != sorted(req.seat_ids):
            problems.append("%s got %s, asked for %s" % (rid, seats, list(req.seat_ids)))
        if not req.seat_ids and len(seats) != req.quantity:
            problems.append("%s got %d seats, asked for %d" % (rid, len(seats), req.quantity))
        for seat in seats:
            if seat in owner_of:
                problems.append("seat %s acknowledged to %s and %s" % (seat, owner_of[seat], rid))
            owner_of[seat] = rid
    with node.channel() as ch:
        stats = inventory_pb2_grpc.InventoryServiceStub(ch).GetInventoryStatus(
            inventory_pb2.GetInventoryStatusRequest(event_id=EVENT)).stats
        total = stats.available_seats + stats.reserved_seats + stats.sold_seats + stats.blocked_seats
        if total != ROWS * SEATS_PER_ROW or stats.total_seats != ROWS * SEATS_PER_ROW:
            problems.append("counts do not add up: %s" % stats)
        if stats.reserved_seats != len(owner_of):
            problems.append("server holds %d seats, clients were told %d" % (
                stats.reserved_seats, len(owner_of)))
        stub = reservation_pb2_grpc.ReservationServiceStub(ch)
        for rid, (user, req, reply) in acknowledged.items():
            got = stub.GetReservation(reservation_pb2.GetReservationRequest(
                reservation_id=rid, user_id=user)).reservation
            if sorted(s.id for s in got.seats) != sorted(s.id for s in reply.reserved_seats):
                problems.append("%s holds %s now, was told %s" % (
                    rid, [s.id for s in got.seats], [s.id for s in reply.reserved_seats]))
        # Every seat the server calls available must be holdable, so nothing leaked.
        avail = inventory_pb2_grpc.InventoryServiceStub(ch).CheckAvailability(
            inventory_pb2.CheckAvailabilityRequest(
                event_id=EVENT, seat_ids=["A-%d-%d" % (r, s) for r in range(1, ROWS + 1)
                                          for s in range(1, SEATS_PER_ROW + 1)][:100]))
        held_now = set(owner_of)
        for seat in avail.available_seats:
            if seat.id in held_now:
                problems.append("seat %s is both acknowledged and available" % seat.id)
    return problems


class ZeroOversell(unittest.TestCase):
    def contend(self, *flags):
        node = NodeProcess(TACOSD, "--catalog.dir", "/nonexistent", *flags).start()
        self.addCleanup(node.close)
        with node.channel() as ch:
            define_event(ch)
        acknowledged, unexpected = run_contention(node)
        return node, acknowledged, unexpected

    def test_thousands_of_concurrent_holds_never_oversell(self):
        node, acknowledged, unexpected = self.contend()
        self.assertEqual(unexpected, [])
        self.assertGreater(len(acknowledged), 10)
        self.assertEqual(violations(node, acknowledged), [])
        seats = sum(len(r.reserved_seats) for _, _, r in acknowledged.values())
        print("\n%d clients: %d holds acknowledged, %d of %d seats held, %d refused" % (
            CLIENTS, len(acknowledged), seats, ROWS * SEATS_PER_ROW,
            CLIENTS - len(acknowledged)), file=sys.stderr)

    def test_negative_control_the_checker_catches_oversell_without_the_guard(self):
        node, acknowledged, _ = self.contend("--testing.unsafe_ack_holds_before_apply", "true")
        problems = violations(node, acknowledged)
        self.assertTrue(any("acknowledged to" in p for p in problems),
                        "the unguarded node should have oversold; checker found: %s" % problems[:5])
        print("\nnegative control: %d violations, e.g. %s" % (len(problems), problems[0]),
              file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
