"""End to end for issue #5's streams (gateway.v1.WebSocketService/StreamQueueUpdates): a real
tacosd, called through real gRPC.

A user near the back of a slowly admitting queue opens a stream, sees its position fall without
polling, gets ADMISSION_READY the moment the inlet reaches it (the stream then ends OK), and
holds a seat with the admission it asks for. A stream keeps its entry alive past the idle
timeout, while an entry nobody polls or streams expires (negative control). LeaveQueue ends a
stream with TOKEN_EXPIRED. 200 streams opened and cancelled leave no subscription behind (the
admission actor logs its subscriber count) and the node keeps serving. Bad requests: empty token
and malformed bytes are INVALID_ARGUMENT, an unknown token NOT_FOUND."""
import os
import sys
import unittest
import uuid

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, errors_pb2  # noqa: E402
from proto.gateway.v1 import queue_pb2, websocket_pb2, websocket_pb2_grpc  # noqa: E402

from node_process import NodeProcess, eventually  # noqa: E402
from queue_e2e_test import CALL_TIMEOUT, Client, error_code, event_doc  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
SC = grpc.StatusCode
W = websocket_pb2
IDLE_TIMEOUT = 3  # seconds: short, so the heartbeat check is quick
FLAGS = ["--catalog.dir", "/nonexistent", "--queue.tick_ms", "20",
         "--queue.secret", "e2e-queue-secret-0123456789abcdef-xyz",
         "--queue.idle_timeout_seconds", str(IDLE_TIMEOUT)]
STOP = admin_pb2.EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS
STREAM_PATH = "/gateway.v1.WebSocketService/StreamQueueUpdates"


def slow_event(rate):
    doc = event_doc("streams-" + uuid.uuid4().hex[:8])
    doc["waiting_room"]["admissions_per_second"] = rate
    return doc


class StreamsE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = NodeProcess(TACOSD, *FLAGS).start()
        cls.channel = cls.node.channel()
        cls.client = Client(cls.channel)
        cls.streams = websocket_pb2_grpc.WebSocketServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.node.stop()
        cls.node.close()

    def open(self, token, timeout=30):
        return self.streams.StreamQueueUpdates(W.StreamQueueUpdatesRequest(waiting_token=token),
                                               timeout=timeout)

    def stopped_event(self):
        doc = slow_event(1)
        self.client.define(doc)
        self.client.emergency(STOP, event_id=doc["event_id"])
        return doc["event_id"]

    def subscriber_counts(self, event):
        prefix = "event %s: " % event
        return [int(e["msg"][len(prefix):].split()[0]) for e in self.node.log_entries()
                if e["msg"].startswith(prefix) and e["msg"].endswith("queue stream subscriber(s)")]

    def wait_subscribers(self, event, n, seconds=10):
        eventually("the subscriber count to reach %d" % n, lambda: self.subscriber_counts(event),
                   until=lambda counts: counts[-1:] == [n], timeout=seconds)

    def test_stream_pushes_positions_then_ready_and_the_user_holds(self):
        c, doc = self.client, slow_event(2)
        event = doc["event_id"]
        c.define(doc)
        c.emergency(STOP, event_id=event)  # the line forms first, so the last user waits ~4 s
        users = ["su-%d" % i for i in range(8)]
        tokens = [c.join(event, u).waiting_token for u in users]
        stream = self.open(tokens[-1])
        first = next(stream)  # subscribed while the line stands still
        c.emergency(STOP, event_id=event, mode="off")
        updates = [first] + list(stream)  # ends by itself after the ready signal: no polling
        self.assertEqual(stream.code(), SC.OK)
        kinds = [u.queue_update.event_type for u in updates]
        self.assertEqual(kinds[-1], W.QUEUE_EVENT_TYPE_ADMISSION_READY, kinds)
        self.assertTrue(updates[-1].queue_update.admission_ready)
        # The operator's stop, then its undo, are named as the line hears them.
        self.assertEqual(kinds[:2], [W.QUEUE_EVENT_TYPE_QUEUE_PAUSED,
                                     W.QUEUE_EVENT_TYPE_QUEUE_RESUMED], kinds)
        self.assertEqual(updates[0].queue_update.position, len(users))
        moves = [u.queue_update.position for u in updates
                 if u.queue_update.event_type == W.QUEUE_EVENT_TYPE_POSITION_CHANGED]
        self.assertGreaterEqual(len(moves), 2, "position updates before the ready signal")
        places = [u.queue_update.position for u in updates[:-1]]
        self.assertEqual(places, sorted(places, reverse=True), "positions only fall")
        self.assertTrue(all(u.type == W.EVENT_TYPE_QUEUE_UPDATE for u in updates))
        self.assertTrue(all(u.queue_update.waiting_token == tokens[-1] for u in updates))
        admission = c.admit(event, users[-1], tokens[-1])
        held = c.hold(event, users[-1], admission.reservation_token)
        self.assertTrue(held.reservation_id)

    def test_a_stream_is_the_heartbeat_and_leave_ends_it(self):
        c, event = self.client, self.stopped_event()
        streamed = c.join(event, "hb-streamed").waiting_token
        idle = c.join(event, "hb-idle").waiting_token
        stream = self.open(streamed)
        first = next(stream)
        self.assertEqual(first.queue_update.event_type, W.QUEUE_EVENT_TYPE_QUEUE_PAUSED)
        self.assertEqual(first.queue_update.position, 1)
        # Watched through the room's count: polling the idle entry's status would keep it alive.
        eventually("the idle entry to expire", lambda: c.queue.GetQueueStats(
            queue_pb2.GetQueueStatsRequest(event_id=event), timeout=CALL_TIMEOUT).events[0],
            until=lambda room: room.total_waiting == 1, timeout=IDLE_TIMEOUT + 10)
        with self.assertRaises(grpc.RpcError) as gone:
            c.status(idle)  # negative control: nobody polled or streamed it
        self.assertEqual(gone.exception.code(), SC.NOT_FOUND)
        self.assertEqual(c.status(streamed).position, 1, "the stream kept its entry")
        c.queue.LeaveQueue(queue_pb2.LeaveQueueRequest(waiting_token=streamed, reason="e2e"),
                           timeout=CALL_TIMEOUT)
        rest = list(stream)
        self.assertEqual(stream.code(), SC.OK)
        self.assertEqual([u.queue_update.event_type for u in rest][-1:],
                         [W.QUEUE_EVENT_TYPE_TOKEN_EXPIRED])

    def test_cancelled_streams_leave_no_subscription_behind(self):
        c, event = self.client, self.stopped_event()
        token = c.join(event, "cancel-user").waiting_token
        calls = [self.open(token) for _ in range(200)]
        for call in calls:
            self.assertEqual(next(call).queue_update.position, 1)
        self.wait_subscribers(event, 200)
        for call in calls:
            call.cancel()
        self.wait_subscribers(event, 0)
        self.assertEqual(c.status(token).position, 1, "the node still serves")
        again = self.open(token)
        self.assertEqual(next(again).queue_update.position, 1)
        again.cancel()
        self.wait_subscribers(event, 0)

    def test_bad_requests_get_the_contract_status(self):
        for token, code, err in (("", SC.INVALID_ARGUMENT, errors_pb2.ERROR_CODE_INVALID_ARGUMENT),
                                 ("w-0000-no-such-event-01ARZ3NDEKTSV4RRFFQ69G5FAV", SC.NOT_FOUND,
                                  errors_pb2.ERROR_CODE_NOT_FOUND)):
            stream = self.open(token)
            with self.assertRaises(grpc.RpcError) as cm:
                list(stream)
            self.assertEqual(cm.exception.code(), code, token)
            self.assertEqual(error_code(cm.exception), err, token)
        with self.assertRaises(grpc.RpcError) as cm:
            list(self.channel.unary_stream(STREAM_PATH)(b"\x0a\xff\xff\xff\xff\x0f"))
        self.assertEqual(cm.exception.code(), SC.INVALID_ARGUMENT)
        self.assertEqual(error_code(cm.exception), errors_pb2.ERROR_CODE_INVALID_ARGUMENT)


if __name__ == "__main__":
    unittest.main(verbosity=2)
