"""Server streams and SendMessage in the clustered node set (issue #30): tacos-broker and three
tacosd nodes, driven through each node's gRPC port by python3-grpcio.

- A queue stream (WebSocketService/StreamQueueUpdates) opened on a node that does not own the
  event is relayed from the owner: it receives the same updates as a stream opened on the owner
  (every position change, then ADMISSION_READY, then OK), with the caller's trace id.
- Cancelling relayed streams on the client ends them on the owner: the owner's admission actor
  counts them as subscribers while they are open (its log line) and drops them after the cancel.
- SendMessage through one node reaches the user's streams on every node, with one message id;
  a user with no stream anywhere gets delivered=false.
- Reservation streams already work on any node: a hold made through one node shows on a user's
  stream open on another (every node reads the topics).
- A shard moving away from a paused owner (SIGSTOP: its connection stays open and silent) ends
  a relayed stream with UNAVAILABLE and a retry hint once the relaying node sees the move.
- Killing the owner ends a relayed stream with UNAVAILABLE and a retry hint within a bounded time,
  and the client reconnecting through the same node follows the shard to its new owner.
"""
import json
import os
import signal
import sys
import tempfile
import time
import unittest
import uuid

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2  # noqa: E402
from proto.gateway.v1 import queue_pb2, queue_pb2_grpc  # noqa: E402
from proto.gateway.v1 import websocket_pb2, websocket_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from cluster_process import Cluster, serving, shard_of  # noqa: E402
from node_process import contract_error, eventually  # noqa: E402
import user_streams_e2e_test  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
BROKER = os.environ["TT_BROKER"]
SC = grpc.StatusCode
W = websocket_pb2
EVENT = "cluster-streams-sale"
QUEUE_SECRET = "e2e-queue-secret-0123456789abcdef-xyz"
STOP = admin_pb2.EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS
CATALOG = {"event_id": EVENT, "name": "Cluster streams", "venue": "Hall",
           "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-12-31T00:00:00Z",
           "currency": "KRW",
           "sections": [{"section": "A", "name": "A", "price": 1000,
                         "rows": [{"rows": "1-20", "seats": "1-20"}]}],
           "waiting_room": {"admissions_per_second": 2, "max_active": 1000}}
# How long a killed owner's relayed stream may take to end (the TCP connection closes at once).
OWNER_LOST_WITHIN = 10


class Reader(user_streams_e2e_test.Reader):
    """The user streams' reader, and what a queue stream's end needs."""

    def rest(self, timeout=30):
        """Everything up to the end of the stream."""
        out = []
        while True:
            item = self.items.get(timeout=timeout)
            if item is None:
                return out
            out.append(item)

    def end(self, timeout=30):
        """The stream's status code and error, once it ended; fails if it is open after
        `timeout` s."""
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise AssertionError("the stream is still open after %s s" % timeout)
        return self.call.code(), self.error


def queue_stream(node, token, metadata=()):
    return Reader(websocket_pb2_grpc.WebSocketServiceStub(node.channel()).StreamQueueUpdates(
        W.StreamQueueUpdatesRequest(waiting_token=token), metadata=metadata, timeout=120))


def reservation_stream(node, user):
    return Reader(websocket_pb2_grpc.WebSocketServiceStub(node.channel()).StreamReservationUpdates(
        W.StreamReservationUpdatesRequest(user_id=user, session_id="s"), timeout=120))


def join(node, user):
    """JoinQueue, retried while it is UNAVAILABLE (as a client does): after a pause or a kill the
    group may still be rebalancing when every shard is served again."""
    def attempt():
        try:
            return queue_pb2_grpc.QueueServiceStub(node.channel()).JoinQueue(
                queue_pb2.JoinQueueRequest(event_id=EVENT, user_id=user, session_id="s-" + user),
                timeout=10)
        except grpc.RpcError as e:
            if e.code() != SC.UNAVAILABLE:
                raise
            return None
    return eventually("%s joining" % user, attempt, until=lambda r: r is not None, timeout=30,
                      step=0.2)


def emergency(node, mode="on"):
    """STOP_ADMISSIONS names its event in a parameter, not a routed field: sent to the owner."""
    params = {"event_id": EVENT}
    if mode != "on":
        params["mode"] = mode
    admin_pb2_grpc.AdminServiceStub(node.channel()).EmergencyAction(
        admin_pb2.EmergencyActionRequest(action=STOP, reason="e2e", parameters=params,
                                         confirm=True), timeout=10)


def send_message(node, user, content):
    return websocket_pb2_grpc.WebSocketServiceStub(node.channel()).SendMessage(
        W.SendMessageRequest(target_user_id=user, message_type=W.MESSAGE_TYPE_INFO,
                             content=content), timeout=10)


def subscriber_counts(node):
    prefix = "event %s: " % EVENT
    return [int(e["msg"][len(prefix):].split()[0]) for e in node.log_entries()
            if e["msg"].startswith(prefix) and e["msg"].endswith("queue stream subscriber(s)")]


class ClusterStreams(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.catalog = tempfile.TemporaryDirectory(prefix="tt-cluster-streams-")
        with open(os.path.join(cls.catalog.name, "sale.json"), "w") as f:
            json.dump(CATALOG, f)
        cls.cluster = Cluster(TACOSD, BROKER, cls.catalog.name,
                              flags=("--queue.tick_ms", "20", "--queue.secret", QUEUE_SECRET))
        try:
            cls.cluster.wait_settled()
        except AssertionError:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()
        cls.catalog.cleanup()

    def setUp(self):
        c = self.cluster
        self.owner_index = c.owner_of(shard_of(EVENT))
        self.assertIsNotNone(self.owner_index)
        self.owner = c.nodes[self.owner_index]
        self.others = [n for i, n in enumerate(c.nodes) if i != self.owner_index]

    def test_a_relayed_queue_stream_sees_what_the_owner_sends(self):
        emergency(self.owner)  # the line forms first, then moves at 2 admissions a second
        users = ["line-%s-%d" % (uuid.uuid4().hex[:6], i) for i in range(6)]
        tokens = [join(self.cluster.nodes[i % 3], u).waiting_token for i, u in enumerate(users)]
        trace = "trace-relay-%s" % uuid.uuid4().hex[:8]
        on_owner = queue_stream(self.owner, tokens[-1])
        relayed = [queue_stream(n, tokens[-1], metadata=(("x-trace-id", trace),))
                   for n in self.others]
        firsts = [r.take() for r in [on_owner] + relayed]
        self.assertTrue(all(f.queue_update.position == len(users) for f in firsts), firsts)
        self.assertTrue(all(f.correlation_id == trace for f in firsts[1:]),
                        "the caller's trace id reaches the owner")
        emergency(self.owner, mode="off")
        streams = [on_owner] + relayed
        seen = [[f] + r.rest() for f, r in zip(firsts, streams)]
        for r in streams:
            code, err = r.end()
            self.assertEqual(code, SC.OK, err)
        kinds = [[(u.queue_update.event_type, u.queue_update.position) for u in s] for s in seen]
        self.assertEqual(kinds[0][-1][0], W.QUEUE_EVENT_TYPE_ADMISSION_READY, kinds[0])
        moves = [p for t, p in kinds[0] if t == W.QUEUE_EVENT_TYPE_POSITION_CHANGED]
        self.assertGreaterEqual(len(moves), 3, "positions fell while the streams were open")
        for relayed_kinds in kinds[1:]:
            self.assertEqual(relayed_kinds, kinds[0], "a relayed stream sees the owner's updates")

    def test_cancelling_relayed_streams_ends_them_on_the_owner(self):
        emergency(self.owner)
        token = join(self.others[0], "cancel-%s" % uuid.uuid4().hex[:6]).waiting_token
        before = subscriber_counts(self.owner)[-1:] or [0]
        streams = [queue_stream(self.others[i % 2], token) for i in range(6)]
        for s in streams:
            self.assertGreaterEqual(s.take().queue_update.position, 1)
        eventually("the owner counting the relayed streams", lambda: subscriber_counts(self.owner),
                   until=lambda counts: counts[-1:] == [before[0] + 6], timeout=10)
        for s in streams:
            s.call.cancel()
        eventually("the owner dropping the cancelled streams",
                   lambda: subscriber_counts(self.owner),
                   until=lambda counts: counts[-1:] == before, timeout=10)
        for s in streams:
            self.assertEqual(s.end()[0], SC.CANCELLED)
        emergency(self.owner, mode="off")

    def test_send_message_reaches_the_users_streams_on_every_node(self):
        user = "msg-%s" % uuid.uuid4().hex[:8]
        streams = [reservation_stream(n, user).ready() for n in self.cluster.nodes]
        for s in streams:
            self.addCleanup(s.call.cancel)
        via = self.cluster.nodes[1]
        sent = send_message(via, user, "hello from node-1")
        self.assertTrue(sent.delivered)
        for i, s in enumerate(streams):
            got = s.take()
            self.assertEqual(got.type, W.EVENT_TYPE_MESSAGE, "node-%d" % i)
            self.assertEqual(got.correlation_id, sent.message_id, "node-%d: one message id" % i)
            self.assertEqual(json.loads(got.reservation_update.message)["content"],
                             "hello from node-1")
        # Only on another node: delivered still says yes; nobody anywhere: it says no.
        only_elsewhere = "msg-%s" % uuid.uuid4().hex[:8]
        lone = reservation_stream(self.cluster.nodes[2], only_elsewhere).ready()
        self.addCleanup(lone.call.cancel)
        self.assertTrue(send_message(self.cluster.nodes[0], only_elsewhere, "hi").delivered)
        self.assertEqual(lone.take().type, W.EVENT_TYPE_MESSAGE)
        self.assertFalse(send_message(self.cluster.nodes[0], "msg-nobody", "hi").delivered)

    def test_reservation_streams_work_on_any_node(self):
        user = "res-%s" % uuid.uuid4().hex[:8]
        streams = [reservation_stream(n, user).ready() for n in self.cluster.nodes]
        for s in streams:
            self.addCleanup(s.call.cancel)
        # The queued sale needs an admission: join, wait for it, hold with it, through node-0.
        c = self.cluster.nodes[0]
        token = join(c, user).waiting_token
        admission = eventually("the admission", lambda: self._admit(c, user, token),
                               until=lambda a: a is not None, timeout=20, step=0.05)
        held = reservation_pb2_grpc.ReservationServiceStub(c.channel()).CreateReservation(
            reservation_pb2.CreateReservationRequest(
                event_id=EVENT, user_id=user, quantity=1,
                reservation_token=admission.reservation_token,
                idempotency_key=uuid.uuid4().hex), timeout=10)
        for i, s in enumerate(streams):
            got = s.take()
            self.assertEqual(got.reservation_update.reservation_id, held.reservation_id,
                             "node-%d" % i)
            self.assertEqual(got.reservation_update.event_type, W.RESERVATION_EVENT_TYPE_CREATED)

    @staticmethod
    def _admit(node, user, token):
        try:
            return queue_pb2_grpc.QueueServiceStub(node.channel()).RequestAdmission(
                queue_pb2.RequestAdmissionRequest(waiting_token=token, event_id=EVENT,
                                                  user_id=user), timeout=10)
        except grpc.RpcError as e:
            if e.code() != SC.FAILED_PRECONDITION:
                raise
            return None

    def test_y_a_shard_moving_from_a_paused_owner_ends_a_relayed_stream(self):
        # A paused owner keeps its connections open and sends nothing: only the move of its
        # shard, seen in the group's assignment, can end the relayed stream.
        emergency(self.owner)
        via = self.others[0]
        token = join(via, "pause-%s" % uuid.uuid4().hex[:6]).waiting_token
        stream = queue_stream(via, token)
        self.assertGreaterEqual(stream.take().queue_update.position, 1)
        self.owner.proc.send_signal(signal.SIGSTOP)
        try:
            moved = eventually("a survivor serving the shard", lambda: [
                i for i, n in enumerate(self.cluster.nodes)
                if i != self.owner_index and shard_of(EVENT) in (serving(n) or set())],
                until=bool, timeout=60, step=0.2)
            code, err = stream.end(timeout=10)
            self.assertEqual(code, SC.UNAVAILABLE, err)
            self.assertIn("retry_after_ms", [d.field for d in contract_error(err).details])
            print("shard moved to node-%d; the relayed stream ended %s" % (
                moved[0], contract_error(err).message))
        finally:
            self.owner.proc.send_signal(signal.SIGCONT)
        # Back in the group, the resumed node is given a share of the shards again (a second
        # rebalance, which may move the sale's shard): wait for it, so the next test's owner holds.
        try:
            eventually("the resumed node serving its share again",
                       lambda: self.cluster.settled() and serving(self.owner), timeout=60,
                       step=0.2)
        except AssertionError:
            self.cluster.explain()
            raise

    def test_z_killing_the_owner_ends_a_relayed_stream_unavailable(self):
        emergency(self.owner)  # the entry waits: the stream stays open and quiet
        via = self.others[0]
        token = join(via, "kill-%s" % uuid.uuid4().hex[:6]).waiting_token
        stream = queue_stream(via, token)
        self.assertGreaterEqual(stream.take().queue_update.position, 1)
        killed_at = time.monotonic()
        self.owner.proc.send_signal(signal.SIGKILL)
        self.owner.proc.wait()
        code, err = stream.end(timeout=OWNER_LOST_WITHIN + 5)
        ended_after = time.monotonic() - killed_at
        print("the relayed stream ended %.2f s after the owner's SIGKILL" % ended_after)
        self.assertEqual(code, SC.UNAVAILABLE, err)
        self.assertLess(ended_after, OWNER_LOST_WITHIN)
        error = contract_error(err)
        self.assertEqual(error.code, errors_pb2.ERROR_CODE_UNAVAILABLE)
        self.assertIn("retry_after_ms", [d.field for d in error.details])
        # Reconnecting through the same node follows the shard to a survivor, once it serves.
        again = eventually("the stream reopened on the shard's new owner",
                           lambda: self._reopen(via, token), until=lambda r: r is not None,
                           timeout=60, step=0.5)
        self.addCleanup(again.call.cancel)
        self.assertIsNotNone(self.cluster.owner_of(shard_of(EVENT)))

    @staticmethod
    def _reopen(node, token):
        r = queue_stream(node, token)
        try:
            first = r.take(timeout=10)
        except AssertionError:
            return None
        return r if first.type == W.EVENT_TYPE_QUEUE_UPDATE else None


if __name__ == "__main__":
    unittest.main(verbosity=2)
