"""End to end for the Kafka backbone of issue #6: a standalone broker (tacos-broker), real tacosd
processes using it, real gRPC clients, and kcat reading and writing the topics.

- Lifecycle events of a hold and its confirmation are on the lifecycle topic, readable by kcat;
  an event carries the trace id of the call that caused it, through the worker too.
- A hold nobody pays is EXPIRED by the worker, not before its deadline (the hold's own backstop
  timer is set 60 s later, and the wait ends long before: only the expiry topic can have done it).
- The same payment event delivered three more times (re-produced with kcat) has one effect.
- Bytes that are not an event go to the dead-letter topic with the reason, and GetJobStatus
  shows them.
- WorkerService runs the same effects by hand and reports real counts.
- SIGKILL of the node (its worker) mid-stream, restart: every paid hold CONFIRMED and every
  unpaid one EXPIRED, each exactly once on the lifecycle topic, nothing refunded.
- GetSystemHealth reports Kafka as a dependency: healthy with the broker up, and unhealthy (the
  node with it) once the broker is gone, while the node keeps answering.

Every wait is for a condition (node_process.eventually): a status, a record on a topic, a worker
with nothing in hand; none is a guessed sleep.
"""
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc  # noqa: E402
from proto.payment.v1 import payment_pb2, payment_pb2_grpc  # noqa: E402
from proto.reservation.v1 import inventory_pb2, inventory_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402
from proto.reservation.v1 import worker_pb2, worker_pb2_grpc  # noqa: E402
from proto.tt.internal.v1 import events_pb2  # noqa: E402

from kafka_process import Broker, Kcat  # noqa: E402
from node_process import NodeProcess, eventually  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
BROKER = os.environ["TT_BROKER"]
P = payment_pb2
R = reservation_pb2
W = worker_pb2
EVENT = "kafka-hall"
LIFECYCLE = "tt.reservation.lifecycle"
PAYMENTS = "tt.payment.results"
DEAD = "tt.dead-letters"
EVENT_JSON = ('{"event_id": "%s", "name": "Kafka", "venue": "Hall", "currency": "KRW",'
              ' "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-01-01T00:00:00Z",'
              ' "sections": [{"section": "A", "name": "A", "price": 10000,'
              ' "rows": [{"rows": "1-20", "seats": "1-10"}]}]}' % EVENT)


def key():
    return uuid.uuid4().hex


def flags(bootstrap, hold_seconds):
    return ["--kafka.bootstrap_servers", bootstrap, "--reservation.hold_seconds",
            str(hold_seconds), "--reservation.expiry_backstop_ms", "60000",
            "--payment.settle_delay_ms", "300", "--catalog.dir", "/nonexistent",
            "--kafka.retry_backoff_ms", "50", "--kafka.max_attempts", "3"]


class Client:
    def __init__(self, node):
        self.channel = node.channel()
        self.res = reservation_pb2_grpc.ReservationServiceStub(self.channel)
        self.pay = payment_pb2_grpc.PaymentServiceStub(self.channel)
        self.inv = inventory_pb2_grpc.InventoryServiceStub(self.channel)
        self.worker = worker_pb2_grpc.WorkerServiceStub(self.channel)
        self.admin = admin_pb2_grpc.AdminServiceStub(self.channel)

    def define(self):
        self.admin.UpdateConfig(admin_pb2.UpdateConfigRequest(
            config_key="catalog.event", config_value=EVENT_JSON), timeout=10)

    def hold(self, user, seat):
        return self.res.CreateReservation(R.CreateReservationRequest(
            event_id=EVENT, user_id=user, seat_ids=[seat], idempotency_key=key()), timeout=10)

    def pay_for(self, held, user, scenario=P.PAYMENT_SCENARIO_APPROVE):
        intent = self.pay.CreatePaymentIntent(P.CreatePaymentIntentRequest(
            reservation_id=held.reservation_id, user_id=user, amount=held.total_amount,
            scenario=scenario, idempotency_key=key()), timeout=10)
        self.pay.ProcessPayment(P.ProcessPaymentRequest(
            payment_intent_id=intent.payment_intent_id, idempotency_key=key()), timeout=10)
        return intent

    def status(self, rid, user):
        return self.res.GetReservation(R.GetReservationRequest(
            reservation_id=rid, user_id=user), timeout=10).reservation.status

    def close(self):
        self.channel.close()


def worker_idle(client):
    """True once the worker has no event in hand: none consumed and waiting (for its due time or
    a slot), none running, and no lag on its partitions (reported each second). Its counters
    move no more until new events arrive."""
    m = client.worker.GetJobStatus(W.GetJobStatusRequest(), timeout=10).metrics
    return m.total_events_pending == 0 and m.total_events_processing == 0


def lifecycle_of(kcat, rid):
    """The distinct lifecycle events of one reservation: {event_type: {event ids}}."""
    out = {}
    for r in kcat.records(LIFECYCLE):
        if r["key"] == rid:
            out.setdefault(r["headers"].get("event_type"), set()).add(r["headers"].get("event_id"))
    return out


class BrokerNode(unittest.TestCase):
    """One node on its own broker for the class, with the event defined (no tests of its own)."""
    @classmethod
    def setUpClass(cls):
        cls.broker = Broker(BROKER)
        cls.kcat = Kcat(cls.broker.bootstrap)
        cls.node = NodeProcess(TACOSD, *flags(cls.broker.bootstrap, 2)).start()
        cls.c = Client(cls.node)
        cls.c.define()

    @classmethod
    def tearDownClass(cls):
        cls.c.close()
        cls.node.stop()
        cls.node.close()
        cls.broker.close()


class WorkerPath(BrokerNode):
    def test_lifecycle_events_of_a_confirmed_hold_are_on_the_topic(self):
        held = self.c.hold("ann", "A-1-1")
        self.c.pay_for(held, "ann")
        eventually("confirmation through the worker", lambda: self.c.status(
            held.reservation_id, "ann") == R.RESERVATION_STATUS_CONFIRMED)
        events = eventually("both lifecycle events", lambda: (lambda e: e if {
            "reservation.created", "reservation.confirmed"} <= set(e) else None)(
            lifecycle_of(self.kcat, held.reservation_id)))
        self.assertEqual(len(events["reservation.confirmed"]), 1)
        payments = [r for r in self.kcat.records(PAYMENTS) if r["key"] == held.reservation_id]
        self.assertIn("payment.completed", {r["headers"]["event_type"] for r in payments})

    def test_an_event_carries_the_trace_id_of_the_call_that_caused_it(self):
        trace = uuid.uuid4().hex
        held = self.c.res.CreateReservation(R.CreateReservationRequest(
            event_id=EVENT, user_id="tia", seat_ids=["A-20-10"], idempotency_key=key()),
            metadata=[("x-trace-id", trace)], timeout=10)
        created = eventually("the creation on the lifecycle topic", lambda: [
            r for r in self.kcat.records(LIFECYCLE) if r["key"] == held.reservation_id
            and r["headers"].get("event_type") == "reservation.created"])
        envelope = events_pb2.EventEnvelope()
        envelope.ParseFromString(self.kcat.payload(LIFECYCLE, created[0]["partition"],
                                                   created[0]["offset"]))
        self.assertEqual(envelope.trace_id, trace)
        self.assertEqual(envelope.entity_key, held.reservation_id)
        # The worker's effect carries it on: hold -> expiry event -> worker -> expired event.
        expired = eventually("the expiry on the lifecycle topic", lambda: [
            r for r in self.kcat.records(LIFECYCLE) if r["key"] == held.reservation_id
            and r["headers"].get("event_type") == "reservation.expired"])
        envelope.ParseFromString(self.kcat.payload(LIFECYCLE, expired[0]["partition"],
                                                   expired[0]["offset"]))
        self.assertEqual(envelope.trace_id, trace)

    def test_an_unpaid_hold_expires_through_the_worker(self):
        held = self.c.hold("bob", "A-2-1")
        # Bounded far below the 60 s backstop: an expiry within it is the worker's.
        expired = eventually("the expiry", lambda: self.c.res.GetReservation(
            R.GetReservationRequest(reservation_id=held.reservation_id, user_id="bob"),
            timeout=10).reservation, until=lambda r: r.status == R.RESERVATION_STATUS_EXPIRED,
            timeout=8, step=0.02)
        # Stamped by the node's clock when it expired, which is never before the deadline.
        self.assertGreaterEqual(expired.updated_at.ToMilliseconds(),
                                held.hold_expires_at.ToMilliseconds())
        free = self.c.inv.CheckAvailability(inventory_pb2.CheckAvailabilityRequest(
            event_id=EVENT, seat_ids=["A-2-1"]), timeout=10)
        self.assertEqual([s.id for s in free.available_seats], ["A-2-1"])
        eventually("the expired event", lambda: "reservation.expired" in lifecycle_of(
            self.kcat, held.reservation_id))

    def test_a_payment_event_delivered_three_more_times_has_one_effect(self):
        held = self.c.hold("cat", "A-3-1")
        self.c.pay_for(held, "cat")
        eventually("confirmation", lambda: self.c.status(
            held.reservation_id, "cat") == R.RESERVATION_STATUS_CONFIRMED)
        completed = [r for r in self.kcat.records(PAYMENTS) if r["key"] == held.reservation_id
                     and r["headers"]["event_type"] == "payment.completed"]
        self.assertEqual(len(completed), 1)
        rec = completed[0]
        raw = self.kcat.payload(PAYMENTS, rec["partition"], rec["offset"])
        # The intent's earlier events (pending, processing) and the hold's expiry event are handled
        # and counted before the counts are read, so only the redeliveries can move them.
        eventually("the worker to finish what it has", lambda: worker_idle(self.c))
        before = self.job("payment_result").events_processed
        handled = self.metrics().total_events_completed
        self.kcat.produce(PAYMENTS, held.reservation_id, [raw, raw, raw],
                          ["event_id=" + rec["headers"]["event_id"],
                           "event_type=payment.completed"])
        # The worker handles all three (completed counts duplicates recognised)...
        eventually("the redeliveries to be handled",
                   lambda: self.metrics().total_events_completed >= handled + 3)
        # ...recognises them by event id without asking the reservation again...
        self.assertEqual(self.job("payment_result").events_processed, before,
                         "a redelivered event id must not be applied again")
        # ...and none of them did anything: one confirmation, no refund, the seat still sold.
        events = lifecycle_of(self.kcat, held.reservation_id)
        self.assertEqual(len(events.get("reservation.confirmed", ())), 1, events)
        self.assertNotIn("reservation.refunded", events)
        self.assertEqual(self.c.status(held.reservation_id, "cat"),
                         R.RESERVATION_STATUS_CONFIRMED)

    def test_poison_events_go_to_the_dead_letter_topic(self):
        self.kcat.produce(PAYMENTS, "r-garbage", [b"this is not an event envelope"])
        letters = eventually("the dead letter", lambda: [
            r for r in self.kcat.records(DEAD) if r["key"] == "r-garbage"])
        self.assertIn("not an event envelope", letters[0]["headers"].get("reason", ""))
        jobs = self.c.worker.GetJobStatus(W.GetJobStatusRequest(event_type="dead_letter"),
                                          timeout=10)
        self.assertTrue(any(j.status == W.JOB_INSTANCE_STATUS_FAILED for j in jobs.jobs))
        self.assertGreaterEqual(jobs.metrics.total_events_failed, 1)

    def test_worker_service_runs_the_same_effects_by_hand(self):
        held = self.c.hold("dan", "A-4-1")
        # Before its deadline the expiry has nothing to do.
        early = self.c.worker.ProcessReservationExpiry(W.ProcessReservationExpiryRequest(
            reservation_id=held.reservation_id, event_id=EVENT), timeout=10)
        self.assertEqual(early.status, W.PROCESSING_STATUS_SKIPPED)
        # A claimed approval for an intent that is not approved changes nothing either.
        intent = self.c.pay.CreatePaymentIntent(P.CreatePaymentIntentRequest(
            reservation_id=held.reservation_id, user_id="dan", amount=held.total_amount,
            scenario=P.PAYMENT_SCENARIO_APPROVE, idempotency_key=key()), timeout=10)
        claimed = self.c.worker.ProcessPaymentResult(W.ProcessPaymentResultRequest(
            reservation_id=held.reservation_id, payment_intent_id=intent.payment_intent_id,
            result_type=W.PAYMENT_RESULT_TYPE_APPROVED), timeout=10)
        self.assertEqual(claimed.status, W.PROCESSING_STATUS_SKIPPED)
        self.assertEqual(self.c.status(held.reservation_id, "dan"), R.RESERVATION_STATUS_HOLD)
        released = self.c.worker.ProcessCompensation(W.ProcessCompensationRequest(
            reservation_id=held.reservation_id,
            compensation_type=W.COMPENSATION_TYPE_RELEASE_SEATS), timeout=10)
        self.assertEqual(released.status, W.PROCESSING_STATUS_SUCCESS)
        self.assertEqual(released.actions_taken[0].action_type,
                         W.COMPENSATION_ACTION_TYPE_INVENTORY_RELEASE)
        self.assertEqual(self.c.status(held.reservation_id, "dan"),
                         R.RESERVATION_STATUS_CANCELLED)
        again = self.c.worker.ProcessCompensation(W.ProcessCompensationRequest(
            reservation_id=held.reservation_id,
            compensation_type=W.COMPENSATION_TYPE_RELEASE_SEATS), timeout=10)
        self.assertEqual(again.status, W.PROCESSING_STATUS_SKIPPED)
        health = self.health()
        self.assertEqual(health.status, W.WORKER_STATUS_HEALTHY)
        self.assertGreater(health.processed_events_count, 0)
        self.assertTrue(health.HasField("started_at"))

    def health(self):
        return self.c.worker.HealthCheck(W.HealthCheckRequest(), timeout=10)

    def metrics(self):
        return self.c.worker.GetJobStatus(W.GetJobStatusRequest(), timeout=10).metrics

    def job(self, name):
        jobs = self.c.worker.GetJobStatus(W.GetJobStatusRequest(job_id=name), timeout=10).jobs
        self.assertEqual(len(jobs), 1, jobs)
        return jobs[0]


class WorkerCrash(unittest.TestCase):
    PAID = 20
    UNPAID = 20
    HOLD_SECONDS = 14

    def test_kill_and_restart_mid_stream_loses_nothing_and_applies_nothing_twice(self):
        broker = Broker(BROKER)
        self.addCleanup(broker.close)
        kcat = Kcat(broker.bootstrap)
        node = NodeProcess(TACOSD, *flags(broker.bootstrap, self.HOLD_SECONDS)).start()
        self.addCleanup(node.close)
        c = Client(node)
        c.define()
        seats = ["A-%d-%d" % (row, n) for row in range(1, 21) for n in range(1, 11)]
        paid, unpaid = [], []
        for i in range(self.PAID + self.UNPAID):
            user = "u%02d" % i
            held = c.hold(user, seats[i])
            (paid if i < self.PAID else unpaid).append((held, user))
        for held, user in paid:
            c.pay_for(held, user)
        # Payments settle 300 ms after processing, in the order they were paid: kill once the first
        # is confirmed through the worker, while the others' events are in flight.
        first, first_user = paid[0]
        eventually("the first paid hold confirmed", lambda: c.status(
            first.reservation_id, first_user) == R.RESERVATION_STATUS_CONFIRMED, step=0.005)
        c.close()
        node.proc.kill()
        node.proc.wait()
        again = NodeProcess(TACOSD, *flags(broker.bootstrap, self.HOLD_SECONDS),
                            data_dir=node.data_dir).start(timeout=40)
        self.addCleanup(again.close)
        c = Client(again)
        self.addCleanup(c.close)
        for held, user in paid:
            eventually("paid hold %s confirmed" % held.reservation_id, lambda: c.status(
                held.reservation_id, user) == R.RESERVATION_STATUS_CONFIRMED, timeout=15)
        for held, user in unpaid:
            eventually("unpaid hold %s expired" % held.reservation_id, lambda: c.status(
                held.reservation_id, user) == R.RESERVATION_STATUS_EXPIRED, timeout=25)
        # Every effect exactly once on the lifecycle topic (duplicates republished from the
        # outbox carry the same event id and count once), read once every effect is there and the
        # worker has nothing left that could add one.
        def lifecycle():
            by_key = {}
            for r in kcat.records(LIFECYCLE):
                by_key.setdefault(r["key"], {}).setdefault(
                    r["headers"]["event_type"], set()).add(r["headers"]["event_id"])
            return by_key
        ends = [(held.reservation_id, "reservation.confirmed") for held, _ in paid] + [
            (held.reservation_id, "reservation.expired") for held, _ in unpaid]
        eventually("every effect on the lifecycle topic", lifecycle, until=lambda b: all(
            end in b.get(rid, {}) for rid, end in ends), timeout=15)
        eventually("the worker to finish what it has", lambda: worker_idle(c))
        by_key = lifecycle()
        problems = []
        for group, end in ((paid, "reservation.confirmed"), (unpaid, "reservation.expired")):
            for held, _ in group:
                events = by_key.get(held.reservation_id, {})
                want = {"reservation.created": 1, end: 1}
                got = {t: len(ids) for t, ids in events.items()}
                if got != want:
                    problems.append("%s: %s, expected %s" % (held.reservation_id, got, want))
        self.assertFalse(problems, "\n".join(problems))



class KafkaHealth(unittest.TestCase):
    def kafka_of(self, admin):
        reply = admin.GetSystemHealth(admin_pb2.GetSystemHealthRequest(include_dependencies=True))
        found = [d for d in reply.dependencies if d.name == "kafka"]
        self.assertEqual(len(found), 1)
        return reply, found[0]

    def test_kafka_is_a_dependency_that_turns_unhealthy_when_the_broker_goes(self):
        broker = Broker(BROKER)
        self.addCleanup(broker.close)
        node = NodeProcess(TACOSD, *flags(broker.bootstrap, 60)).start()
        self.addCleanup(node.close)
        channel = node.channel()
        self.addCleanup(channel.close)
        admin = admin_pb2_grpc.AdminServiceStub(channel)
        reply, kafka = self.kafka_of(admin)
        self.assertEqual(kafka.status, admin_pb2.HEALTH_STATUS_HEALTHY)
        self.assertEqual(kafka.endpoint, broker.bootstrap)
        self.assertEqual(reply.overall_status, admin_pb2.SYSTEM_HEALTH_STATUS_HEALTHY)
        broker.close()
        reply, kafka = eventually("Kafka reported unhealthy", lambda: self.kafka_of(admin),
                                  until=lambda got: got[1].status ==
                                  admin_pb2.HEALTH_STATUS_UNHEALTHY, timeout=15, step=0.2)
        self.assertNotEqual(reply.overall_status, admin_pb2.SYSTEM_HEALTH_STATUS_HEALTHY)


if __name__ == "__main__":
    unittest.main(verbosity=2)
