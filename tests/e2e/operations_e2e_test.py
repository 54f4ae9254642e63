"""End to end for issue #31's TriggerOperation: a real tacosd process called through real gRPC.

- DRAIN_QUEUE mode=release empties an event's line: the watched user's stream ends with a
  SystemUpdate saying so, GetQueueStatus says the place was released, new joins are refused
  until mode=reopen; a dry run first reports the count and changes nothing;
- DRAIN_QUEUE mode=admit makes everyone waiting ready at once (past a stopped inlet);
- an inlet change through UpdateConfig reaches a waiting user's stream as CAPACITY_CHANGED, and so
  does CANCEL_RESERVATIONS freeing the seats that paused the line (which then moves again);
- CLEAR_CACHE passivates idle reservation actors (a dry run only counts them) and every
  reservation reads back the same afterwards, a held one still cancellable;
- RESTART_SERVICE worker-consumer (a node on a real broker) leaves the worker's group and joins
  it again, and a hold made before the restart, whose expiry event the old consumer held until
  its deadline, still expires through the worker; an unknown name is refused listing the known;
- RESTART_SERVICE webhook-sender while a delivery is pending (its receiver refused it and it
  waits for its retry): the delivery is made afterwards, once, with the same webhook id;
- each operation's id is the trace id of its audit line, which carries the outcome."""
import os
import sys
import threading
import unittest

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc  # noqa: E402
from proto.payment.v1 import payment_pb2  # noqa: E402
from proto.gateway.v1 import queue_pb2, websocket_pb2, websocket_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2  # noqa: E402

from emergency_e2e_test import CALL_TIMEOUT, SEATS, EmergencyTestCase, new_event  # noqa: E402
from kafka_e2e_test import BrokerNode  # noqa: E402
from node_process import contract_error, eventually  # noqa: E402
from webhooks_e2e_test import WebhookNode  # noqa: E402

SC = grpc.StatusCode
A = admin_pb2
W = websocket_pb2
R = reservation_pb2
STOP = A.EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS


class Operations(EmergencyTestCase):
    def operation(self, operation, dry_run=False, **params):
        return self.client.admin.TriggerOperation(A.TriggerOperationRequest(
            operation=operation, reason="e2e", parameters=params, dry_run=dry_run),
            timeout=CALL_TIMEOUT)

    def drain(self, event, mode, dry_run=False):
        return self.operation(A.OPERATION_TYPE_DRAIN_QUEUE, dry_run, event_id=event, mode=mode)

    def join(self, event, user):
        return self.client.queue.JoinQueue(queue_pb2.JoinQueueRequest(
            event_id=event, user_id=user, session_id="s-" + user), timeout=CALL_TIMEOUT)

    def status(self, token):
        return self.client.queue.GetQueueStatus(queue_pb2.GetQueueStatusRequest(
            waiting_token=token), timeout=CALL_TIMEOUT)

    def stopped_line(self, users):
        """A queued event with admissions stopped and `users` waiting: (event, tokens)."""
        event = new_event(self.client, waiting_room=True)
        self.client.emergency(STOP, event_id=event, mode="on")
        return event, [self.join(event, "%s-u%d" % (event, i)).waiting_token
                       for i in range(users)]

    def open_stream(self, token):
        """The stream's updates, collected by a thread into the returned list, once subscribed."""
        stub = websocket_pb2_grpc.WebSocketServiceStub(self.channel)
        stream = stub.StreamQueueUpdates(W.StreamQueueUpdatesRequest(waiting_token=token),
                                         timeout=30)
        updates = [next(stream)]  # subscribed

        def read():
            try:
                for u in stream:
                    updates.append(u)
            except grpc.RpcError:
                pass
        threading.Thread(target=read, daemon=True).start()
        return stream, updates

    def audited(self, operation_id, text):
        lines = [e for e in self.node.log_entries()
                 if e["msg"].startswith("audit:") and e.get("trace_id") == operation_id]
        self.assertEqual(len(lines), 1, lines)
        self.assertIn(text, lines[0]["msg"])

    def test_drain_release_tells_the_line_and_refuses_joins_until_reopened(self):
        event, tokens = self.stopped_line(3)
        stream, updates = self.open_stream(tokens[-1])
        dry = self.drain(event, "release", dry_run=True)
        self.assertTrue(dry.triggered)
        self.assertIn("dry run, nothing changed", dry.result)
        self.assertIn("3 would be released", dry.result)
        self.assertEqual(self.status(tokens[-1]).position, 3)
        self.join(event, event + "-late")  # joins still open after a dry run

        done = self.drain(event, "release")
        self.assertEqual(done.status, A.OPERATION_STATUS_COMPLETED)
        self.assertIn("4 released", done.result)
        self.assertIn("new joins closed", done.result)
        self.audited(done.operation_id, "4 released")
        eventually("the stream's last update", lambda: updates[-1].queue_update.event_type
                   == W.QUEUE_EVENT_TYPE_TOKEN_EXPIRED)
        last = updates[-1]
        self.assertEqual(last.type, W.EVENT_TYPE_SYSTEM_UPDATE)
        self.assertEqual(last.queue_update.event_type, W.QUEUE_EVENT_TYPE_TOKEN_EXPIRED)
        self.assertEqual(last.system_update.event_type, W.SYSTEM_EVENT_TYPE_CAPACITY_CHANGED)
        self.assertIn("DRAIN_QUEUE", last.system_update.message)
        err = self.assertRefused(lambda: self.status(tokens[0]), SC.FAILED_PRECONDITION)
        self.assertIn("released", err.message)
        err = self.assertRefused(lambda: self.join(event, event + "-new"),
                                 SC.FAILED_PRECONDITION)
        self.assertIn("closed", err.message)

        reopened = self.drain(event, "reopen")
        self.assertIn("new joins open", reopened.result)
        self.assertTrue(self.join(event, event + "-new").waiting_token)

    def test_drain_admit_makes_everyone_waiting_ready(self):
        event, tokens = self.stopped_line(3)
        dry = self.drain(event, "admit", dry_run=True)
        self.assertIn("3 would be admitted", dry.result)
        self.assertEqual([self.status(t).admission_ready for t in tokens], [False] * 3)
        done = self.drain(event, "admit")
        self.assertIn("3 admitted", done.result)
        self.assertEqual([self.status(t).admission_ready for t in tokens], [True] * 3)

    def test_drain_needs_an_event_and_a_mode(self):
        self.assertRefused(lambda: self.operation(A.OPERATION_TYPE_DRAIN_QUEUE, mode="admit"),
                           SC.INVALID_ARGUMENT)
        self.assertRefused(lambda: self.drain("x", "flush"), SC.INVALID_ARGUMENT)
        self.assertRefused(lambda: self.drain("no-such-event", "admit"), SC.NOT_FOUND)

    def test_a_capacity_change_reaches_the_waiting_stream(self):
        event, tokens = self.stopped_line(2)
        stream, updates = self.open_stream(tokens[-1])
        reply = self.client.admin.UpdateConfig(A.UpdateConfigRequest(
            config_key="event.%s.queue.admissions_per_second" % event, config_value="3",
            reason="e2e"), timeout=CALL_TIMEOUT)
        self.assertTrue(reply.updated)
        notice = eventually("the capacity notice on the stream", lambda: [
            u for u in updates
            if u.system_update.event_type == W.SYSTEM_EVENT_TYPE_CAPACITY_CHANGED])
        self.assertIn("admissions per second 10 -> 3", notice[0].system_update.message)
        self.assertEqual(notice[0].system_update.event_id, event)
        stream.cancel()

    def test_cancel_reservations_tells_a_line_paused_by_holds(self):
        c = self.client
        event = new_event(c, waiting_room=True)
        token = self.join(event, "buyer").waiting_token
        admission = eventually("the buyer's turn", lambda: self.status(token).admission_ready)
        self.assertTrue(admission)
        granted = c.queue.RequestAdmission(queue_pb2.RequestAdmissionRequest(
            waiting_token=token, event_id=event, user_id="buyer"), timeout=CALL_TIMEOUT)
        c.res.CreateReservation(R.CreateReservationRequest(
            event_id=event, user_id="buyer", seat_ids=SEATS, idempotency_key="k-" + event,
            reservation_token=granted.reservation_token), timeout=CALL_TIMEOUT)
        late = self.join(event, "late").waiting_token
        stream, updates = self.open_stream(late)
        eventually("the line paused by holds", lambda: updates[-1].queue_update.event_type
                   == W.QUEUE_EVENT_TYPE_QUEUE_PAUSED)
        done = c.emergency(A.EMERGENCY_ACTION_TYPE_CANCEL_RESERVATIONS, event_id=event)
        self.assertIn("1 hold(s) cancelled", done.result)
        notice = eventually("the notice on the stream", lambda: [
            u for u in updates
            if u.system_update.event_type == W.SYSTEM_EVENT_TYPE_CAPACITY_CHANGED])
        self.assertIn("cancelled 1 hold(s)", notice[0].system_update.message)
        eventually("the late user's turn", lambda: self.status(late).admission_ready)
        stream.cancel()

    def test_clear_cache_passivates_idle_reservations_and_loses_none(self):
        c, event = self.client, new_event(self.client)
        held = c.hold(event, "user-1", SEATS[:2]).reservation_id
        ended = c.hold(event, "user-2", SEATS[2:3]).reservation_id
        c.cancel(ended, "user-2")
        dry = self.operation(A.OPERATION_TYPE_CLEAR_CACHE, dry_run=True)
        self.assertIn("dry run, nothing changed: would passivate", dry.result)
        done = self.operation(A.OPERATION_TYPE_CLEAR_CACHE)
        self.assertEqual(done.status, A.OPERATION_STATUS_COMPLETED)
        self.assertRegex(done.result, r"^passivated [1-9][0-9]* idle reservation actor")
        self.audited(done.operation_id, "passivated")
        again = self.operation(A.OPERATION_TYPE_CLEAR_CACHE, dry_run=True)
        self.assertIn("would passivate 0 ", again.result)
        self.assertEqual(c.get(ended, "user-2").status, R.RESERVATION_STATUS_CANCELLED)
        self.assertEqual(c.get(held, "user-1").status, R.RESERVATION_STATUS_HOLD)
        c.cancel(held, "user-1")
        self.assertEqual(c.get(held, "user-1").status, R.RESERVATION_STATUS_CANCELLED)
        self.assertRefused(lambda: self.operation(A.OPERATION_TYPE_CLEAR_CACHE, x="1"),
                           SC.INVALID_ARGUMENT)


class RestartService(BrokerNode):
    def restart(self, target, dry_run=False):
        return self.c.admin.TriggerOperation(A.TriggerOperationRequest(
            operation=A.OPERATION_TYPE_RESTART_SERVICE, target_service=target, reason="e2e",
            dry_run=dry_run), timeout=30)

    def test_the_worker_consumer_restarts_and_loses_no_expiry(self):
        held = self.c.hold("restart-user", "A-3-1")
        dry = self.restart("worker-consumer", dry_run=True)
        self.assertEqual(dry.result, "dry run, nothing changed: would restart worker-consumer")
        done = self.restart("worker-consumer")
        self.assertEqual(done.status, A.OPERATION_STATUS_COMPLETED)
        self.assertIn("left the group and joined it again", done.result)
        self.assertTrue(any(e["msg"].startswith("audit:") and e.get("trace_id") ==
                            done.operation_id for e in self.node.log_entries()))
        # The hold's own backstop is 60 s away: an expiry within the bound is the worker's.
        eventually("the expiry through the restarted worker",
                   lambda: self.c.status(held.reservation_id, "restart-user"),
                   until=lambda s: s == R.RESERVATION_STATUS_EXPIRED, timeout=30, step=0.1)

    def test_an_unknown_component_is_refused_with_the_known_ones(self):
        with self.assertRaises(grpc.RpcError) as cm:
            self.restart("no-such-thing")
        self.assertEqual(cm.exception.code(), SC.INVALID_ARGUMENT)
        self.assertIn("worker-consumer", contract_error(cm.exception).message)


class RestartWebhookSender(WebhookNode):
    def test_a_pending_delivery_survives_the_restart(self):
        path = "/hooks/restart"
        self.receiver.fail_first[path] = 3  # retried after 0.2, 0.4 and 0.8 s
        self.intent("restart-user", payment_pb2.PAYMENT_SCENARIO_APPROVE, self.receiver.url + path)
        self.wait_for("a refused first attempt", lambda: self.receiver.attempts(path))
        done = admin_pb2_grpc.AdminServiceStub(self.channel).TriggerOperation(
            A.TriggerOperationRequest(operation=A.OPERATION_TYPE_RESTART_SERVICE,
                                      target_service="webhook-sender", reason="e2e"), timeout=30)
        self.assertIn("left the group and joined it again", done.result)
        delivered = self.wait_for("the delivery after the restart",
                                  lambda: self.receiver.delivered(path), timeout=30)
        self.assertEqual(len(delivered), 1)
        self.assertEqual(len({a["id"] for a in self.receiver.attempts(path)}), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
