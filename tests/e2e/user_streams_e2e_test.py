"""End to end for issue #5's user streams (gateway.v1.WebSocketService StreamReservationUpdates,
StreamPaymentUpdates, SendMessage): a real tacosd with its embedded Kafka, called through real gRPC.

A user's reservation stream sees HOLD then CONFIRMED, in order, for a hold paid with APPROVE; the
payment stream sees the intent go PENDING, PROCESSING, COMPLETED. A short hold (4 s, lead time
2 s) yields EXPIRING_SOON before its deadline, then EXPIRED; an ExtendHold moves the warning to the
new deadline. SendMessage reaches an open stream (delivered, the same message id on the stream)
and reports delivered=false for a user (or session) with none. A bystander's streams see nothing
of any of this. A reader that stops reading is cut off with RESOURCE_EXHAUSTED once it is
`streams.max_pending_updates` behind, and 50 streams opened and cancelled leave no subscription
behind (the hub logs its stream count). Bad requests are INVALID_ARGUMENT with a common.v1.Error.

Every stream is read by a thread into a queue; the test waits for a stream's initial metadata
(sent once its subscription is live) before acting, and waits with deadlines, never blind."""
import json
import os
import queue
import sys
import threading
import time
import unittest
import uuid

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2  # noqa: E402
from proto.gateway.v1 import websocket_pb2, websocket_pb2_grpc  # noqa: E402
from proto.payment.v1 import payment_pb2, payment_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from node_process import NodeProcess, contract_error, eventually  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
SC = grpc.StatusCode
E = errors_pb2
P = payment_pb2
R = reservation_pb2
W = websocket_pb2
EVENT = "streams-hall"
HOLD_SECONDS = 4
LEAD_SECONDS = 2
MAX_PENDING = 8
FLAGS = ["--catalog.dir", "/nonexistent", "--reservation.hold_seconds", str(HOLD_SECONDS),
         "--reservation.max_extension_seconds", "5", "--payment.settle_delay_ms", "200",
         "--streams.expiring_soon_seconds", str(LEAD_SECONDS),
         "--streams.max_pending_updates", str(MAX_PENDING)]
EVENT_DOC = {"event_id": EVENT, "name": "Streams", "venue": "Hall", "currency": "KRW",
             "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-01-01T00:00:00Z",
             "sections": [{"section": "A", "name": "A", "price": 1000,
                           "rows": [{"rows": "1-20", "seats": "1-50"}]}]}
CREATED = W.RESERVATION_EVENT_TYPE_CREATED
EXPIRING = W.RESERVATION_EVENT_TYPE_EXPIRING_SOON


def key():
    return uuid.uuid4().hex


def user():
    return "u-" + uuid.uuid4().hex[:10]


class Reader:
    """A stream read by a thread: `take` returns the next response, or fails after `timeout`."""

    def __init__(self, call):
        self.call = call
        self.items = queue.Queue()
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for item in self.call:
                self.items.put(item)
        except grpc.RpcError as e:
            self.error = e
        self.items.put(None)

    def ready(self):
        self.call.initial_metadata()  # the server sends it once the hub has the subscription
        return self

    def take(self, timeout=10):
        item = self.items.get(timeout=timeout)
        if item is None:
            self.items.put(None)
            raise AssertionError("stream ended: %s" % self.error)
        return item

    def pending(self):
        return [i for i in list(self.items.queue) if i is not None]


class UserStreams(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = NodeProcess(TACOSD, *FLAGS).start()
        cls.channel = cls.node.channel()
        admin_pb2_grpc.AdminServiceStub(cls.channel).UpdateConfig(admin_pb2.UpdateConfigRequest(
            config_key="catalog.event", config_value=json.dumps(EVENT_DOC)), timeout=10)
        cls.ws = websocket_pb2_grpc.WebSocketServiceStub(cls.channel)
        cls.res = reservation_pb2_grpc.ReservationServiceStub(cls.channel)
        cls.pay = payment_pb2_grpc.PaymentServiceStub(cls.channel)
        # A bystander whose streams must never see anything of the other users' doings.
        cls.bystander = user()
        cls.bystanders = [cls.open_reservations(cls.bystander).ready(),
                          cls.open_payments(cls.bystander).ready()]

    @classmethod
    def tearDownClass(cls):
        for b in cls.bystanders:
            b.call.cancel()
        cls.channel.close()
        cls.node.stop()
        cls.node.close()

    @classmethod
    def open_reservations(cls, who, ids=(), session="s"):
        return Reader(cls.ws.StreamReservationUpdates(W.StreamReservationUpdatesRequest(
            user_id=who, session_id=session, reservation_ids=list(ids)), timeout=120))

    @classmethod
    def open_payments(cls, who, ids=(), session="s"):
        return Reader(cls.ws.StreamPaymentUpdates(W.StreamPaymentUpdatesRequest(
            user_id=who, session_id=session, payment_intent_ids=list(ids)), timeout=120))

    def watch(self, reader):
        """The reader once live; cancelled when the test ends, whatever happens."""
        self.addCleanup(reader.call.cancel)
        return reader.ready()

    def tearDown(self):
        for b in self.bystanders:
            self.assertEqual(b.pending(), [], "the bystander saw another user's updates")

    def hold(self, who):
        return self.res.CreateReservation(R.CreateReservationRequest(
            event_id=EVENT, user_id=who, quantity=1, idempotency_key=key()), timeout=10)

    def send(self, who, session="", **fields):
        fields.setdefault("content", "your seats are waiting")
        return self.ws.SendMessage(W.SendMessageRequest(
            target_user_id=who, target_session_id=session, **fields), timeout=10)

    def status_changes(self, reader, until, timeout=10):
        """(old, new, event_type) of each update up to the one whose new status is `until`,
        leaving out EXPIRING_SOON (its timing is another test's)."""
        out = []
        deadline = time.monotonic() + timeout
        while not out or out[-1][1] != until:
            u = reader.take(max(0.1, deadline - time.monotonic())).reservation_update
            if u.event_type != EXPIRING:
                out.append((u.old_status, u.new_status, u.event_type))
        return out

    def test_a_paid_hold_is_pushed_hold_then_confirmed_and_the_intent_its_steps(self):
        who = user()
        reservations = self.watch(self.open_reservations(who))
        payments = self.watch(self.open_payments(who))
        held = self.hold(who)
        intent = self.pay.CreatePaymentIntent(P.CreatePaymentIntentRequest(
            reservation_id=held.reservation_id, user_id=who, scenario=P.PAYMENT_SCENARIO_APPROVE,
            amount=held.total_amount, method=P.PAYMENT_METHOD_CREDIT_CARD,
            idempotency_key=key()), timeout=10)
        self.pay.ProcessPayment(P.ProcessPaymentRequest(
            payment_intent_id=intent.payment_intent_id, idempotency_key=key()), timeout=10)
        self.assertEqual(self.status_changes(reservations, R.RESERVATION_STATUS_CONFIRMED), [
            (R.RESERVATION_STATUS_UNSPECIFIED, R.RESERVATION_STATUS_HOLD, CREATED),
            (R.RESERVATION_STATUS_HOLD, R.RESERVATION_STATUS_CONFIRMED,
             W.RESERVATION_EVENT_TYPE_CONFIRMED)])
        steps = []
        while not steps or steps[-1][1] != P.PAYMENT_STATUS_COMPLETED:
            got = payments.take()
            self.assertEqual(got.type, W.EVENT_TYPE_PAYMENT_UPDATE)
            self.assertEqual(got.payment_update.payment_intent_id, intent.payment_intent_id)
            u = got.payment_update
            steps.append((u.old_status, u.new_status, u.event_type))
        self.assertEqual(steps, [
            (P.PAYMENT_STATUS_UNSPECIFIED, P.PAYMENT_STATUS_PENDING, W.PAYMENT_EVENT_TYPE_CREATED),
            (P.PAYMENT_STATUS_PENDING, P.PAYMENT_STATUS_PROCESSING,
             W.PAYMENT_EVENT_TYPE_PROCESSING),
            (P.PAYMENT_STATUS_PROCESSING, P.PAYMENT_STATUS_COMPLETED,
             W.PAYMENT_EVENT_TYPE_COMPLETED)])
        reservations.call.cancel()
        payments.call.cancel()

    def test_a_short_hold_warns_expiring_soon_before_its_deadline_then_expires(self):
        who = user()
        reservations = self.watch(self.open_reservations(who))
        held = self.hold(who)
        deadline_ms = held.hold_expires_at.ToMilliseconds()
        created = reservations.take().reservation_update
        self.assertEqual(created.event_type, CREATED)
        self.assertEqual(created.reservation_id, held.reservation_id)
        warning = reservations.take()
        self.assertEqual(warning.reservation_update.event_type, EXPIRING)
        self.assertEqual(warning.reservation_update.new_status, R.RESERVATION_STATUS_HOLD)
        self.assertEqual(warning.reservation_update.hold_expires_at, held.hold_expires_at)
        # Stamped by the node's clock when it warned: not before the lead time, and before the
        # deadline.
        warned_ms = warning.timestamp.ToMilliseconds()
        self.assertGreaterEqual(warned_ms, deadline_ms - LEAD_SECONDS * 1000)
        self.assertLess(warned_ms, deadline_ms)
        ended = reservations.take().reservation_update
        self.assertEqual((ended.old_status, ended.new_status, ended.event_type),
                         (R.RESERVATION_STATUS_HOLD, R.RESERVATION_STATUS_EXPIRED,
                          W.RESERVATION_EVENT_TYPE_EXPIRED))
        reservations.call.cancel()

    def test_an_extension_is_pushed_and_moves_the_warning(self):
        who = user()
        held = self.hold(who)
        # Opened after the hold, filtered to it: the hub knew the hold from the feed already.
        reservations = self.watch(self.open_reservations(who, [held.reservation_id]))
        other = self.hold(who)  # not followed by this stream
        extended = self.res.ExtendHold(R.ExtendHoldRequest(
            reservation_id=held.reservation_id, user_id=who, extension_seconds=3,
            idempotency_key=key()), timeout=10)
        moved = reservations.take().reservation_update
        # Before the extension may come the creation (the feed brought it after the stream
        # opened) and, on a slow machine, the warning for the old deadline.
        while moved.event_type == CREATED or (moved.event_type == EXPIRING and
                                               moved.hold_expires_at == held.hold_expires_at):
            moved = reservations.take().reservation_update
        self.assertEqual(moved.event_type, W.RESERVATION_EVENT_TYPE_UNSPECIFIED)
        self.assertEqual((moved.old_status, moved.new_status),
                         (R.RESERVATION_STATUS_HOLD, R.RESERVATION_STATUS_HOLD))
        self.assertEqual(moved.hold_expires_at, extended.new_expires_at)
        warned = reservations.take()
        warning = warned.reservation_update
        self.assertEqual(warning.event_type, EXPIRING)
        self.assertEqual(warning.hold_expires_at, extended.new_expires_at)
        # Moved: the node warned (by its clock) the lead time before the new deadline, past the
        # time it would have warned for the old one.
        self.assertGreaterEqual(warned.timestamp.ToMilliseconds(),
                                extended.new_expires_at.ToMilliseconds() - LEAD_SECONDS * 1000)
        ended = reservations.take().reservation_update
        self.assertEqual(ended.new_status, R.RESERVATION_STATUS_EXPIRED)
        self.assertEqual([u for u in reservations.pending()
                          if u.reservation_update.reservation_id == other.reservation_id], [])
        reservations.call.cancel()

    def test_send_message_reaches_an_open_stream_and_says_when_none_took_it(self):
        who = user()
        reservations = self.watch(self.open_reservations(who, session="s1"))
        sent = self.send(who, message_type=W.MESSAGE_TYPE_PROMOTION, title="Hi",
                         priority=W.MESSAGE_PRIORITY_HIGH, data={"coupon": "TACO"})
        self.assertTrue(sent.delivered)
        self.assertTrue(sent.message_id)
        self.assertTrue(sent.sent_at.seconds > 0)
        got = reservations.take()
        self.assertEqual(got.type, W.EVENT_TYPE_MESSAGE)
        self.assertEqual(got.correlation_id, sent.message_id)
        body = json.loads(got.reservation_update.message)
        self.assertEqual((body["message_id"], body["title"], body["content"], body["type"],
                          body["priority"], body["data"]),
                         (sent.message_id, "Hi", "your seats are waiting", "MESSAGE_TYPE_PROMOTION",
                          "MESSAGE_PRIORITY_HIGH", {"coupon": "TACO"}))
        self.assertTrue(self.send(who, session="s1").delivered)
        self.assertFalse(self.send(who, session="s2").delivered)
        nobody = self.send(user())
        self.assertFalse(nobody.delivered)
        self.assertTrue(nobody.message_id)
        reservations.call.cancel()

    def test_a_reader_that_falls_behind_is_cut_off_with_resource_exhausted(self):
        who = user()
        stalled = self.ws.StreamReservationUpdates(W.StreamReservationUpdatesRequest(
            user_id=who), timeout=120)  # never read: its flow-control window fills up
        stalled.initial_metadata()
        big = "x" * 4000
        sent = 0
        while self.send(who, content=big).delivered:
            sent += 1
            self.assertLess(sent, 5000, "the stream never fell behind")
        self.assertGreater(sent, MAX_PENDING)
        with self.assertRaises(grpc.RpcError) as cm:
            for _ in stalled:
                pass
        self.assertEqual(cm.exception.code(), SC.RESOURCE_EXHAUSTED)
        self.assertEqual(contract_error(cm.exception).code, E.ERROR_CODE_QUOTA_EXCEEDED)
        self.assertFalse(self.send(who).delivered)  # and the hub let go of it

    def stream_counts(self):
        return [int(e["msg"].split()[2]) for e in self.node.log_entries()
                if e["msg"].startswith("user streams: ")]

    def wait_count(self, n, seconds=10):
        eventually("the stream count to reach %d" % n, self.stream_counts,
                   until=lambda counts: counts[-1:] == [n], timeout=seconds)

    def test_disconnected_streams_free_their_subscriptions(self):
        self.wait_count(len(self.bystanders))
        readers = []
        for i in range(50):
            opener = self.open_reservations if i % 2 else self.open_payments
            readers.append(opener(user()).ready())
        self.wait_count(len(self.bystanders) + 50)
        for r in readers:
            r.call.cancel()
        self.wait_count(len(self.bystanders))

    def assert_invalid(self, fn, field):
        with self.assertRaises(grpc.RpcError) as cm:
            fn()
        self.assertEqual(cm.exception.code(), SC.INVALID_ARGUMENT, cm.exception.details())
        err = contract_error(cm.exception)
        self.assertEqual(err.code, E.ERROR_CODE_INVALID_ARGUMENT)
        self.assertTrue(err.trace_id)
        self.assertTrue(err.details[0].field.startswith(field), err.details[0].field)

    def test_bad_requests_are_invalid_argument(self):
        def first(stream):
            def end():
                stream.thread.join(10)
                if stream.error:
                    raise stream.error
            return end
        self.assert_invalid(first(self.open_reservations("")), "user_id")
        self.assert_invalid(first(self.open_reservations("u" * 65)), "user_id")
        self.assert_invalid(first(self.open_reservations("u", ["r-%d" % i for i in range(33)])),
                            "reservation_ids")
        self.assert_invalid(first(self.open_reservations("u", ["r-1", "r-1"])), "reservation_ids")
        self.assert_invalid(first(self.open_payments("u", [""])), "payment_intent_ids")
        self.assert_invalid(first(self.open_payments("u", session="s" * 200)), "session_id")
        self.assert_invalid(lambda: self.send(""), "target_user_id")
        self.assert_invalid(lambda: self.send("u", message_type=99), "message_type")
        self.assert_invalid(lambda: self.send("u", priority=-1), "priority")
        self.assert_invalid(lambda: self.send("u", title="t" * 257), "title")
        self.assert_invalid(lambda: self.send("u", content=""), "content")
        self.assert_invalid(lambda: self.send("u", content="c" * 4097), "content")
        self.assert_invalid(lambda: self.send("u", data={str(i): "v" for i in range(33)}), "data")
        self.assert_invalid(lambda: self.send("u", data={"k": "v" * 1025}), "data")
        # Bytes that are not the request message, on the stream and the unary path.
        for path in ("StreamReservationUpdates", "StreamPaymentUpdates"):
            call = self.channel.unary_stream("/gateway.v1.WebSocketService/" + path,
                                             request_serializer=lambda b: b)(b"\xff\xff\xff",
                                                                            timeout=10)
            self.assert_invalid_bytes(lambda: list(call))
        self.assert_invalid_bytes(lambda: self.channel.unary_unary(
            "/gateway.v1.WebSocketService/SendMessage", request_serializer=lambda b: b)(
            b"\xff\xff\xff", timeout=10))
        self.assertTrue(self.send(user()).message_id)  # and the node is still serving

    def assert_invalid_bytes(self, fn):
        with self.assertRaises(grpc.RpcError) as cm:
            fn()
        self.assertEqual(cm.exception.code(), SC.INVALID_ARGUMENT)
        self.assertEqual(contract_error(cm.exception).code, E.ERROR_CODE_INVALID_ARGUMENT)


if __name__ == "__main__":
    unittest.main(verbosity=2)
