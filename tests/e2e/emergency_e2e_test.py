"""End to end for issue #31's emergency actions: a real tacosd process called through real gRPC.

- CANCEL_RESERVATIONS frees every held seat of an event (CheckAvailability agrees, every hold
  reads CANCELLED) and leaves ended reservations alone;
- CIRCUIT_BREAKER refuses a hold with UNAVAILABLE and a retry hint while reads go on, for one
  event or the whole node, until it is switched off;
- the switches (breaker, maintenance) survive a restart on the same data directory;
- FORCE_FAILOVER and FORCE_SCALE on a single node are a precise FAILED_PRECONDITION;
- UpdateConfig's node settings (hold seconds, log level) change at run time and are kept over a
  restart, with values outside the config's bounds refused;
- every action's id is the trace id of its audit line."""
import json
import os
import sys
import tempfile
import unittest
import uuid

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2  # noqa: E402
from proto.gateway.v1 import queue_pb2, queue_pb2_grpc  # noqa: E402
from proto.reservation.v1 import inventory_pb2, inventory_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from node_process import NodeProcess, contract_error, eventually  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
SC = grpc.StatusCode
E = errors_pb2
R = reservation_pb2
A = admin_pb2
CALL_TIMEOUT = 10
SEATS = ["A-1-%d" % n for n in range(1, 9)]


def event_doc(event_id, waiting_room=False):
    doc = {
        "event_id": event_id, "name": "E2E " + event_id, "venue": "Test Hall",
        "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-12-31T00:00:00Z",
        "currency": "KRW",
        "sections": [{"section": "A", "name": "Floor", "price": 1000,
                      "rows": [{"rows": "1", "seats": "1-8"}]}],
    }
    if waiting_room:
        doc["waiting_room"] = {"admissions_per_second": 10, "max_active": 10}
    return doc


class Client:
    def __init__(self, channel):
        self.admin = admin_pb2_grpc.AdminServiceStub(channel)
        self.res = reservation_pb2_grpc.ReservationServiceStub(channel)
        self.inv = inventory_pb2_grpc.InventoryServiceStub(channel)
        self.queue = queue_pb2_grpc.QueueServiceStub(channel)

    def define(self, doc):
        return self.admin.UpdateConfig(A.UpdateConfigRequest(
            config_key="catalog.event", config_value=json.dumps(doc), reason="e2e"),
            timeout=CALL_TIMEOUT)

    def hold(self, event, user, seats):
        return self.res.CreateReservation(R.CreateReservationRequest(
            event_id=event, user_id=user, seat_ids=seats, idempotency_key=uuid.uuid4().hex),
            timeout=CALL_TIMEOUT)

    def get(self, rid, user):
        return self.res.GetReservation(R.GetReservationRequest(reservation_id=rid, user_id=user),
                                       timeout=CALL_TIMEOUT).reservation

    def cancel(self, rid, user):
        return self.res.CancelReservation(R.CancelReservationRequest(
            reservation_id=rid, user_id=user, reason="e2e", idempotency_key=uuid.uuid4().hex),
            timeout=CALL_TIMEOUT)

    def available(self, event, seats):
        return self.inv.CheckAvailability(inventory_pb2.CheckAvailabilityRequest(
            event_id=event, seat_ids=seats), timeout=CALL_TIMEOUT)

    def emergency(self, action, confirm=True, **params):
        return self.admin.EmergencyAction(A.EmergencyActionRequest(
            action=action, reason="e2e", parameters=params, confirm=confirm),
            timeout=CALL_TIMEOUT)

    def operation(self, operation, **params):
        return self.admin.TriggerOperation(A.TriggerOperationRequest(
            operation=operation, reason="e2e", parameters=params), timeout=CALL_TIMEOUT)


def new_event(client, **kw):
    event = "ev-" + uuid.uuid4().hex[:8]
    assert client.define(event_doc(event, **kw)).updated
    return event


class EmergencyTestCase(unittest.TestCase):
    FLAGS = ()

    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.TemporaryDirectory(prefix="tacosd-e2e-emergency-")
        cls.node = NodeProcess(TACOSD, *cls.FLAGS, data_dir=cls.data.name).start()
        cls.channel = cls.node.channel()
        cls.client = Client(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.node.close()
        cls.data.cleanup()

    def restart(self):
        type(self).channel.close()
        self.assertEqual(self.node.stop(), 0, self.node.log_text()[-2000:])
        self.node.start()
        type(self).channel = self.node.channel()
        type(self).client = Client(self.channel)

    def assertRefused(self, fn, code, error_code=None):
        with self.assertRaises(grpc.RpcError) as cm:
            fn()
        self.assertEqual(cm.exception.code(), code, cm.exception.details())
        err = contract_error(cm.exception)
        if error_code is not None:
            self.assertEqual(E.ErrorCode.Name(err.code), E.ErrorCode.Name(error_code), err)
        return err

    def audit_line(self, trace_id):
        return [e for e in self.node.log_entries()
                if e["msg"].startswith("audit:") and e.get("trace_id") == trace_id]


class CancelReservations(EmergencyTestCase):
    def test_frees_every_held_seat_and_leaves_ended_reservations(self):
        c, event = self.client, new_event(self.client)
        holds = [(c.hold(event, "user-%d" % i, SEATS[2 * i:2 * i + 2]).reservation_id,
                  "user-%d" % i) for i in range(3)]
        ended = c.hold(event, "user-9", [SEATS[7]]).reservation_id
        c.cancel(ended, "user-9")
        before = c.available(event, SEATS[:6])
        self.assertFalse(before.available)
        self.assertEqual(sorted(before.unavailable_seat_ids), SEATS[:6])

        done = c.emergency(A.EMERGENCY_ACTION_TYPE_CANCEL_RESERVATIONS, event_id=event)
        self.assertTrue(done.executed, done.result)
        self.assertIn("3 hold(s) cancelled, 0 not cancelled", done.result)

        after = c.available(event, SEATS)
        self.assertTrue(after.available, after)
        self.assertEqual(list(after.unavailable_seat_ids), [])
        for rid, user in holds:
            self.assertEqual(c.get(rid, user).status, R.RESERVATION_STATUS_CANCELLED)
        self.assertEqual(len(self.audit_line(done.action_id)), 1)

    def test_needs_confirm_and_an_event(self):
        c, event = self.client, new_event(self.client)
        self.assertRefused(lambda: c.emergency(A.EMERGENCY_ACTION_TYPE_CANCEL_RESERVATIONS,
                                               confirm=False, event_id=event),
                           SC.FAILED_PRECONDITION, E.ERROR_CODE_FAILED_PRECONDITION)
        self.assertRefused(lambda: c.emergency(A.EMERGENCY_ACTION_TYPE_CANCEL_RESERVATIONS),
                           SC.INVALID_ARGUMENT)
        self.assertRefused(lambda: c.emergency(A.EMERGENCY_ACTION_TYPE_CANCEL_RESERVATIONS,
                                               event_id="no-such-event"), SC.NOT_FOUND)


class CircuitBreaker(EmergencyTestCase):
    def test_refuses_a_hold_and_lets_a_read_through(self):
        c, event = self.client, new_event(self.client)
        held = c.hold(event, "user-1", [SEATS[0]])
        on = c.emergency(A.EMERGENCY_ACTION_TYPE_CIRCUIT_BREAKER, event_id=event, mode="on")
        self.assertIn("1 event breaker(s) open", on.result)
        err = self.assertRefused(lambda: c.hold(event, "user-2", [SEATS[1]]), SC.UNAVAILABLE,
                                 E.ERROR_CODE_UNAVAILABLE)
        self.assertIn("circuit breaker", err.message)
        self.assertIn("retry_after", [d.field for d in err.details])
        self.assertRefused(lambda: c.cancel(held.reservation_id, "user-1"), SC.UNAVAILABLE)
        # Reads go on.
        self.assertEqual(list(c.available(event, SEATS[:2]).unavailable_seat_ids), [SEATS[0]])
        self.assertEqual(c.get(held.reservation_id, "user-1").status, R.RESERVATION_STATUS_HOLD)
        # Another event is not affected.
        other = new_event(c)
        c.hold(other, "user-2", [SEATS[1]])
        c.emergency(A.EMERGENCY_ACTION_TYPE_CIRCUIT_BREAKER, event_id=event, mode="off")
        c.hold(event, "user-2", [SEATS[1]])

    def test_the_node_breaker_covers_every_event(self):
        c = self.client
        first, second = new_event(c), new_event(c)
        c.emergency(A.EMERGENCY_ACTION_TYPE_CIRCUIT_BREAKER, mode="on")
        try:
            for event in (first, second):
                self.assertRefused(lambda: c.hold(event, "user-1", [SEATS[0]]), SC.UNAVAILABLE)
            self.assertTrue(c.available(first, [SEATS[0]]).available)
        finally:
            c.emergency(A.EMERGENCY_ACTION_TYPE_CIRCUIT_BREAKER, mode="off")
        c.hold(first, "user-1", [SEATS[0]])


class Restart(EmergencyTestCase):
    def test_switches_survive_a_restart(self):
        c = self.client
        event, queued = new_event(c), new_event(c, waiting_room=True)
        c.emergency(A.EMERGENCY_ACTION_TYPE_CIRCUIT_BREAKER, event_id=event, mode="on")
        c.emergency(A.EMERGENCY_ACTION_TYPE_MAINTENANCE_MODE, mode="on")
        self.restart()
        c = self.client
        self.assertRefused(lambda: c.hold(event, "user-1", [SEATS[0]]), SC.UNAVAILABLE)
        err = self.assertRefused(lambda: c.queue.JoinQueue(queue_pb2.JoinQueueRequest(
            event_id=queued, user_id="user-1", session_id="s-1"), timeout=CALL_TIMEOUT),
            SC.UNAVAILABLE)
        self.assertIn("maintenance", err.message)
        self.assertTrue(c.available(event, [SEATS[0]]).available)
        self.assertTrue(any("switches kept from before the restart" in e["msg"]
                            for e in self.node.log_entries()))
        c.emergency(A.EMERGENCY_ACTION_TYPE_CIRCUIT_BREAKER, event_id=event, mode="off")
        c.emergency(A.EMERGENCY_ACTION_TYPE_MAINTENANCE_MODE, mode="off")
        self.restart()
        c = self.client
        c.hold(event, "user-1", [SEATS[0]])
        c.queue.JoinQueue(queue_pb2.JoinQueueRequest(event_id=queued, user_id="user-1",
                                                     session_id="s-1"), timeout=CALL_TIMEOUT)


class SingleNode(EmergencyTestCase):
    def test_failover_and_scale_need_a_cluster(self):
        c = self.client
        err = self.assertRefused(lambda: c.emergency(A.EMERGENCY_ACTION_TYPE_FORCE_FAILOVER),
                                 SC.FAILED_PRECONDITION, E.ERROR_CODE_FAILED_PRECONDITION)
        self.assertIn("needs a cluster", err.message)
        err = self.assertRefused(lambda: c.operation(A.OPERATION_TYPE_FORCE_SCALE),
                                 SC.FAILED_PRECONDITION, E.ERROR_CODE_FAILED_PRECONDITION)
        self.assertIn("needs a cluster", err.message)



class RuntimeSettings(EmergencyTestCase):
    def set(self, key, value):
        return self.client.admin.UpdateConfig(A.UpdateConfigRequest(
            config_key=key, config_value=value, reason="e2e"), timeout=CALL_TIMEOUT)

    def ready(self, tokens):
        return [self.client.queue.GetQueueStatus(queue_pb2.GetQueueStatusRequest(
            waiting_token=t), timeout=CALL_TIMEOUT).admission_ready for t in tokens]

    def test_the_active_cap_changes_at_once_and_persists(self):
        c = self.client
        event = "ev-" + uuid.uuid4().hex[:8]
        doc = event_doc(event)
        doc["waiting_room"] = {"admissions_per_second": 100, "max_active": 1}
        self.assertTrue(c.define(doc).updated)
        tokens = [c.queue.JoinQueue(queue_pb2.JoinQueueRequest(
            event_id=event, user_id="user-%d" % i, session_id="s-%d" % i),
            timeout=CALL_TIMEOUT).waiting_token for i in range(3)]
        eventually("one ready under a cap of 1", lambda: self.ready(tokens),
                   until=lambda r: r == [True, False, False])
        reply = self.set("event.%s.queue.max_active" % event, "3")
        self.assertTrue(reply.updated)
        self.assertEqual((reply.old_value, reply.new_value), ("1", "3"))
        eventually("all three ready under a cap of 3", lambda: self.ready(tokens),
                   until=lambda r: r == [True, True, True])
        self.restart()
        again = self.set("event.%s.queue.max_active" % event, "4")
        self.assertEqual((again.old_value, again.new_value), ("3", "4"))
        rate = self.set("event.%s.queue.admissions_per_second" % event, "7")
        self.assertEqual((rate.old_value, rate.new_value), ("100", "7"))

    def test_bad_keys_and_values_are_refused_clearly(self):
        c = self.client
        plain = new_event(c)
        err = self.assertRefused(lambda: self.set("event.%s.queue.max_active" % plain, "3"),
                                 SC.FAILED_PRECONDITION)
        self.assertIn("no waiting room", err.message)
        err = self.assertRefused(lambda: self.set("grpc.listen", "127.0.0.1:1"),
                                 SC.FAILED_PRECONDITION)
        self.assertIn("restart", err.message)
        self.assertRefused(lambda: self.set("no.such.key", "1"), SC.INVALID_ARGUMENT)
        self.assertRefused(lambda: self.set("event.%s.queue.max_active" % plain, "-1"),
                           SC.INVALID_ARGUMENT)
        self.assertRefused(lambda: self.set("event.nope.queue.max_active", "1"), SC.NOT_FOUND)


class NodeSettings(EmergencyTestCase):
    """reservation.hold_seconds and log.level through UpdateConfig: holds made after a change
    end that long after they were made (an earlier hold keeps its expiry), the value is kept over
    a restart, and debug lines (a failed call's) reach GetLogs from the change on."""
    # GetLogs keeps info and above only, until log.level asks for more.
    FLAGS = ("--log.level", "info", "--log.buffer_level", "info",
             "--reservation.hold_seconds", "60")

    def set(self, key, value):
        return self.client.admin.UpdateConfig(A.UpdateConfigRequest(
            config_key=key, config_value=value, reason="e2e"), timeout=CALL_TIMEOUT)

    def hold_length(self, event, seat):
        """Seconds between a new hold's creation and its expiry, as GetReservation reads them."""
        rid = self.client.res.CreateReservation(R.CreateReservationRequest(
            event_id=event, user_id="user-1", seat_ids=[seat],
            idempotency_key=uuid.uuid4().hex), timeout=CALL_TIMEOUT).reservation_id
        r = self.client.get(rid, "user-1")
        return rid, (r.hold_expires_at.ToMilliseconds() - r.created_at.ToMilliseconds()) / 1000

    def expiry_of(self, rid):
        return self.client.get(rid, "user-1").hold_expires_at.ToMilliseconds()

    def test_hold_seconds_apply_to_new_holds_and_survive_a_restart(self):
        event = new_event(self.client)
        before, length = self.hold_length(event, "A-1-1")
        self.assertEqual(length, 60)
        before_expiry = self.expiry_of(before)
        reply = self.set("reservation.hold_seconds", "20")
        self.assertTrue(reply.updated)
        self.assertEqual((reply.old_value, reply.new_value), ("60", "20"))
        self.assertEqual(self.hold_length(event, "A-1-2")[1], 20)
        self.assertEqual(self.expiry_of(before), before_expiry)  # an existing hold keeps its own
        self.restart()
        self.assertEqual(self.hold_length(event, "A-1-3")[1], 20)
        self.assertTrue(any("reservation.hold_seconds = 20" in e["msg"]
                            for e in self.node.log_entries()))
        back = self.set("reservation.hold_seconds", "60")
        self.assertEqual((back.old_value, back.new_value), ("20", "60"))

    def debug_lines(self, trace_id):
        return self.client.admin.GetLogs(A.GetLogsRequest(search_query=trace_id),
                                         timeout=CALL_TIMEOUT).logs

    def failed_call(self, trace_id):
        with self.assertRaises(grpc.RpcError) as cm:
            self.client.res.GetReservation(
                R.GetReservationRequest(reservation_id="not-an-id", user_id="u"),
                metadata=(("x-trace-id", trace_id),), timeout=CALL_TIMEOUT)
        self.assertEqual(cm.exception.code(), SC.INVALID_ARGUMENT)

    def test_log_level_debug_brings_failed_calls_into_get_logs(self):
        quiet = "e2e-" + uuid.uuid4().hex
        self.failed_call(quiet)
        self.assertEqual(len(self.debug_lines(quiet)), 0)
        reply = self.set("log.level", "debug")
        self.assertEqual((reply.old_value, reply.new_value), ("info", "debug"))
        try:
            loud = "e2e-" + uuid.uuid4().hex
            self.failed_call(loud)
            lines = self.debug_lines(loud)
            self.assertEqual(len(lines), 1, lines)
            self.assertEqual(lines[0].level, A.LOG_LEVEL_DEBUG)
        finally:
            self.assertEqual(self.set("log.level", "info").old_value, "debug")
        after = "e2e-" + uuid.uuid4().hex
        self.failed_call(after)
        self.assertEqual(len(self.debug_lines(after)), 0)

    def test_values_outside_the_config_bounds_are_refused(self):
        for bad in ("0", "3601", "soon"):
            err = self.assertRefused(lambda: self.set("reservation.hold_seconds", bad),
                                     SC.INVALID_ARGUMENT)
            self.assertIn("reservation.hold_seconds", err.message)
        err = self.assertRefused(lambda: self.set("log.level", "loud"), SC.INVALID_ARGUMENT)
        self.assertIn("trace, debug, info, warn, error", err.message)


if __name__ == "__main__":
    unittest.main(verbosity=2)
