"""End to end for issue #28's HTTP/JSON gateway: a real tacosd, called over real HTTP on loopback
(python's http.client, keep-alive included), its catalog in a temporary directory.

A buyer registers, logs in, joins an event's waiting room, polls its status until ready, enters,
holds two seats with the reservation token, creates a payment intent, processes it, and once the
payment settles confirms and reads the reservation (CONFIRMED, an order id); the seat map shows
those seats taken and the buyer's list has the reservation. Then the failures: no token, a
forged or altered one, one expired or for another issuer or audience; another user's reservation
and payment (404 with nothing of them in the body); malformed, mistyped and oversized bodies, a
malformed request line (a clear 4xx, the node still serves); writes without or with a malformed Idempotency-Key; an idempotent
replay (the same reply) and a reused key with another body (409 IDEMPOTENCY_CONFLICT); a taken
username, wrong passwords, unknown and not-ready waiting tokens with the original gateway's
codes; the X-Trace-Id honoured; CORS preflights; the rate limit (429). A second node with small
limits shows the connection cap and the idle and read timeouts."""
import base64
import hashlib
import hmac
import json
import os
import shutil
import socket
import sys
import tempfile
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from http_client import Api, event_doc, new_key  # noqa: E402
from node_process import NodeProcess, eventually  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
ORIGIN = "https://shop.example"
RATE_BURST = 100  # requests a user may make at once; the rate test goes past it
JWT_SECRET = "http-e2e-secret-0123456789abcdef"
FLAGS = ["--queue.tick_ms", "20", "--payment.settle_delay_ms", "100",
         "--auth.jwt_hs256_secret", JWT_SECRET,
         "--http.cors_origins", ORIGIN + ",https://other.example",
         "--http.rate_limit_per_second", "5", "--http.rate_limit_burst", str(RATE_BURST),
         "--http.max_body_bytes", "4096"]


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def hs256(claims, secret=JWT_SECRET):
    """A token signed with the node's key, as the node signs: to give one an expired or foreign
    claim the node itself never issues."""
    signed = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + \
        b64url(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest()
    return signed + "." + b64url(mac)


class HttpGatewayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.catalog = tempfile.mkdtemp(prefix="http-e2e-catalog-")
        events = [event_doc("open-hall"),
                  event_doc("queued-hall", {"admissions_per_second": 200, "max_active": 100}),
                  event_doc("narrow-room", {"admissions_per_second": 200, "max_active": 1})]
        for doc in events:
            with open(os.path.join(cls.catalog, doc["event_id"] + ".json"), "w") as f:
                json.dump(doc, f)
        cls.node = NodeProcess(TACOSD, "--catalog.dir", cls.catalog, *FLAGS).start()
        cls.api = Api(cls.node.http_port)

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        cls.node.stop()
        cls.node.close()
        shutil.rmtree(cls.catalog)

    def register(self, name=None):
        name = name or "u" + uuid.uuid4().hex[:12]
        r = self.api.call("POST", "/api/v1/auth/register",
                          {"username": name, "password": "pw-" + name, "email": name + "@x.io",
                           "display_name": "Buyer " + name})
        self.assertEqual(r.status, 201, r.body)
        return r.body

    def hold(self, token, seats, key=None, event="open-hall", reservation_token=""):
        return self.api.call("POST", "/api/v1/reservations",
                             {"event_id": event, "seat_ids": seats, "quantity": len(seats),
                              "reservation_token": reservation_token},
                             token=token, key=key or new_key())

    def assert_error(self, r, status, code):
        self.assertEqual(r.status, status, r.body)
        self.assertEqual(set(r.body), {"error"})
        self.assertEqual(r.error()["code"], code, r.body)
        self.assertTrue(r.error()["message"])
        self.assertEqual(r.error()["trace_id"], r.header("X-Trace-Id"))

    def test_health_ready_version_and_catalog(self):
        r = self.api.call("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body["status"], "healthy")
        self.assertEqual(r.body["service"], "tacosd")
        self.assertTrue(r.body["timestamp"].endswith("Z"))
        r = self.api.call("GET", "/readyz")
        self.assertEqual((r.status, r.body["status"]), (200, "ready"))
        self.assertEqual(r.body["components"]["storage"], "HEALTHY")
        self.assertTrue(self.api.call("GET", "/version").body["version"])
        events = {e["event_id"]: e for e in self.api.call("GET", "/api/v1/events").body["events"]}
        self.assertEqual(set(events), {"open-hall", "queued-hall", "narrow-room"})
        self.assertFalse(events["open-hall"]["waiting_room"])
        self.assertTrue(events["queued-hall"]["waiting_room"])
        self.assertEqual(events["open-hall"]["total_seats"], 50)
        self.assertEqual(events["open-hall"]["price_tiers"],
                         [{"section": "A", "name": "Floor A", "price": 1000}])
        self.assert_error(self.api.call("GET", "/api/v1/events/nope/seats"), 404, "NOT_FOUND")

    def test_buyer_flow(self):
        user = self.register()
        self.assertEqual(set(user), {"token", "user_id", "username", "display_name", "role",
                                     "expires_in"})
        self.assertEqual((user["role"], user["expires_in"]), ("user", 86400))
        login = self.api.call("POST", "/api/v1/auth/login",
                              {"username": user["username"], "password": "pw-" + user["username"]})
        self.assertEqual(login.status, 200, login.body)
        self.assertEqual(login.body["user_id"], user["user_id"])
        token = login.body["token"]

        joined = self.api.call("POST", "/api/v1/queue/join", {"event_id": "queued-hall"},
                               token=token)
        self.assertEqual(joined.status, 202, joined.body)
        self.assertIn(joined.body["status"], ("waiting", "ready"))  # an empty room admits at once
        if joined.body["status"] == "waiting":
            self.assertGreaterEqual(joined.body["position_hint"], 1)
        wt = joined.body["waiting_token"]
        status = eventually("admission ready", lambda: self.api.call(
            "GET", "/api/v1/queue/status?token=" + wt, token=token).body,
            until=lambda b: b.get("ready_for_entry"))
        self.assertEqual(status["status"], "ready")
        entered = self.api.call("POST", "/api/v1/queue/enter", {"waiting_token": wt}, token=token)
        self.assertEqual(entered.status, 200, entered.body)
        self.assertEqual(entered.body["admission"], "granted")
        self.assertGreater(entered.body["ttl_sec"], 0)

        held = self.hold(token, ["A-1-1", "A-1-2"], event="queued-hall",
                         reservation_token=entered.body["reservation_token"])
        self.assertEqual(held.status, 201, held.body)
        res = held.body
        self.assertEqual((res["status"], res["event_id"], res["user_id"], res["quantity"]),
                         ("HOLD", "queued-hall", user["user_id"], 2))
        self.assertEqual(sorted(res["seat_ids"]), ["A-1-1", "A-1-2"])
        self.assertEqual(res["total_amount"], 2000)
        self.assertTrue(res["hold_expires_at"])
        rid = res["reservation_id"]

        seats = self.api.call("GET", "/api/v1/events/queued-hall/seats").body
        status_of = {s["seat_id"]: s["status"] for sec in seats["sections"]
                     for row in sec["rows"] for s in row["seats"]}
        self.assertEqual((status_of["A-1-1"], status_of["A-1-2"], status_of["A-1-3"]),
                         ("taken", "taken", "available"))

        intent = self.api.call("POST", "/api/v1/payment/intent",
                               {"reservation_id": rid, "amount": 2000, "currency": "KRW"},
                               token=token, key=new_key())
        self.assertEqual(intent.status, 200, intent.body)
        self.assertEqual((intent.body["amount"], intent.body["currency"],
                          intent.body["reservation_id"]), (2000, "KRW", rid))
        pid = intent.body["payment_intent_id"]
        processed = self.api.call("POST", "/api/v1/payments/process",
                                  {"payment_intent_id": pid, "action": "approve"},
                                  token=token, key=new_key())
        self.assertEqual(processed.status, 200, processed.body)
        self.assertEqual(processed.body["payment_intent_id"], pid)
        paid = eventually("the payment settled", lambda: self.api.call(
            "GET", "/api/v1/payment/%s/status" % pid, token=token).body,
            until=lambda b: b.get("status") == "COMPLETED")
        self.assertEqual((paid["reservation_id"], paid["amount"]), (rid, 2000))

        confirmed = self.api.call("POST", "/api/v1/reservations/%s/confirm" % rid,
                                  {"payment_intent_id": pid}, token=token, key=new_key())
        self.assertEqual(confirmed.status, 200, confirmed.body)
        self.assertEqual(confirmed.body["status"], "CONFIRMED")
        self.assertTrue(confirmed.body["order_id"])
        got = self.api.call("GET", "/api/v1/reservations/" + rid, token=token)
        self.assertEqual(got.status, 200, got.body)
        self.assertEqual((got.body["status"], got.body["order_id"], got.body["payment_intent_id"]),
                         ("CONFIRMED", confirmed.body["order_id"], pid))
        mine = self.api.call("GET", "/api/v1/reservations?page_size=10", token=token).body
        self.assertEqual([r["reservation_id"] for r in mine["reservations"]], [rid])

    def test_cancel_and_extend(self):
        token = self.register()["token"]
        rid = self.hold(token, ["A-3-1"]).body["reservation_id"]
        extended = self.api.call("POST", "/api/v1/reservations/%s/extend" % rid,
                                 {"extension_seconds": 10}, token=token, key=new_key())
        self.assertEqual(extended.status, 200, extended.body)
        self.assertTrue(extended.body["extension_allowed"])
        self.assertEqual(extended.body["extended_seconds"], 10)
        cancelled = self.api.call("POST", "/api/v1/reservations/%s/cancel" % rid, {},
                                  token=token, key=new_key())
        self.assertEqual((cancelled.status, cancelled.body["status"]), (200, "CANCELLED"))
        again = self.hold(self.register()["token"], ["A-3-1"])  # the seat is back on sale
        self.assertEqual(again.status, 201, again.body)

    def test_my_reservations_in_pages(self):
        token = self.register()["token"]
        made = {self.hold(token, [seat]).body["reservation_id"] for seat in ("A-5-1", "A-5-2")}
        first = self.api.call("GET", "/api/v1/reservations?page_size=1", token=token).body
        self.assertEqual((len(first["reservations"]), first["has_more"]), (1, True))
        second = self.api.call("GET", "/api/v1/reservations?page_size=1&cursor=" +
                               urllib.parse.quote(first["next_cursor"]), token=token).body
        self.assertEqual(len(second["reservations"]), 1)
        self.assertEqual({r["reservation_id"] for r in first["reservations"] +
                          second["reservations"]}, made)
        held = self.api.call("GET", "/api/v1/reservations?status=hold", token=token).body
        self.assertEqual({r["reservation_id"] for r in held["reservations"]}, made)
        self.assert_error(self.api.call("GET", "/api/v1/reservations?status=nonsense",
                                        token=token), 400, "INVALID_ARGUMENT")

    def test_auth_failures(self):
        owner = self.register()
        rid = self.hold(owner["token"], ["A-2-1"]).body["reservation_id"]
        r = self.api.call("GET", "/api/v1/reservations/" + rid)
        self.assert_error(r, 401, "UNAUTHENTICATED")
        header, payload, _ = owner["token"].split(".")
        forged = header + "." + payload + "." + base64.urlsafe_b64encode(
            b"x" * 32).decode().rstrip("=")
        self.assert_error(self.api.call("GET", "/api/v1/reservations/" + rid, token=forged),
                          401, "UNAUTHENTICATED")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        # A changed claim breaks the signature too.
        altered = header + "." + b64url(json.dumps(dict(claims, sub="someone-else")).encode()) + \
            "." + owner["token"].split(".")[2]
        self.assert_error(self.api.call("GET", "/api/v1/reservations/" + rid, token=altered),
                          401, "UNAUTHENTICATED")
        self.assert_error(self.api.call("GET", "/api/v1/reservations/" + rid,
                                        headers={"Authorization": "Basic abc"}),
                          401, "UNAUTHENTICATED")
        # Under the node's own key, but expired, or for another audience or issuer: refused.
        good = dict(claims)
        self.assertEqual(self.api.call("GET", "/api/v1/reservations/" + rid,
                                       token=hs256(good)).status, 200)  # the control
        for changed in ({"exp": claims["iat"] - 60}, {"aud": "another-api"},
                        {"iss": "someone-else"}):
            self.assert_error(self.api.call("GET", "/api/v1/reservations/" + rid,
                                            token=hs256(dict(good, **changed))),
                              401, "UNAUTHENTICATED")

        intruder = self.register()["token"]
        theirs = self.api.call("GET", "/api/v1/reservations/" + rid, token=intruder)
        self.assert_error(theirs, 404, "NOT_FOUND")
        self.assertNotIn("A-2-1", json.dumps(theirs.body))
        self.assertNotIn(owner["user_id"], json.dumps(theirs.body))
        cancel = self.api.call("POST", "/api/v1/reservations/%s/cancel" % rid, {},
                               token=intruder, key=new_key())
        self.assert_error(cancel, 404, "NOT_FOUND")
        self.assertEqual(self.api.call("GET", "/api/v1/reservations/" + rid,
                                       token=owner["token"]).body["status"], "HOLD")
        intent = self.api.call("POST", "/api/v1/payments/intent",
                               {"reservation_id": rid, "amount": 1000}, token=owner["token"],
                               key=new_key()).body["payment_intent_id"]
        self.assert_error(self.api.call("GET", "/api/v1/payments/%s/status" % intent,
                                        token=intruder), 404, "NOT_FOUND")
        self.assert_error(self.api.call("POST", "/api/v1/payment/process",
                                        {"payment_intent_id": intent, "action": "approve"},
                                        token=intruder, key=new_key()), 404, "NOT_FOUND")
        self.assertEqual(self.api.call("GET", "/api/v1/payment/%s/status" % intent,
                                       token=owner["token"]).body["status"], "PENDING")
        # The user id comes from the token only: one in the body is ignored.
        mine = self.api.call("POST", "/api/v1/reservations",
                             {"event_id": "open-hall", "seat_ids": ["A-2-2"], "quantity": 1,
                              "user_id": owner["user_id"]}, token=intruder, key=new_key())
        self.assertEqual(mine.status, 201, mine.body)
        self.assertNotEqual(mine.body["user_id"], owner["user_id"])

    def test_users(self):
        user = self.register()
        taken = self.api.call("POST", "/api/v1/auth/register",
                              {"username": user["username"].upper(), "password": "another-pw1"})
        self.assert_error(taken, 409, "USERNAME_EXISTS")
        wrong = self.api.call("POST", "/api/v1/auth/login",
                              {"username": user["username"], "password": "not-the-password"})
        self.assert_error(wrong, 401, "INVALID_CREDENTIALS")
        nobody = self.api.call("POST", "/api/v1/auth/login",
                               {"username": "nobody-here", "password": "whatever-pw"})
        self.assert_error(nobody, 401, "INVALID_CREDENTIALS")
        short = self.api.call("POST", "/api/v1/auth/register",
                              {"username": "shorty", "password": "short"})
        self.assert_error(short, 400, "INVALID_ARGUMENT")

    def test_bad_input(self):
        token = self.register()["token"]
        self.assert_error(self.api.call("POST", "/api/v1/reservations", raw=b"{not json",
                                        token=token, key=new_key()), 400, "INVALID_ARGUMENT")
        self.assert_error(self.api.call("POST", "/api/v1/reservations", raw=b"[1, 2]",
                                        token=token, key=new_key()), 400, "INVALID_ARGUMENT")
        self.assert_error(self.api.call("POST", "/api/v1/reservations",
                                        {"event_id": 7, "quantity": 1}, token=token,
                                        key=new_key()), 400, "INVALID_ARGUMENT")
        self.assert_error(self.api.call("POST", "/api/v1/reservations", {"quantity": 1},
                                        token=token, key=new_key()), 400, "INVALID_ARGUMENT")
        self.assert_error(self.hold(token, ["Z-9-9"]), 404, "NOT_FOUND")
        self.assert_error(self.api.call("POST", "/api/v1/reservations",
                                        {"event_id": "open-hall", "quantity": 1}, token=token),
                          400, "IDEMPOTENCY_REQUIRED")
        self.assert_error(self.api.call("POST", "/api/v1/reservations",
                                        {"event_id": "open-hall", "quantity": 1}, token=token,
                                        key="not-a-uuid"), 400, "INVALID_ARGUMENT")
        self.assert_error(self.api.call("GET", "/api/v1/nowhere"), 404, "NOT_FOUND")
        self.assert_error(self.api.call("PUT", "/api/v1/reservations", token=token),
                          400, "METHOD_NOT_ALLOWED")
        big = self.api.call("POST", "/api/v1/reservations",
                            {"event_id": "open-hall", "pad": "x" * 8000}, token=token,
                            key=new_key())
        self.assertEqual(big.status, 413)
        self.assertEqual(big.body["error"]["code"], "INVALID_ARGUMENT")
        self.api.close()  # the server closed it after the 413
        with socket.create_connection(("127.0.0.1", self.node.http_port), timeout=10) as s:
            s.sendall(b"GARBAGE\x01 / NONSENSE\r\n\r\n")
            answer = s.recv(4096).decode(errors="replace")
        self.assertTrue(answer.startswith("HTTP/1.1 400"), answer)
        self.assertEqual(self.api.call("GET", "/healthz").status, 200)

    def test_queue_errors(self):
        first, second = self.register()["token"], self.register()["token"]
        self.assert_error(self.api.call("GET", "/api/v1/queue/status"), 400, "INVALID_ARGUMENT")
        self.assert_error(self.api.call("GET", "/api/v1/queue/status?token=w-nope"),
                          400, "INVALID_ARGUMENT")
        # narrow-room lets one buyer choose at a time: the second waits while the first holds.
        wt1 = self.api.call("POST", "/api/v1/queue/join", {"event_id": "narrow-room"},
                            token=first).body["waiting_token"]
        eventually("the first buyer is ready", lambda: self.api.call(
            "GET", "/api/v1/queue/status?token=" + wt1, token=first).body,
            until=lambda b: b.get("ready_for_entry"))
        self.assertEqual(self.api.call("POST", "/api/v1/queue/enter", {"waiting_token": wt1},
                                       token=first).status, 200)
        unknown = wt1[:-1] + ("0" if wt1[-1] != "0" else "1")
        self.assert_error(self.api.call("GET", "/api/v1/queue/status?token=" + unknown),
                          404, "TOKEN_NOT_FOUND")
        wt2 = self.api.call("POST", "/api/v1/queue/join", {"event_id": "narrow-room"},
                            token=second).body["waiting_token"]
        self.assert_error(self.api.call("POST", "/api/v1/queue/enter", {"waiting_token": wt2},
                                        token=second), 403, "NOT_READY")
        self.assert_error(self.api.call("POST", "/api/v1/queue/enter", {"waiting_token": wt2},
                                        token=first), 403, "FORBIDDEN")
        left = self.api.call("DELETE", "/api/v1/queue/leave?token=" + wt2)
        self.assertEqual((left.status, left.body["status"]), (200, "left"))
        self.assert_error(self.api.call("GET", "/api/v1/queue/status?token=" + wt2),
                          404, "TOKEN_NOT_FOUND")
        # A hold on a queued event without the reservation token is refused.
        self.assert_error(self.hold(first, ["A-1-1"], event="narrow-room"), 403, "FORBIDDEN")

    def test_idempotent_replay_and_conflict(self):
        token = self.register()["token"]
        key = new_key()
        first = self.hold(token, ["A-4-1", "A-4-2"], key=key)
        self.assertEqual(first.status, 201, first.body)
        replay = self.hold(token, ["A-4-1", "A-4-2"], key=key)
        self.assertEqual((replay.status, replay.body), (201, first.body))
        other = self.hold(token, ["A-4-3"], key=key)
        self.assert_error(other, 409, "IDEMPOTENCY_CONFLICT")
        # The key is the caller's: another user's identical request is a request of its own.
        theirs = self.hold(self.register()["token"], ["A-4-1", "A-4-2"], key=key)
        self.assert_error(theirs, 409, "INVENTORY_CONFLICT")

    def test_trace_id_and_cors(self):
        r = self.api.call("GET", "/api/v1/reservations/r-x", headers={"X-Trace-Id": "trace-abc-1"})
        self.assertEqual(r.header("X-Trace-Id"), "trace-abc-1")
        self.assertEqual(r.error()["trace_id"], "trace-abc-1")
        minted = self.api.call("GET", "/healthz")
        self.assertRegex(minted.header("X-Trace-Id"), "^[0-9a-f]{32}$")

        pre = self.api.call("OPTIONS", "/api/v1/reservations",
                            headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                     "Access-Control-Request-Headers": "authorization"})
        self.assertEqual(pre.status, 204)
        self.assertEqual(pre.header("Access-Control-Allow-Origin"), ORIGIN)
        self.assertIn("POST", pre.header("Access-Control-Allow-Methods"))
        self.assertIn("Idempotency-Key", pre.header("Access-Control-Allow-Headers"))
        denied = self.api.call("OPTIONS", "/api/v1/reservations",
                               headers={"Origin": "https://evil.example",
                                        "Access-Control-Request-Method": "POST"})
        self.assertIsNone(denied.header("Access-Control-Allow-Origin"))
        plain = self.api.call("GET", "/healthz", headers={"Origin": ORIGIN})
        self.assertEqual(plain.header("Access-Control-Allow-Origin"), ORIGIN)
        self.assertIsNone(self.api.call("GET", "/healthz", headers={
            "Origin": "https://evil.example"}).header("Access-Control-Allow-Origin"))

    def test_rate_limit(self):
        token = self.register()["token"]
        statuses = [self.api.call("GET", "/api/v1/reservations", token=token).status
                    for _ in range(RATE_BURST + 30)]
        self.assertEqual(statuses[0], 200)
        self.assertIn(429, statuses)
        limited = self.api.call("GET", "/api/v1/reservations", token=token)
        self.assert_error(limited, 429, "RATE_LIMITED")
        # The limit is per user: another user is still served.
        self.assertEqual(self.api.call("GET", "/api/v1/reservations",
                                       token=self.register()["token"]).status, 200)


class HttpLimitsTest(unittest.TestCase):
    """The listener's own limits, on a node with small ones: the connection cap, the idle and read
    timeouts; the node serves on after each."""
    CAP = 3

    @classmethod
    def setUpClass(cls):
        cls.node = NodeProcess(TACOSD, "--catalog.dir", "/nonexistent",
                               "--http.max_connections", str(cls.CAP),
                               "--http.idle_timeout_ms", "300",
                               "--http.read_timeout_ms", "300").start()

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.node.close()

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.node.http_port), timeout=10)
        self.addCleanup(s.close)
        return s

    def healthz_on(self, s):
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        return s.recv(4096).decode(errors="replace")

    def assert_closed_by_server(self, s):
        """recv returns b"" once the server closed (the socket's 10 s timeout bounds the wait)."""
        while True:
            data = s.recv(4096)
            if not data:
                return
            # An answer before the close (a 503, a 400) is fine; the close must follow.

    def test_connection_cap(self):
        held = [self.connect() for _ in range(self.CAP)]
        for s in held:  # served, and counted, before the next one comes
            self.assertTrue(self.healthz_on(s).startswith("HTTP/1.1 200"))
        over = self.connect()
        answer = over.recv(4096).decode(errors="replace")
        self.assertTrue(answer.startswith("HTTP/1.1 503"), answer)
        self.assertIn('"code":"UNAVAILABLE"', answer)
        self.assert_closed_by_server(over)
        for s in held:
            s.close()
        fresh = eventually("a connection under the cap", lambda: self.healthz_on(self.connect()),
                           until=lambda a: a.startswith("HTTP/1.1 200"))
        self.assertIn('"status":"healthy"', fresh)

    def test_idle_and_slow_connections_are_closed(self):
        idle = self.connect()
        self.assertTrue(self.healthz_on(idle).startswith("HTTP/1.1 200"))
        self.assert_closed_by_server(idle)  # kept alive, then idle past http.idle_timeout_ms
        slow = self.connect()
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")  # the headers never end
        self.assert_closed_by_server(slow)
        self.assertTrue(self.healthz_on(self.connect()).startswith("HTTP/1.1 200"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
