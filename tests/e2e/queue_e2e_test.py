"""End to end for issue #5 (the waiting room): a real tacosd, called through real gRPC.

2,000 users join one event; the inlet admits them at a set rate; every status sweep checks that
the ready users are a prefix of the join order and that waiting positions rise with it (nobody
enters out of order); each admitted user holds a seat with its reservation token; two users who
leave stop counting. Then every way around the queue is tried and must be FORBIDDEN: no token,
a forged one, a reused one, an expired one, another user's, another event's, and ReserveSeat
(which cannot carry a token). Negative control: a node started with
--testing.unsafe_skip_admission_check true lets a tokenless hold through, and the same detector
reports it. Also STOP_ADMISSIONS / its undo, MAINTENANCE_MODE, and ValidateToken (HS256).

A restart keeps the room: 300 users join at once, two are admitted and one of them spends its token,
the node is killed with SIGKILL and restarted on the same data directory, and every acknowledged
join keeps its token and its place in line, the spent token stays spent, the unspent one still
opens a hold. Its negative control, a node started with --testing.unsafe_skip_persistence true,
must lose the joins."""
import base64
import hashlib
import hmac
import json
import os
import signal
import sys
import time
import unittest
import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2  # noqa: E402
from proto.gateway.v1 import gateway_pb2, gateway_pb2_grpc, queue_pb2, queue_pb2_grpc  # noqa: E402
from proto.google.rpc import status_pb2  # noqa: E402
from proto.reservation.v1 import inventory_pb2, inventory_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from node_process import NodeProcess, eventually, node_now  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
SC = grpc.StatusCode
Q = queue_pb2
USERS = 2000
RATE = 250  # admissions per second
TOKEN_TTL = 3  # seconds: short, so the expiry check is quick
JWT_SECRET = "e2e-jwt-secret-0123456789abcdef"
CALL_TIMEOUT = 10
FLAGS = ["--catalog.dir", "/nonexistent", "--queue.tick_ms", "20",
         "--queue.secret", "e2e-queue-secret-0123456789abcdef-xyz",
         "--queue.token_ttl_seconds", str(TOKEN_TTL), "--auth.jwt_hs256_secret", JWT_SECRET]


def event_doc(event_id, rows=40, seats=50, queued=True):
    doc = {"event_id": event_id, "name": "E2E " + event_id, "venue": "Hall",
           "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-12-31T00:00:00Z",
           "currency": "KRW",
           "sections": [{"section": "A", "name": "A", "price": 1000,
                         "rows": [{"rows": "1-%d" % rows, "seats": "1-%d" % seats}]}]}
    if queued:
        doc["waiting_room"] = {"admissions_per_second": RATE, "max_active": USERS * 2}
    return doc


def error_code(exc):
    md = dict(exc.trailing_metadata() or ())
    status = status_pb2.Status.FromString(md["grpc-status-details-bin"])
    err = errors_pb2.Error()
    status.details[0].Unpack(err)
    return err.code


class Client:
    def __init__(self, channel):
        self.channel = channel
        self.queue = queue_pb2_grpc.QueueServiceStub(channel)
        self.reservations = reservation_pb2_grpc.ReservationServiceStub(channel)
        self.inventory = inventory_pb2_grpc.InventoryServiceStub(channel)
        self.admin = admin_pb2_grpc.AdminServiceStub(channel)
        self.gateway = gateway_pb2_grpc.GatewayServiceStub(channel)

    def define(self, doc):
        self.admin.UpdateConfig(admin_pb2.UpdateConfigRequest(
            config_key="catalog.event", config_value=json.dumps(doc), reason="e2e"),
            timeout=CALL_TIMEOUT)

    def join(self, event, user):
        return self.queue.JoinQueue(Q.JoinQueueRequest(event_id=event, user_id=user,
                                                       session_id="s-" + user),
                                    timeout=CALL_TIMEOUT)

    def status(self, token):
        return self.queue.GetQueueStatus(Q.GetQueueStatusRequest(waiting_token=token),
                                         timeout=CALL_TIMEOUT)

    def admit(self, event, user, token):
        return self.queue.RequestAdmission(Q.RequestAdmissionRequest(
            waiting_token=token, event_id=event, user_id=user), timeout=CALL_TIMEOUT)

    def hold(self, event, user, reservation_token, stub=None):
        return (stub or self.reservations).CreateReservation(reservation_pb2.CreateReservationRequest(
            event_id=event, user_id=user, quantity=1, reservation_token=reservation_token,
            idempotency_key=str(uuid.uuid4())), timeout=CALL_TIMEOUT)

    def emergency(self, action, **params):
        return self.admin.EmergencyAction(admin_pb2.EmergencyActionRequest(
            action=action, reason="e2e", parameters=params, confirm=True), timeout=CALL_TIMEOUT)

    def wait_ready(self, event, user, token, seconds=10):
        """The admission (RequestAdmissionResponse), once the inlet has reached `user`."""
        def admission():
            try:
                return self.admit(event, user, token)
            except grpc.RpcError as exc:
                if exc.code() != SC.FAILED_PRECONDITION:
                    raise
                return None
        return eventually("%s admitted" % user, admission, until=lambda a: a is not None,
                          timeout=seconds, step=0.02)


def bypass_findings(client, event, other_event):
    """Every way around the queue that the node let through (empty: the queue holds)."""
    found = []

    def refused(what, fn):
        try:
            fn()
            found.append(what + " got a hold")
        except grpc.RpcError as exc:
            if exc.code() != SC.PERMISSION_DENIED or error_code(exc) != errors_pb2.ERROR_CODE_FORBIDDEN:
                found.append("%s: %s %s" % (what, exc.code(), exc.details()))

    users = ["bypass-%d-%s" % (i, uuid.uuid4().hex[:6]) for i in range(3)]
    admissions = [client.wait_ready(event, u, client.join(event, u).waiting_token) for u in users]
    tokens = [a.reservation_token for a in admissions]
    refused("no token", lambda: client.hold(event, users[0], ""))
    forged = tokens[0][:-2] + ("AA" if not tokens[0].endswith("AA") else "BB")
    refused("a forged token", lambda: client.hold(event, users[0], forged))
    refused("another user's token", lambda: client.hold(event, users[1], tokens[0]))
    refused("another event's token", lambda: client.hold(other_event, users[0], tokens[0]))
    refused("ReserveSeat", lambda: client.inventory.ReserveSeat(inventory_pb2.ReserveSeatRequest(
        event_id=event, user_id=users[0], quantity=1, idempotency_key=str(uuid.uuid4())),
        timeout=CALL_TIMEOUT))
    try:
        client.hold(event, users[0], tokens[0])
        refused("a reused token", lambda: client.hold(event, users[0], tokens[0]))
    except grpc.RpcError as exc:
        found.append("the first use of a token was refused: %s" % exc.details())
    # Expired by the node's clock, which the hold below reads later still.
    expires = admissions[2].valid_until.ToMilliseconds() / 1000
    eventually("the node's clock past the token's expiry", lambda: node_now(client.channel),
               until=lambda now: now >= expires, timeout=TOKEN_TTL + 5)
    refused("an expired token", lambda: client.hold(event, users[2], tokens[2]))
    return found


class QueueE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = NodeProcess(TACOSD, *FLAGS).start()
        cls.channel = cls.node.channel()
        cls.client = Client(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.node.stop()
        cls.node.close()

    def test_2000_users_enter_in_join_order_and_each_holds_with_its_token(self):
        c, event = self.client, "flash-" + uuid.uuid4().hex[:8]
        c.define(event_doc(event))
        users = ["user-%04d" % i for i in range(USERS)]
        # Admissions stopped while the line forms, so the leave checks below are exact.
        stop = admin_pb2.EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS
        c.emergency(stop, event_id=event)
        tokens = [c.join(event, u).waiting_token for u in users]
        self.assertEqual(c.join(event, users[7]).waiting_token, tokens[7], "JoinQueue is idempotent")
        self.assertEqual(c.status(tokens[1501]).position, 1502)
        leavers = {10, 1500}
        for i in leavers:
            c.queue.LeaveQueue(Q.LeaveQueueRequest(waiting_token=tokens[i], reason="e2e"))
        with self.assertRaises(grpc.RpcError) as gone:
            c.status(tokens[10])
        self.assertEqual(gone.exception.code(), SC.NOT_FOUND)
        stats = c.queue.GetQueueStats(Q.GetQueueStatsRequest(event_id=event)).events[0]
        self.assertEqual(stats.total_waiting, USERS - 2, "leavers stop counting")
        self.assertEqual(c.status(tokens[1501]).position, 1500, "positions close up")
        c.emergency(stop, event_id=event, mode="off")

        ready_at, violations, sweeps = {}, [], 0
        # Bounded by time, not by a count of sweeps: with few users left a sweep takes a
        # millisecond, so 200 of them ran out before a loaded node's next tick (seen under
        # ctest -j2: 1997 of 1998 ready).
        deadline = time.monotonic() + 60
        while len(ready_at) < USERS - len(leavers) and time.monotonic() < deadline:
            sweeps += 1
            # Polled last-joined first: admission only moves forward, so anyone polled after a
            # ready user (joined before it) must be ready too, and waiting positions must fall.
            seen_ready, last_position = None, None
            for i in reversed(range(USERS)):
                if i in leavers or i in ready_at:
                    if i in ready_at:
                        seen_ready = i
                    continue
                s = c.status(tokens[i])
                if s.admission_ready:
                    ready_at[i] = sweeps
                    seen_ready = i
                elif seen_ready is not None:
                    violations.append("user %d waits while %d (joined later) is ready" % (i, seen_ready))
                elif last_position is not None and s.position >= last_position:
                    violations.append("user %d at position %d, not ahead of %d" % (i, s.position, last_position))
                else:
                    last_position = s.position
            if violations:
                break
        self.assertEqual(violations, [])
        self.assertEqual(len(ready_at), USERS - len(leavers))
        order = sorted(ready_at, key=lambda i: (ready_at[i], i))
        self.assertEqual(order, sorted(ready_at), "admitted order == join order")
        self.assertGreater(sweeps, 2, "the inlet admits at its rate, not all at once")

        def admit_and_hold(i):
            rt = c.admit(event, users[i], tokens[i]).reservation_token
            return c.hold(event, users[i], rt).reservation_id
        with ThreadPoolExecutor(16) as pool:
            held = list(pool.map(admit_and_hold, order))
        self.assertEqual(len(set(held)), USERS - len(leavers))
        with self.assertRaises(grpc.RpcError) as left:
            c.admit(event, users[10], tokens[10])
        self.assertEqual(left.exception.code(), SC.NOT_FOUND, "a user who left is not admitted")
        stats = c.queue.GetQueueStats(Q.GetQueueStatsRequest()).system
        self.assertGreaterEqual(stats.total_admitted_users, USERS - len(leavers))

    def test_no_way_around_the_queue(self):
        c, event, other = self.client, "gate-" + uuid.uuid4().hex[:8], "gate2-" + uuid.uuid4().hex[:8]
        c.define(event_doc(event, rows=2, seats=10))
        c.define(event_doc(other, rows=2, seats=10))
        self.assertEqual(bypass_findings(c, event, other), [])

    def test_events_without_a_waiting_room_take_holds_without_a_token(self):
        c, event = self.client, "open-" + uuid.uuid4().hex[:8]
        c.define(event_doc(event, rows=1, seats=5, queued=False))
        self.assertTrue(c.hold(event, "anyone", "").reservation_id)

    def test_stop_admissions_until_resumed_and_maintenance_refuses_joins(self):
        c, event = self.client, "stop-" + uuid.uuid4().hex[:8]
        c.define(event_doc(event, rows=1, seats=5))
        stop = admin_pb2.EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS
        self.assertTrue(c.emergency(stop, event_id=event).executed)
        token = c.join(event, "frozen").waiting_token
        # A stopped inlet shows only as nothing happening, so an open room beside it is the clock:
        # its inlet ticks on the same period, and three users each joining once the one before is
        # admitted take three of its ticks, over which the stopped inlet ticks too.
        beside = "open-" + uuid.uuid4().hex[:8]
        c.define(event_doc(beside, rows=1, seats=5))
        for n in range(3):
            who = "beside-%d" % n
            c.wait_ready(beside, who, c.join(beside, who).waiting_token, seconds=3)
        self.assertFalse(c.status(token).admission_ready)
        c.emergency(stop, event_id=event, mode="off")
        self.assertTrue(c.wait_ready(event, "frozen", token, seconds=3))
        maintenance = admin_pb2.EMERGENCY_ACTION_TYPE_MAINTENANCE_MODE
        c.emergency(maintenance)
        try:
            with self.assertRaises(grpc.RpcError) as refused:
                c.join(event, "late")
            self.assertEqual(refused.exception.code(), SC.UNAVAILABLE)
            self.assertIn("maintenance", refused.exception.details())
        finally:
            c.emergency(maintenance, mode="off")
        self.assertTrue(c.join(event, "late").waiting_token)

    def test_validate_token_hs256(self):
        def b64(data):
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        def jwt(claims, secret=JWT_SECRET):
            head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
            body = b64(json.dumps(claims).encode())
            sig = hmac.new(secret.encode(), (head + "." + body).encode(), hashlib.sha256).digest()
            return head + "." + body + "." + b64(sig)
        now = int(node_now(self.channel))
        good = jwt({"sub": "alice", "exp": now + 60, "email": "a@example.com", "scope": "book pay"})
        reply = self.client.gateway.ValidateToken(gateway_pb2.ValidateTokenRequest(
            token=good, required_scope="book"), timeout=CALL_TIMEOUT)
        self.assertTrue(reply.valid)
        self.assertEqual(reply.user.user_id, "alice")
        self.assertEqual(reply.user.email, "a@example.com")
        self.assertEqual(list(reply.scopes), ["book", "pay"])
        for bad in (jwt({"sub": "alice", "exp": now - 120}), jwt({"sub": "a", "exp": now + 60}, "wrong")):
            with self.assertRaises(grpc.RpcError) as refused:
                self.client.gateway.ValidateToken(gateway_pb2.ValidateTokenRequest(token=bad),
                                                  timeout=CALL_TIMEOUT)
            self.assertEqual(refused.exception.code(), SC.UNAUTHENTICATED)


class NegativeControl(unittest.TestCase):
    def test_a_node_without_the_admission_check_is_caught(self):
        node = NodeProcess(TACOSD, *FLAGS, "--testing.unsafe_skip_admission_check", "true").start()
        try:
            with node.channel() as channel:
                c = Client(channel)
                event, other = "unsafe-" + uuid.uuid4().hex[:6], "unsafe2-" + uuid.uuid4().hex[:6]
                c.define(event_doc(event, rows=2, seats=10))
                c.define(event_doc(other, rows=2, seats=10))
                findings = bypass_findings(c, event, other)
                self.assertIn("no token got a hold", findings)
        finally:
            node.stop()
            node.close()


KILL_USERS = 300
# A reservation token that outlives a restart, and an inlet slow enough to leave a line behind.
KILL_FLAGS = [f for f in FLAGS] + ["--queue.token_ttl_seconds", "60"]


def queue_after_kill(test, extra_flags=()):
    """Joins, admits and spends, kills, restarts; returns what no longer matches what was told."""
    node = NodeProcess(TACOSD, *KILL_FLAGS, *extra_flags).start()
    lost = []
    try:
        event = "restart-" + uuid.uuid4().hex[:6]
        users = ["k-%03d" % i for i in range(KILL_USERS)]
        with node.channel() as channel:
            c = Client(channel)
            doc = event_doc(event, rows=2, seats=10)
            doc["waiting_room"] = {"admissions_per_second": 1, "max_active": 2}
            c.define(doc)
            # The first two in line (joined before the crowd) are admitted within two ticks.
            joined = {u: c.join(event, u).waiting_token for u in users[:2]}
            with ThreadPoolExecutor(32) as pool:
                joined.update(zip(users[2:], pool.map(lambda u: c.join(event, u).waiting_token,
                                                      users[2:])))
            spent = c.wait_ready(event, users[0], joined[users[0]], seconds=15).reservation_token
            kept = c.wait_ready(event, users[1], joined[users[1]], seconds=15).reservation_token
            held = c.hold(event, users[0], spent)
            before = {u: c.status(joined[u]) for u in users[2:]}
        node.stop(signal.SIGKILL)
        again = NodeProcess(TACOSD, *KILL_FLAGS, *extra_flags, data_dir=node.data_dir).start()
        try:
            with again.channel() as channel:
                c = Client(channel)
                for u in users:
                    try:
                        if c.join(event, u).waiting_token != joined[u]:
                            lost.append("%s lost its entry: joined again as a new one" % u)
                    except grpc.RpcError as exc:  # the event itself may be gone too
                        lost.append("%s lost its entry: %s" % (u, exc.details()))
                if lost:
                    return lost
                waiting = lambda st: st.status == Q.QUEUE_STATUS_WAITING
                line_before = sorted((u for u in before if waiting(before[u])),
                                     key=lambda u: before[u].position)
                after = {u: c.status(joined[u]) for u in line_before}
                line_after = sorted((u for u in after if waiting(after[u])),
                                    key=lambda u: after[u].position)
                if line_after != line_before[len(line_before) - len(line_after):]:
                    lost.append("the line's order changed across the restart")
                try:
                    c.hold(event, users[0], spent)
                    lost.append("a spent token opened a second hold after the restart")
                except grpc.RpcError as exc:
                    test.assertEqual(exc.code(), SC.PERMISSION_DENIED)
                try:
                    test.assertNotEqual(c.hold(event, users[1], kept).reservation_id,
                                        held.reservation_id)
                except grpc.RpcError as exc:
                    lost.append("an admission granted before the kill was refused: %s" %
                                exc.details())
        finally:
            again.stop()
            again.close()
    finally:
        node.close()
    return lost


class QueueSurvivesKill(unittest.TestCase):
    def test_every_acknowledged_join_admission_and_spent_token_survives_sigkill(self):
        self.assertEqual(queue_after_kill(self), [])

    def test_negative_control_a_node_that_stores_nothing_loses_the_line(self):
        lost = queue_after_kill(self, ["--testing.unsafe_skip_persistence", "true"])
        self.assertTrue(lost and all("lost its entry" in f for f in lost), lost)


if __name__ == "__main__":
    unittest.main(verbosity=2)
