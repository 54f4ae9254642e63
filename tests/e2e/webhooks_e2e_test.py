"""End to end for signed webhooks (issue #6): a real tacosd with the embedded Kafka, real gRPC
clients, and a real HTTP receiver (Python's http.server) that checks every signature itself.

Outgoing: a settled payment is POSTed to its intent's webhook_url, signed
"t=<unix s>,v1=hex(HMAC-SHA256(secret, t + '.' + body))"; a failing receiver gets retries; an
endpoint registered through RegisterWebhook gets its events signed with its own secret, and
ValidateWebhook agrees with the receiver; SimulateWebhook re-sends on demand.
Incoming: ReceivePaymentWebhook / ReceiveExpiryWebhook accept a correctly signed webhook and
refuse forged (UNAUTHENTICATED), stale and replayed (FAILED_PRECONDITION) ones, changing nothing.
"""
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import unittest
import uuid

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc  # noqa: E402
from proto.gateway.v1 import webhook_pb2, webhook_pb2_grpc  # noqa: E402
from proto.payment.v1 import payment_pb2, payment_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from node_process import NodeProcess, contract_error, eventually, node_now  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
SECRET = "node-signing-secret-for-tests-0123"
P = payment_pb2
R = reservation_pb2
WH = webhook_pb2
SC = grpc.StatusCode
EVENT = "hook-hall"
EVENT_JSON = ('{"event_id": "%s", "name": "Hooks", "venue": "Hall", "currency": "KRW",'
              ' "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-01-01T00:00:00Z",'
              ' "sections": [{"section": "A", "name": "A", "price": 10000,'
              ' "rows": [{"rows": "1-5", "seats": "1-10"}]}]}' % EVENT)


def key():
    return uuid.uuid4().hex


def signature_ok(secret, header, body, now):
    """The receiver's check: the HMAC matches and the stamp is within 5 minutes of `now`."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    want = hmac.new(secret.encode(), (parts.get("t", "") + ".").encode() + body,
                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, parts.get("v1", "")) and abs(now - int(parts["t"])) < 300


class Receiver:
    """Records every POST; answers 500 to the first `fail_first` POSTs of each path."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts = []
        self.fail_first = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.lock:
                    left = outer.fail_first.get(self.path, 0)
                    outer.posts.append({"path": self.path, "body": body,
                                        "signature": self.headers.get("X-TT-Signature", ""),
                                        "id": self.headers.get("X-TT-Webhook-Id", ""),
                                        "answered": 500 if left else 200})
                    if left:
                        outer.fail_first[self.path] = left - 1
                self.send_response(500 if left else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self, path):
        with self.lock:
            return [p for p in self.posts if p["path"] == path and p["answered"] == 200]

    def attempts(self, path):
        with self.lock:
            return [p for p in self.posts if p["path"] == path]

    def close(self):
        self.server.shutdown()


class WebhookNode(unittest.TestCase):
    """A node signing with SECRET, the event defined, and a receiver (no tests of its own)."""
    @classmethod
    def setUpClass(cls):
        cls.receiver = Receiver()
        cls.node = NodeProcess(TACOSD, "--webhook.signing_secret", SECRET,
                               "--payment.settle_delay_ms", "200", "--catalog.dir",
                               "/nonexistent", "--kafka.retry_backoff_ms", "20").start()
        cls.channel = cls.node.channel()
        admin_pb2_grpc.AdminServiceStub(cls.channel).UpdateConfig(admin_pb2.UpdateConfigRequest(
            config_key="catalog.event", config_value=EVENT_JSON), timeout=10)
        cls.res = reservation_pb2_grpc.ReservationServiceStub(cls.channel)
        cls.pay = payment_pb2_grpc.PaymentServiceStub(cls.channel)
        cls.hooks = webhook_pb2_grpc.WebhookServiceStub(cls.channel)
        cls.seat = 0

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.node.stop()
        cls.node.close()
        cls.receiver.close()

    def intent(self, user, scenario, webhook_url="", process=True):
        type(self).seat += 1
        held = self.res.CreateReservation(R.CreateReservationRequest(
            event_id=EVENT, user_id=user, seat_ids=["A-1-%d" % type(self).seat],
            idempotency_key=key()), timeout=10)
        intent = self.pay.CreatePaymentIntent(P.CreatePaymentIntentRequest(
            reservation_id=held.reservation_id, user_id=user, amount=held.total_amount,
            scenario=scenario, webhook_url=webhook_url, idempotency_key=key()), timeout=10)
        if process:
            self.pay.ProcessPayment(P.ProcessPaymentRequest(
                payment_intent_id=intent.payment_intent_id, idempotency_key=key()), timeout=10)
        return held, intent

    def wait_for(self, what, probe, timeout=15):
        return eventually(what, probe, timeout=timeout)

    def rejected(self, fn, status):
        with self.assertRaises(grpc.RpcError) as cm:
            fn()
        self.assertEqual(cm.exception.code(), status, cm.exception.details())
        return contract_error(cm.exception)


class Webhooks(WebhookNode):
    def test_a_settled_payment_is_posted_signed_and_retried_until_delivered(self):
        path = "/hooks/ann"
        self.receiver.fail_first[path] = 2
        _, intent = self.intent("ann", P.PAYMENT_SCENARIO_APPROVE, self.receiver.url + path)
        got = self.wait_for("the delivery", lambda: self.receiver.delivered(path))[0]
        now = node_now(self.channel)
        self.assertTrue(signature_ok(SECRET, got["signature"], got["body"], now), got)
        self.assertFalse(signature_ok("another-secret-entirely-000", got["signature"], got["body"],
                                      now))
        body = json.loads(got["body"])
        self.assertEqual(body["type"], "payment.completed")
        self.assertEqual(body["data"]["payment_intent_id"], intent.payment_intent_id)
        self.assertEqual(body["data"]["status"], "COMPLETED")
        attempts = self.receiver.attempts(path)
        self.assertEqual(len(attempts), 3, "two refused attempts, then the delivery")
        self.assertEqual(len({a["id"] for a in attempts}), 1, "one webhook id across retries")

    def test_simulate_webhook_resends_and_refuses_what_it_cannot_send(self):
        path = "/hooks/bob"
        _, intent = self.intent("bob", P.PAYMENT_SCENARIO_FAIL, self.receiver.url + path)
        self.wait_for("the failure webhook", lambda: self.receiver.delivered(path))
        err = self.rejected(lambda: self.pay.SimulateWebhook(P.SimulateWebhookRequest(
            payment_intent_id=intent.payment_intent_id,
            target_status=P.PAYMENT_STATUS_COMPLETED), timeout=10), SC.FAILED_PRECONDITION)
        self.assertIn("force_trigger", err.message)
        sent = self.pay.SimulateWebhook(P.SimulateWebhookRequest(
            payment_intent_id=intent.payment_intent_id), timeout=10)
        self.assertTrue(sent.webhook_sent)
        again = self.wait_for("the simulated webhook", lambda: [
            p for p in self.receiver.delivered(path) if p["id"] == sent.webhook_id])[0]
        self.assertTrue(signature_ok(SECRET, again["signature"], again["body"],
                                     node_now(self.channel)))
        self.assertEqual(json.loads(again["body"])["data"]["status"], "FAILED")
        _, bare = self.intent("bob", P.PAYMENT_SCENARIO_APPROVE, process=False)
        self.rejected(lambda: self.pay.SimulateWebhook(P.SimulateWebhookRequest(
            payment_intent_id=bare.payment_intent_id), timeout=10), SC.FAILED_PRECONDITION)

    def test_registered_endpoints_get_their_events_signed_with_their_secret(self):
        path = "/hooks/ops"
        secret = "registered-endpoint-secret-42"
        reg = self.hooks.RegisterWebhook(WH.RegisterWebhookRequest(
            service_name="ops-dashboard", endpoint_url=self.receiver.url + path,
            event_types=[WH.WEBHOOK_EVENT_TYPE_PAYMENT_FAILED], secret=secret), timeout=10)
        self.assertTrue(reg.registered)
        _, intent = self.intent("cat", P.PAYMENT_SCENARIO_FAIL)
        got = self.wait_for("the registered delivery", lambda: [
            p for p in self.receiver.delivered(path)
            if json.loads(p["body"])["data"]["payment_intent_id"] == intent.payment_intent_id])[0]
        self.assertTrue(signature_ok(secret, got["signature"], got["body"],
                                     node_now(self.channel)))
        ok = self.hooks.ValidateWebhook(WH.ValidateWebhookRequest(
            payload=got["body"].decode(), signature=got["signature"], webhook_id=reg.webhook_id),
            timeout=10)
        self.assertTrue(ok.valid, ok.reason)
        tampered = self.hooks.ValidateWebhook(WH.ValidateWebhookRequest(
            payload=got["body"].decode().replace("FAILED", "COMPLETED"),
            signature=got["signature"], webhook_id=reg.webhook_id), timeout=10)
        self.assertFalse(tampered.valid)
        self.rejected(lambda: self.hooks.RegisterWebhook(WH.RegisterWebhookRequest(
            service_name="x", endpoint_url="ftp://nope", event_types=[1], secret=secret),
            timeout=10), SC.INVALID_ARGUMENT)

    def signed_payment_webhook(self, intent, held, secret=SECRET, age=0, webhook_id=None):
        req = WH.ReceivePaymentWebhookRequest(
            webhook_id=webhook_id or key(), event_type=WH.PAYMENT_WEBHOOK_TYPE_APPROVED,
            data=WH.PaymentWebhookData(payment_intent_id=intent.payment_intent_id,
                                       reservation_id=held.reservation_id,
                                       status=WH.PAYMENT_WEBHOOK_STATUS_SUCCESS),
            source="provider")
        req.timestamp.seconds = int(node_now(self.channel)) - age
        body = req.SerializeToString(deterministic=True)
        req.signature = hmac.new(secret.encode(), ("%d." % req.timestamp.seconds).encode() + body,
                                 hashlib.sha256).hexdigest()
        return req

    def test_incoming_webhooks_are_verified_and_change_only_what_the_state_allows(self):
        held, intent = self.intent("dan", P.PAYMENT_SCENARIO_APPROVE, process=False)
        good = self.signed_payment_webhook(intent, held)
        accepted = self.hooks.ReceivePaymentWebhook(good, timeout=10)
        self.assertTrue(accepted.accepted)
        # The webhook claims an approval the intent does not have: nothing changes.
        self.assertIn("no result yet", accepted.next_action)
        self.assertEqual(self.res.GetReservation(R.GetReservationRequest(
            reservation_id=held.reservation_id, user_id="dan"), timeout=10).reservation.status,
            R.RESERVATION_STATUS_HOLD)
        self.rejected(lambda: self.hooks.ReceivePaymentWebhook(good, timeout=10),
                      SC.FAILED_PRECONDITION)  # replayed
        forged = self.signed_payment_webhook(intent, held, secret="not-the-node-secret-0000")
        self.rejected(lambda: self.hooks.ReceivePaymentWebhook(forged, timeout=10),
                      SC.UNAUTHENTICATED)
        stale = self.signed_payment_webhook(intent, held, age=400)
        self.rejected(lambda: self.hooks.ReceivePaymentWebhook(stale, timeout=10),
                      SC.FAILED_PRECONDITION)
        moved = self.signed_payment_webhook(intent, held)
        moved.webhook_id = key()  # a captured signature does not cover another id
        self.rejected(lambda: self.hooks.ReceivePaymentWebhook(moved, timeout=10),
                      SC.UNAUTHENTICATED)
        # An expiry webhook cannot end a hold before its deadline.
        exp = WH.ReceiveExpiryWebhookRequest(webhook_id=key(),
                                             reservation_id=held.reservation_id)
        exp.expired_at.seconds = int(node_now(self.channel))
        sig = hmac.new(SECRET.encode(), ("%d." % exp.expired_at.seconds).encode() +
                       exp.SerializeToString(deterministic=True), hashlib.sha256).hexdigest()
        exp.metadata["signature"] = sig
        self.assertTrue(self.hooks.ReceiveExpiryWebhook(exp, timeout=10).accepted)
        self.assertEqual(self.res.GetReservation(R.GetReservationRequest(
            reservation_id=held.reservation_id, user_id="dan"), timeout=10).reservation.status,
            R.RESERVATION_STATUS_HOLD)
        exp.metadata["signature"] = "0" * 64
        self.rejected(lambda: self.hooks.ReceiveExpiryWebhook(exp, timeout=10),
                      SC.UNAUTHENTICATED)


if __name__ == "__main__":
    unittest.main(verbosity=2)
