"""End to end for the payment slice of issue #6: a real tacosd process, called through real gRPC.
Payment intents for held reservations, every simulated scenario (APPROVE, FAIL, DELAY past the
hold's end, RANDOM, TIMEOUT), what each does to the reservation and its seats (confirmed and
sold, failed and released, a late approval refunded), refunds of a confirmed reservation,
idempotent retries, bad input, and a SIGKILL after a payment settled.

The node runs with short simulated delays (settle 200 ms, DELAY 2.5 s), 2 s holds and 3 s intent
lifetimes, so every outcome is reached in seconds; waits poll with a deadline, never sleep blind."""
import os
import sys
import time
import unittest
import uuid

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2, types_pb2  # noqa: E402
from proto.gateway.v1 import gateway_pb2, gateway_pb2_grpc  # noqa: E402
from proto.payment.v1 import payment_pb2, payment_pb2_grpc  # noqa: E402
from proto.reservation.v1 import inventory_pb2, inventory_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from node_process import NodeProcess, contract_error, eventually  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
SC = grpc.StatusCode
E = errors_pb2
P = payment_pb2
R = reservation_pb2
EVENT = "pay-hall"
PRICE = 30000
HOLD_SECONDS = 2
FLAGS = ["--reservation.hold_seconds", str(HOLD_SECONDS), "--reservation.max_extension_seconds",
         "5", "--payment.settle_delay_ms", "200", "--payment.long_delay_ms", "2500",
         "--payment.intent_ttl_seconds", "3", "--catalog.dir", "/nonexistent"]
EVENT_JSON = ('{"event_id": "%s", "name": "Payments", "venue": "Hall", "currency": "KRW",'
              ' "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-01-01T00:00:00Z",'
              ' "sections": [{"section": "A", "name": "A", "price": %d,'
              ' "rows": [{"rows": "1-4", "seats": "1-10"}]}]}' % (EVENT, PRICE))


def key():
    return uuid.uuid4().hex


class Payments(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = NodeProcess(TACOSD, *FLAGS).start()
        cls.connect()
        admin_pb2_grpc.AdminServiceStub(cls.channel).UpdateConfig(admin_pb2.UpdateConfigRequest(
            config_key="catalog.event", config_value=EVENT_JSON), timeout=10)

    @classmethod
    def connect(cls):
        cls.channel = cls.node.channel()
        cls.res = reservation_pb2_grpc.ReservationServiceStub(cls.channel)
        cls.inv = inventory_pb2_grpc.InventoryServiceStub(cls.channel)
        cls.pay = payment_pb2_grpc.PaymentServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.node.stop()
        cls.node.close()

    def hold(self, user, seats):
        return self.res.CreateReservation(R.CreateReservationRequest(
            event_id=EVENT, user_id=user, seat_ids=seats, idempotency_key=key()), timeout=10)

    def intent(self, held, user, scenario, amount=None, k=None):
        return self.pay.CreatePaymentIntent(P.CreatePaymentIntentRequest(
            reservation_id=held.reservation_id, user_id=user, scenario=scenario,
            amount=types_pb2.Money(amount=amount or held.total_amount.amount, currency="KRW"),
            method=P.PAYMENT_METHOD_CREDIT_CARD, idempotency_key=k or key()), timeout=10)

    def process(self, intent_id, k=None):
        return self.pay.ProcessPayment(P.ProcessPaymentRequest(
            payment_intent_id=intent_id, idempotency_key=k or key()), timeout=10)

    def payment(self, intent_id, user):
        return self.pay.GetPaymentStatus(P.GetPaymentStatusRequest(
            payment_intent_id=intent_id, user_id=user), timeout=10).payment

    def reservation(self, rid, user):
        return self.res.GetReservation(R.GetReservationRequest(
            reservation_id=rid, user_id=user), timeout=10).reservation

    def wait_for(self, what, probe, timeout=8):
        return eventually(what, probe, timeout=timeout)

    def free(self, seats):
        got = self.inv.CheckAvailability(inventory_pb2.CheckAvailabilityRequest(
            event_id=EVENT, seat_ids=seats), timeout=10)
        return sorted(s.id for s in got.available_seats) == sorted(seats)

    def assertRejected(self, fn, status, code, field=None):
        with self.assertRaises(grpc.RpcError) as cm:
            fn()
        self.assertEqual(cm.exception.code(), status, cm.exception.details())
        err = contract_error(cm.exception)
        self.assertEqual(err.code, code, err.message)
        if field:
            self.assertEqual(err.details[0].field, field)
        return err

    def test_approve_confirms_the_reservation_and_sells_its_seats(self):
        held = self.hold("ann", ["A-1-1", "A-1-2"])
        # Held just after, never paid: its expiry shows the node is past the first hold's deadline.
        twin = self.hold("ann-twin", ["A-1-3"])
        intent = self.intent(held, "ann", P.PAYMENT_SCENARIO_APPROVE)
        self.assertEqual(intent.status, P.PAYMENT_STATUS_PENDING)
        self.assertTrue(intent.payment_intent_id.startswith("p-"))
        self.assertTrue(intent.client_secret)
        # Not paid yet: confirmation is refused.
        self.assertRejected(lambda: self.res.ConfirmReservation(R.ConfirmReservationRequest(
            reservation_id=held.reservation_id, payment_intent_id=intent.payment_intent_id,
            user_id="ann", idempotency_key=key()), timeout=10),
            SC.FAILED_PRECONDITION, E.ERROR_CODE_PAYMENT_NOT_APPROVED)
        processed = self.process(intent.payment_intent_id)
        self.assertEqual(processed.status, P.PAYMENT_STATUS_PROCESSING)
        self.assertTrue(processed.transaction_id)
        self.wait_for("the payment to complete", lambda: self.payment(
            intent.payment_intent_id, "ann").status == P.PAYMENT_STATUS_COMPLETED)
        r = self.wait_for("the reservation to be confirmed", lambda: (lambda r: r if r.status ==
                          R.RESERVATION_STATUS_CONFIRMED else None)(
            self.reservation(held.reservation_id, "ann")))
        self.assertEqual(r.payment_intent_id, intent.payment_intent_id)
        self.assertTrue(r.order_id.startswith("o-"))
        self.assertEqual({s.status for s in r.seats}, {types_pb2.SEAT_STATUS_SOLD})
        self.assertFalse(self.free(["A-1-1"]))
        # The hold's deadline passing changes nothing now: holds of one event expire in deadline
        # order, so once the twin has, the paid hold's deadline has been handled too.
        self.wait_for("the twin hold to expire", lambda: self.reservation(
            twin.reservation_id, "ann-twin").status == R.RESERVATION_STATUS_EXPIRED)
        self.assertEqual(self.reservation(held.reservation_id, "ann").status,
                         R.RESERVATION_STATUS_CONFIRMED)
        # The client's own ConfirmReservation afterwards gets the confirmation, not an error.
        confirmed = self.res.ConfirmReservation(R.ConfirmReservationRequest(
            reservation_id=held.reservation_id, payment_intent_id=intent.payment_intent_id,
            user_id="ann", idempotency_key=key()), timeout=10)
        self.assertEqual(confirmed.order_id, r.order_id)

    def test_fail_fails_the_reservation_and_releases_its_seats(self):
        held = self.hold("bob", ["A-2-1"])
        intent = self.intent(held, "bob", P.PAYMENT_SCENARIO_FAIL)
        self.process(intent.payment_intent_id)
        p = self.wait_for("the payment to fail", lambda: (lambda p: p if p.status ==
                          P.PAYMENT_STATUS_FAILED else None)(
            self.payment(intent.payment_intent_id, "bob")))
        self.assertFalse(p.result.success)
        self.assertTrue(p.result.failure_reason)
        self.wait_for("the reservation to fail", lambda: self.reservation(
            held.reservation_id, "bob").status == R.RESERVATION_STATUS_FAILED)
        self.assertTrue(self.free(["A-2-1"]))

    def test_a_delayed_approval_after_the_hold_ran_out_is_refunded_never_confirmed(self):
        held = self.hold("cat", ["A-2-5", "A-2-6"])
        intent = self.intent(held, "cat", P.PAYMENT_SCENARIO_DELAY)
        self.process(intent.payment_intent_id)
        self.wait_for("the hold to expire", lambda: self.reservation(
            held.reservation_id, "cat").status == R.RESERVATION_STATUS_EXPIRED)
        # Someone else buys one of the seats meanwhile.
        other = self.hold("dan", ["A-2-5"])
        p = self.wait_for("the late approval to be refunded", lambda: (lambda p: p if p.status ==
                          P.PAYMENT_STATUS_REFUNDED else None)(
            self.payment(intent.payment_intent_id, "cat")))
        self.assertTrue(p.result.success)
        self.assertEqual(self.reservation(held.reservation_id, "cat").status,
                         R.RESERVATION_STATUS_EXPIRED)
        self.assertEqual(self.reservation(other.reservation_id, "dan").status,
                         R.RESERVATION_STATUS_HOLD)

    def test_random_settles_one_way_or_the_other(self):
        held = self.hold("eve", ["A-3-1"])
        intent = self.intent(held, "eve", P.PAYMENT_SCENARIO_RANDOM)
        self.process(intent.payment_intent_id)
        p = self.wait_for("the payment to settle", lambda: (lambda p: p if p.status in (
            P.PAYMENT_STATUS_COMPLETED, P.PAYMENT_STATUS_FAILED) else None)(
            self.payment(intent.payment_intent_id, "eve")))
        want = (R.RESERVATION_STATUS_CONFIRMED if p.status == P.PAYMENT_STATUS_COMPLETED
                else R.RESERVATION_STATUS_FAILED)
        self.wait_for("the reservation to follow", lambda: self.reservation(
            held.reservation_id, "eve").status == want)

    def test_timeout_never_completes_and_the_intent_expires(self):
        held = self.hold("fay", ["A-3-4"])
        intent = self.intent(held, "fay", P.PAYMENT_SCENARIO_TIMEOUT)
        self.process(intent.payment_intent_id)
        self.wait_for("the intent to expire", lambda: self.payment(
            intent.payment_intent_id, "fay").status == P.PAYMENT_STATUS_EXPIRED)
        self.assertEqual(self.reservation(held.reservation_id, "fay").status,
                         R.RESERVATION_STATUS_EXPIRED)
        self.assertTrue(self.free(["A-3-4"]))

    def test_refunding_a_confirmed_reservation_puts_its_seats_back_on_sale(self):
        held = self.hold("gus", ["A-4-1", "A-4-2"])
        intent = self.intent(held, "gus", P.PAYMENT_SCENARIO_APPROVE)
        self.process(intent.payment_intent_id)
        self.wait_for("the reservation to be confirmed", lambda: self.reservation(
            held.reservation_id, "gus").status == R.RESERVATION_STATUS_CONFIRMED)
        k = key()
        refund = self.pay.CancelPayment(P.CancelPaymentRequest(
            payment_intent_id=intent.payment_intent_id, reason="cannot go",
            idempotency_key=k), timeout=10)
        self.assertEqual(refund.status, P.PAYMENT_STATUS_REFUNDED)
        self.assertEqual(refund.refunded_amount.amount, 2 * PRICE)
        self.assertTrue(refund.refund_id)
        again = self.pay.CancelPayment(P.CancelPaymentRequest(
            payment_intent_id=intent.payment_intent_id, reason="cannot go",
            idempotency_key=k), timeout=10)
        self.assertEqual(again.SerializeToString(deterministic=True),
                         refund.SerializeToString(deterministic=True))
        self.wait_for("the reservation to be refunded", lambda: self.reservation(
            held.reservation_id, "gus").status == R.RESERVATION_STATUS_REFUNDED)
        self.assertTrue(self.free(["A-4-1", "A-4-2"]))

    def test_cancelling_an_open_intent(self):
        held = self.hold("hal", ["A-4-5"])
        intent = self.intent(held, "hal", P.PAYMENT_SCENARIO_APPROVE)
        cancelled = self.pay.CancelPayment(P.CancelPaymentRequest(
            payment_intent_id=intent.payment_intent_id, idempotency_key=key()), timeout=10)
        self.assertEqual(cancelled.status, P.PAYMENT_STATUS_CANCELLED)
        self.assertRejected(lambda: self.process(intent.payment_intent_id),
                            SC.FAILED_PRECONDITION, E.ERROR_CODE_FAILED_PRECONDITION)
        self.assertEqual(self.reservation(held.reservation_id, "hal").status,
                         R.RESERVATION_STATUS_HOLD)

    def test_idempotent_intent_and_processing(self):
        held = self.hold("ivy", ["A-4-7"])
        k = key()
        first = self.intent(held, "ivy", P.PAYMENT_SCENARIO_TIMEOUT, k=k)
        again = self.intent(held, "ivy", P.PAYMENT_SCENARIO_TIMEOUT, k=k)
        self.assertEqual(first.payment_intent_id, again.payment_intent_id)
        self.assertRejected(lambda: self.intent(held, "ivy", P.PAYMENT_SCENARIO_APPROVE, k=k),
                            SC.ALREADY_EXISTS, E.ERROR_CODE_IDEMPOTENCY_CONFLICT)
        pk = key()
        p1 = self.process(first.payment_intent_id, pk)
        p2 = self.process(first.payment_intent_id, pk)
        self.assertEqual(p1.transaction_id, p2.transaction_id)

    def test_the_gateway_serves_the_same_payments(self):
        gw = gateway_pb2_grpc.GatewayServiceStub(self.channel)
        held = self.hold("max", ["A-3-9"])
        intent = gw.CreatePaymentIntent(gateway_pb2.CreatePaymentIntentRequest(
            reservation_id=held.reservation_id, user_id="max", amount=held.total_amount,
            scenario=P.PAYMENT_SCENARIO_APPROVE, idempotency_key=key()), timeout=10)
        self.assertEqual(intent.status, P.PAYMENT_STATUS_PENDING)
        self.process(intent.payment_intent_id)
        self.wait_for("the payment to complete, seen through the gateway", lambda: gw.GetPaymentStatus(
            gateway_pb2.GetPaymentStatusRequest(payment_intent_id=intent.payment_intent_id,
                                                user_id="max"), timeout=10).payment.status ==
            P.PAYMENT_STATUS_COMPLETED)
        self.assertRejected(lambda: gw.GetPaymentStatus(gateway_pb2.GetPaymentStatusRequest(
            payment_intent_id=intent.payment_intent_id), timeout=10),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "user_id")

    def test_bad_input_and_strangers(self):
        held = self.hold("jon", ["A-1-9"])
        self.assertRejected(lambda: self.intent(held, "jon", P.PAYMENT_SCENARIO_APPROVE,
                                                amount=PRICE + 1),
                            SC.FAILED_PRECONDITION, E.ERROR_CODE_FAILED_PRECONDITION, "amount")
        self.assertRejected(lambda: self.intent(held, "kim", P.PAYMENT_SCENARIO_APPROVE),
                            SC.PERMISSION_DENIED, E.ERROR_CODE_FORBIDDEN)
        self.assertRejected(lambda: self.pay.CreatePaymentIntent(P.CreatePaymentIntentRequest(
            reservation_id=held.reservation_id, user_id="jon",
            amount=types_pb2.Money(amount=PRICE, currency="KRW")), timeout=10),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_IDEMPOTENCY_REQUIRED, "idempotency_key")
        self.assertRejected(lambda: self.pay.CreatePaymentIntent(P.CreatePaymentIntentRequest(
            reservation_id=held.reservation_id, user_id="jon", scenario=99, idempotency_key=key(),
            amount=types_pb2.Money(amount=PRICE, currency="KRW")), timeout=10),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "scenario")
        self.assertRejected(lambda: self.pay.CreatePaymentIntent(P.CreatePaymentIntentRequest(
            reservation_id="r-0000-nope-01M8R7FGV74C46PM8JNWSEQ3E2", user_id="jon",
            idempotency_key=key(), amount=types_pb2.Money(amount=PRICE, currency="KRW")),
            timeout=10), SC.NOT_FOUND, E.ERROR_CODE_NOT_FOUND)
        self.assertRejected(lambda: self.process("not-an-intent"), SC.INVALID_ARGUMENT,
                            E.ERROR_CODE_INVALID_ARGUMENT, "payment_intent_id")
        intent = self.intent(held, "jon", P.PAYMENT_SCENARIO_TIMEOUT)
        self.assertRejected(lambda: self.payment(intent.payment_intent_id, "kim"),
                            SC.PERMISSION_DENIED, E.ERROR_CODE_FORBIDDEN)
        self.assertRejected(lambda: self.pay.SimulateWebhook(P.SimulateWebhookRequest(
            payment_intent_id=intent.payment_intent_id), timeout=10),
            SC.FAILED_PRECONDITION, E.ERROR_CODE_FAILED_PRECONDITION)  # it has no webhook_url
        self.assertRejected(lambda: self.pay.SimulateWebhook(P.SimulateWebhookRequest(
            payment_intent_id=intent.payment_intent_id, delay_seconds=301), timeout=10),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "delay_seconds")
        self.assertRejected(lambda: self.pay.ListPayments(P.ListPaymentsRequest(
            user_id="jon", pagination=types_pb2.Pagination(cursor="junk")), timeout=10),
            SC.INVALID_ARGUMENT, E.ERROR_CODE_INVALID_ARGUMENT, "pagination.cursor")

    def test_list_payments_pages_a_users_intents_newest_first(self):
        made = []
        for seat in ("A-1-6", "A-1-7", "A-1-8"):
            held = self.hold("lia", [seat])
            made.append(self.intent(held, "lia", P.PAYMENT_SCENARIO_TIMEOUT).payment_intent_id)
            # Distinct creation milliseconds make "newest first" one order: the node stamps them
            # from the system clock this sleep is measured on, so 5 ms apart is certain.
            time.sleep(0.005)
        first = self.pay.ListPayments(P.ListPaymentsRequest(
            user_id="lia", pagination=types_pb2.Pagination(page_size=2)), timeout=10)
        self.assertEqual([p.payment_intent_id for p in first.payments], made[::-1][:2])
        self.assertEqual(first.page_info.total_count, 3)
        self.assertTrue(first.page_info.has_next_page)
        rest = self.pay.ListPayments(P.ListPaymentsRequest(
            user_id="lia", pagination=types_pb2.Pagination(
                page_size=2, cursor=first.page_info.next_cursor)), timeout=10)
        self.assertEqual([p.payment_intent_id for p in rest.payments], made[:1])
        self.assertFalse(rest.page_info.has_next_page)
        none = self.pay.ListPayments(P.ListPaymentsRequest(
            user_id="lia", status=P.PAYMENT_STATUS_COMPLETED), timeout=10)
        self.assertEqual(len(none.payments), 0)
        self.assertEqual(len(self.pay.ListPayments(P.ListPaymentsRequest(user_id="nobody"),
                                                   timeout=10).payments), 0)


class PaymentsAfterACrash(unittest.TestCase):
    def test_a_settled_payment_and_its_confirmation_survive_sigkill(self):
        node = NodeProcess(TACOSD, *FLAGS).start()
        self.addCleanup(node.close)
        with node.channel() as ch:
            admin_pb2_grpc.AdminServiceStub(ch).UpdateConfig(admin_pb2.UpdateConfigRequest(
                config_key="catalog.event", config_value=EVENT_JSON), timeout=10)
            res = reservation_pb2_grpc.ReservationServiceStub(ch)
            pay = payment_pb2_grpc.PaymentServiceStub(ch)
            held = res.CreateReservation(R.CreateReservationRequest(
                event_id=EVENT, user_id="zed", seat_ids=["A-1-5"], idempotency_key=key()),
                timeout=10)
            intent = pay.CreatePaymentIntent(P.CreatePaymentIntentRequest(
                reservation_id=held.reservation_id, user_id="zed",
                amount=held.total_amount, scenario=P.PAYMENT_SCENARIO_APPROVE,
                idempotency_key=key()), timeout=10)
            pay.ProcessPayment(P.ProcessPaymentRequest(
                payment_intent_id=intent.payment_intent_id, idempotency_key=key()), timeout=10)
            eventually("the confirmation", lambda: res.GetReservation(R.GetReservationRequest(
                reservation_id=held.reservation_id, user_id="zed"), timeout=10).reservation.status
                == R.RESERVATION_STATUS_CONFIRMED, timeout=8)
        node.proc.kill()
        node.proc.wait()
        again = NodeProcess(TACOSD, *FLAGS, data_dir=node.data_dir).start()
        self.addCleanup(again.close)
        with again.channel() as ch:
            res = reservation_pb2_grpc.ReservationServiceStub(ch)
            pay = payment_pb2_grpc.PaymentServiceStub(ch)
            inv = inventory_pb2_grpc.InventoryServiceStub(ch)
            r = res.GetReservation(R.GetReservationRequest(
                reservation_id=held.reservation_id, user_id="zed"), timeout=10).reservation
            self.assertEqual(r.status, R.RESERVATION_STATUS_CONFIRMED)
            p = pay.GetPaymentStatus(P.GetPaymentStatusRequest(
                payment_intent_id=intent.payment_intent_id, user_id="zed"), timeout=10).payment
            self.assertEqual(p.status, P.PAYMENT_STATUS_COMPLETED)
            seats = inv.CheckAvailability(inventory_pb2.CheckAvailabilityRequest(
                event_id=EVENT, seat_ids=["A-1-5"]), timeout=10)
            self.assertEqual(list(seats.unavailable_seat_ids), ["A-1-5"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
