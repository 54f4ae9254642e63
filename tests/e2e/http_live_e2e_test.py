"""End to end for issue #28's live updates over WebSocket: a real tacosd, real WebSocket clients
(python3-websocket) on loopback, the catalog in a temporary directory.

- /ws/queue?token= follows a waiting entry: positions, then ADMISSION_READY, then a normal close
  (1000); an unknown token is refused before any upgrade (404 TOKEN_NOT_FOUND).
- /ws/reservations and /ws/payments follow the token's user only (a bearer token as
  ?access_token=, as a 'bearer.<token>' subprotocol beside 'tt.v1', or as the Authorization
  header): the user's hold, cancel, payment; nothing of another user's.
- Refusals: no token, a forged one, an unknown path, a page of a foreign origin, a user stream
  the node refuses (a malformed id to follow): each an HTTP error before any upgrade.
- http.max_websockets caps the open sockets (503 past it), and a closed one frees its place.
- A reader that stops reading is cut off once its bounded queue overflows (after the kernel's
  buffers filled), while a second socket
  of the same user receives every change.
- A node that stops closes its sockets with 1001 (going away)."""
import base64
import http.client
import json
import os
import shutil
import socket
import sys
import tempfile
import unittest
import uuid

import websocket

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from http_client import Api, event_doc, new_key  # noqa: E402
from proto.gateway.v1 import websocket_pb2, websocket_pb2_grpc  # noqa: E402
from node_process import NodeProcess, eventually  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
W = websocket_pb2
FLAGS = ["--queue.tick_ms", "20", "--payment.settle_delay_ms", "100",
         "--http.rate_limit_per_second", "500", "--http.rate_limit_burst", "2000"]


def write_catalog():
    catalog = tempfile.mkdtemp(prefix="http-live-catalog-")
    big = {"rows": "1-20", "seats": "1-20"}
    for doc in [event_doc("open-hall", **big),
                event_doc("queued-hall", {"admissions_per_second": 5, "max_active": 100}, **big),
                event_doc("narrow-room", {"admissions_per_second": 200, "max_active": 1}, **big)]:
        with open(os.path.join(catalog, doc["event_id"] + ".json"), "w") as f:
            json.dump(doc, f)
    return catalog


def receive(ws):
    """The next frame: ("text", parsed JSON) or ("close", code)."""
    opcode, frame = ws.recv_data_frame(control_frame=True)
    if opcode == websocket.ABNF.OPCODE_CLOSE:
        return "close", int.from_bytes(frame.data[:2], "big") if len(frame.data) >= 2 else None
    return "text", json.loads(frame.data)


class LiveUpdatesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Undone last first: the client, the node (stopped, then its files), the catalog.
        cls.catalog = write_catalog()
        cls.addClassCleanup(shutil.rmtree, cls.catalog)
        cls.node = NodeProcess(TACOSD, "--catalog.dir", cls.catalog, *FLAGS)
        cls.addClassCleanup(cls.node.close)
        cls.addClassCleanup(cls.node.stop)
        cls.node.start()
        cls.api = Api(cls.node.http_port)
        cls.addClassCleanup(cls.api.close)
        cls.base = "ws://127.0.0.1:%d" % cls.node.http_port

    def register(self):
        name = "u" + uuid.uuid4().hex[:12]
        r = self.api.call("POST", "/api/v1/auth/register",
                          {"username": name, "password": "pw-" + name, "email": name + "@x.io",
                           "display_name": name})
        self.assertEqual(r.status, 201, r.body)
        return r.body

    def connect(self, path, **kw):
        ws = websocket.create_connection(self.base + path, timeout=10, **kw)
        self.addCleanup(ws.close)
        return ws

    def upgrade_refused(self, path, headers=None):
        """An upgrade request over plain http.client, to read the refusal's status and body."""
        conn = http.client.HTTPConnection("127.0.0.1", self.node.http_port, timeout=10)
        h = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
             "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()}
        h.update(headers or {})
        conn.request("GET", path, headers=h)
        r = conn.getresponse()
        body = json.loads(r.read() or b"null")
        trace = r.getheader("X-Trace-Id")
        conn.close()
        return r.status, body, trace

    def hold(self, token, seats, event="open-hall"):
        r = self.api.call("POST", "/api/v1/reservations",
                          {"event_id": event, "seat_ids": seats, "quantity": len(seats)},
                          token=token, key=new_key())
        self.assertEqual(r.status, 201, r.body)
        return r.body["reservation_id"]

    def cancel(self, token, rid):
        r = self.api.call("POST", "/api/v1/reservations/%s/cancel" % rid, {}, token=token,
                          key=new_key())
        self.assertEqual(r.status, 200, r.body)

    def test_queue_positions_then_ready_then_normal_close(self):
        user = self.register()
        joined = self.api.call("POST", "/api/v1/queue/join", {"event_id": "queued-hall"},
                               token=user["token"])
        self.assertEqual(joined.status, 202, joined.body)
        ws = self.connect("/ws/queue?token=" + joined.body["waiting_token"])
        updates = []
        while True:
            kind, value = receive(ws)
            if kind == "close":
                self.assertEqual(value, 1000)
                break
            self.assertEqual(value["type"], "EVENT_TYPE_QUEUE_UPDATE")
            updates.append(value["queue_update"])
        self.assertTrue(updates)
        self.assertEqual(updates[-1]["event_type"], "QUEUE_EVENT_TYPE_ADMISSION_READY")
        self.assertTrue(updates[-1]["admission_ready"])
        self.assertEqual({u["waiting_token"] for u in updates}, {joined.body["waiting_token"]})
        entered = self.api.call("POST", "/api/v1/queue/enter",
                                {"waiting_token": joined.body["waiting_token"]},
                                token=user["token"])
        self.assertEqual(entered.status, 200, entered.body)

    def test_queue_socket_shows_a_waiting_position(self):
        first, second = self.register(), self.register()
        a = self.api.call("POST", "/api/v1/queue/join", {"event_id": "narrow-room"},
                          token=first["token"]).body
        eventually("the first admitted", lambda: self.api.call(
            "GET", "/api/v1/queue/status?token=" + a["waiting_token"]).body["ready_for_entry"])
        self.assertEqual(self.api.call("POST", "/api/v1/queue/enter",
                                       {"waiting_token": a["waiting_token"]},
                                       token=first["token"]).status, 200)
        b = self.api.call("POST", "/api/v1/queue/join", {"event_id": "narrow-room"},
                          token=second["token"]).body
        ws = self.connect("/ws/queue?token=" + b["waiting_token"])
        kind, value = receive(ws)
        self.assertEqual(kind, "text")
        u = value["queue_update"]
        self.assertEqual(u["event_type"], "QUEUE_EVENT_TYPE_POSITION_CHANGED")
        self.assertGreaterEqual(u["position"], 1)
        self.assertFalse(u["admission_ready"])
        self.assertTrue(u["expires_at"])

    def test_unknown_waiting_token_is_refused_before_any_upgrade(self):
        user = self.register()
        wt = self.api.call("POST", "/api/v1/queue/join", {"event_id": "queued-hall"},
                           token=user["token"]).body["waiting_token"]
        unknown = wt[:-1] + ("0" if wt[-1] != "0" else "1")
        status, body, trace = self.upgrade_refused("/ws/queue?token=" + unknown,
                                                   {"X-Trace-Id": "trace-ws-unknown-1"})
        self.assertEqual(status, 404, body)
        self.assertEqual(body["error"]["code"], "TOKEN_NOT_FOUND")
        self.assertEqual((body["error"]["trace_id"], trace), ("trace-ws-unknown-1",) * 2)
        status, body, _ = self.upgrade_refused("/ws/queue")
        self.assertEqual((status, body["error"]["code"]), (400, "INVALID_ARGUMENT"))

    def test_reservation_socket_follows_the_tokens_user_only(self):
        me, other = self.register(), self.register()
        ws = self.connect("/ws/reservations?access_token=" + me["token"])
        self.hold(other["token"], ["A-2-1"])  # another user's: never on my socket
        rid = self.hold(me["token"], ["A-2-2", "A-2-3"])
        kind, value = receive(ws)
        self.assertEqual(kind, "text", value)
        self.assertEqual(value["type"], "EVENT_TYPE_RESERVATION_UPDATE")
        u = value["reservation_update"]
        self.assertEqual((u["reservation_id"], u["new_status"], u["event_type"]),
                         (rid, "RESERVATION_STATUS_HOLD", "RESERVATION_EVENT_TYPE_CREATED"))
        self.assertTrue(u["hold_expires_at"])
        self.cancel(me["token"], rid)
        kind, value = receive(ws)
        u = value["reservation_update"]
        self.assertEqual((u["reservation_id"], u["new_status"]),
                         (rid, "RESERVATION_STATUS_CANCELLED"))

    def test_payment_socket_with_the_token_as_a_subprotocol(self):
        me = self.register()
        ws = self.connect("/ws/payments", subprotocols=["tt.v1", "bearer." + me["token"]])
        self.assertEqual(ws.getsubprotocol(), "tt.v1")
        rid = self.hold(me["token"], ["A-3-1"])
        intent = self.api.call("POST", "/api/v1/payment/intent",
                               {"reservation_id": rid, "amount": 1000, "currency": "KRW"},
                               token=me["token"], key=new_key())
        self.assertEqual(intent.status, 200, intent.body)
        pid = intent.body["payment_intent_id"]
        processed = self.api.call("POST", "/api/v1/payment/process",
                                  {"payment_intent_id": pid, "action": "approve"},
                                  token=me["token"], key=new_key())
        self.assertEqual(processed.status, 200, processed.body)
        seen = []
        while not seen or seen[-1]["new_status"] != "PAYMENT_STATUS_COMPLETED":
            kind, value = receive(ws)
            self.assertEqual(kind, "text", value)
            self.assertEqual(value["type"], "EVENT_TYPE_PAYMENT_UPDATE")
            seen.append(value["payment_update"])
        self.assertEqual({u["payment_intent_id"] for u in seen}, {pid})

    def test_the_authorization_header_also_works(self):
        me = self.register()
        ws = self.connect("/ws/reservations", header=["Authorization: Bearer " + me["token"]])
        rid = self.hold(me["token"], ["A-4-1"])
        self.assertEqual(receive(ws)[1]["reservation_update"]["reservation_id"], rid)

    def test_refusals(self):
        status, body, _ = self.upgrade_refused("/ws/reservations")
        self.assertEqual((status, body["error"]["code"]), (401, "UNAUTHENTICATED"))
        me = self.register()
        forged = me["token"][:-4] + ("AAAA" if not me["token"].endswith("AAAA") else "BBBB")
        status, body, _ = self.upgrade_refused("/ws/payments?access_token=" + forged)
        self.assertEqual((status, body["error"]["code"]), (401, "UNAUTHENTICATED"))
        status, body, _ = self.upgrade_refused("/ws/nothing?access_token=" + me["token"])
        self.assertEqual((status, body["error"]["code"]), (404, "NOT_FOUND"))
        status, body, _ = self.upgrade_refused("/ws/reservations?access_token=" + me["token"],
                                               {"Origin": "https://evil.example"})
        self.assertEqual((status, body["error"]["code"]), (403, "FORBIDDEN"))
        with self.assertRaises(websocket.WebSocketBadStatusException) as raised:
            websocket.create_connection(self.base + "/ws/reservations", timeout=10)
        self.assertEqual(raised.exception.status_code, 401)
        self.assertEqual(self.api.call("GET", "/healthz").status, 200)

    def test_a_refused_user_stream_is_an_http_error_before_any_upgrade(self):
        me = self.register()
        for path in ["/ws/reservations?reservation_ids=%s&access_token=" % ("r" * 200),
                     "/ws/payments?session_id=%s&access_token=" % ("s" * 300)]:
            status, body, trace = self.upgrade_refused(path + me["token"],
                                                       {"X-Trace-Id": "trace-ws-refused-1"})
            self.assertEqual((status, body["error"]["code"]), (400, "INVALID_ARGUMENT"), path)
            self.assertEqual((body["error"]["trace_id"], trace), ("trace-ws-refused-1",) * 2)
        # The same user's well-formed socket still opens and follows its holds.
        ws = self.connect("/ws/reservations?access_token=" + me["token"])
        rid = self.hold(me["token"], ["A-5-1"])
        self.assertEqual(receive(ws)[1]["reservation_update"]["reservation_id"], rid)

    def test_a_reader_that_stops_is_cut_off_and_the_others_get_everything(self):
        me = self.register()
        tiny = [(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)]
        stalled = self.connect("/ws/reservations?access_token=" + me["token"], sockopt=tiny)
        reader = self.connect("/ws/reservations?access_token=" + me["token"])
        stub = websocket_pb2_grpc.WebSocketServiceStub(self.node.channel())
        # Messages to the user of ~4 KiB each: enough of them to fill the kernel's buffers of
        # the stalled socket (a few MiB on loopback), then its queue (streams.max_pending_updates,
        # 64) overflows.
        sent = 0
        for batch in range(100):
            for _ in range(20):
                r = stub.SendMessage(W.SendMessageRequest(
                    target_user_id=me["user_id"], message_type=W.MESSAGE_TYPE_INFO,
                    priority=W.MESSAGE_PRIORITY_NORMAL, title="n%d" % sent,
                    content="x" * 4000), timeout=10)
                self.assertTrue(r.delivered, sent)
                sent += 1
            for _ in range(20):  # the reading socket keeps up with every message
                kind, value = receive(reader)
                self.assertEqual(kind, "text", value)
                self.assertEqual(value["type"], "EVENT_TYPE_MESSAGE")
        received = 0
        with self.assertRaises((websocket.WebSocketConnectionClosedException,
                                ConnectionResetError, websocket.WebSocketProtocolException)):
            while True:
                kind, _ = receive(stalled)
                self.assertEqual(kind, "text")
                received += 1
        self.assertLess(received, sent)


class SocketCapTest(unittest.TestCase):
    def test_http_max_websockets_caps_the_open_sockets(self):
        catalog = write_catalog()
        self.addCleanup(shutil.rmtree, catalog)
        node = NodeProcess(TACOSD, "--catalog.dir", catalog, "--http.max_websockets", "2",
                           *FLAGS).start()
        self.addCleanup(node.close)
        self.addCleanup(node.stop)
        api = Api(node.http_port)
        self.addCleanup(api.close)
        name = "u" + uuid.uuid4().hex[:12]
        token = api.call("POST", "/api/v1/auth/register",
                         {"username": name, "password": "pw-" + name, "email": name + "@x.io",
                          "display_name": name}).body["token"]
        url = "ws://127.0.0.1:%d/ws/reservations?access_token=%s" % (node.http_port, token)
        first = websocket.create_connection(url, timeout=10)
        self.addCleanup(first.close)
        second = websocket.create_connection(url, timeout=10)
        self.addCleanup(second.close)
        with self.assertRaises(websocket.WebSocketBadStatusException) as raised:
            websocket.create_connection(url, timeout=10)
        self.assertEqual(raised.exception.status_code, 503)
        # Plain HTTP is not counted against the sockets' cap.
        self.assertEqual(api.call("GET", "/healthz").status, 200)
        first.close()

        def third_opens():
            try:
                websocket.create_connection(url, timeout=10).close()
                return True
            except websocket.WebSocketBadStatusException:
                return False
        eventually("a closed socket's place taken again", third_opens)


class ShutdownTest(unittest.TestCase):
    def test_a_stopping_node_closes_its_sockets_going_away(self):
        catalog = write_catalog()
        self.addCleanup(shutil.rmtree, catalog)
        node = NodeProcess(TACOSD, "--catalog.dir", catalog, *FLAGS).start()
        self.addCleanup(node.close)
        api = Api(node.http_port)
        self.addCleanup(api.close)
        users = []
        for _ in range(2):
            name = "u" + uuid.uuid4().hex[:12]
            users.append(api.call("POST", "/api/v1/auth/register",
                                  {"username": name, "password": "pw-" + name,
                                   "email": name + "@x.io", "display_name": name}).body)
        a = api.call("POST", "/api/v1/queue/join", {"event_id": "narrow-room"},
                     token=users[0]["token"]).body
        eventually("the first admitted", lambda: api.call(
            "GET", "/api/v1/queue/status?token=" + a["waiting_token"]).body["ready_for_entry"])
        api.call("POST", "/api/v1/queue/enter", {"waiting_token": a["waiting_token"]},
                 token=users[0]["token"])
        b = api.call("POST", "/api/v1/queue/join", {"event_id": "narrow-room"},
                     token=users[1]["token"]).body
        base = "ws://127.0.0.1:%d" % node.http_port
        queue = websocket.create_connection(base + "/ws/queue?token=" + b["waiting_token"],
                                            timeout=10)
        self.addCleanup(queue.close)
        mine = websocket.create_connection(
            base + "/ws/reservations?access_token=" + users[1]["token"], timeout=10)
        self.addCleanup(mine.close)
        self.assertEqual(receive(queue)[0], "text")  # the waiting position
        self.assertEqual(node.stop(), 0)
        self.assertEqual(receive(queue), ("close", 1001))
        self.assertEqual(receive(mine), ("close", 1001))


if __name__ == "__main__":
    unittest.main(verbosity=2)
