"""End to end for issue #31's metrics: a real tacosd with its /metrics listener, real gRPC
clients and a real Prometheus (Debian's `prometheus`).

A small flash sale goes through the node: holds by quantity (one refused: its seats are taken),
some paid (confirmed when the simulated payment settles), some cancelled, a few buyers in a
waiting room. Then:
- /metrics and GetMetrics both show its numbers: holds created, confirmed and cancelled as
  made, CreateReservation's counts by status code and its latency histogram's count equal to
  the calls made;
- GetMetrics honours service and metric_type, says what it cannot do with a time range, and
  refuses malformed queries;
- Prometheus, scraping the node with ops/monitoring/prometheus.yml, has the same numbers, and
  every query of ops/monitoring/grafana-flash-sale.json returns data through its HTTP API."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request
import uuid

import grpc
import yaml

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from google.protobuf import timestamp_pb2  # noqa: E402
from proto.common.v1 import admin_pb2, admin_pb2_grpc, types_pb2  # noqa: E402
from proto.gateway.v1 import queue_pb2, queue_pb2_grpc  # noqa: E402
from proto.payment.v1 import payment_pb2, payment_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from node_process import NodeProcess, eventually  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROMETHEUS = shutil.which("prometheus")
CALL_TIMEOUT = 10
SALE = "metrics-sale"
QUEUED = "metrics-queued"
HOLDS = 6
PAID = 3
CANCELLED = 2
JOINS = 3
R = reservation_pb2
P = payment_pb2
A = admin_pb2


def event_json(event_id, queued):
    doc = {"event_id": event_id, "name": "Metrics " + event_id, "venue": "Hall",
           "currency": "KRW", "sale_starts_at": "2020-01-01T00:00:00Z",
           "sale_ends_at": "2099-01-01T00:00:00Z",
           "sections": [{"section": "A", "name": "A", "price": 1000,
                         "rows": [{"rows": "1-4", "seats": "1-10"}]}]}
    if queued:
        doc["waiting_room"] = {"admissions_per_second": 5, "max_active": 10}
    return json.dumps(doc)


def key():
    return uuid.uuid4().hex


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_exposition(text):
    """{(name, frozenset(labels)): value} of a Prometheus text exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, value = line.rsplit(" ", 1)
        name, labels = series, frozenset()
        if "{" in series:
            name, rest = series.split("{", 1)
            pairs = [p for p in rest.rstrip("}").split('",') if p]
            labels = frozenset(tuple(p.rstrip('"').split('="', 1)) for p in pairs)
        out[(name, labels)] = float(value)
    return out


def labels(**kv):
    return frozenset(kv.items())


CREATE = dict(service="reservation.v1.ReservationService", method="CreateReservation")


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Class cleanups run even when setUpClass fails half-way: no node is left behind.
        catalog = tempfile.TemporaryDirectory(prefix="tacosd-e2e-catalog-")
        cls.addClassCleanup(catalog.cleanup)
        for event_id, queued in ((SALE, False), (QUEUED, True)):
            with open(os.path.join(catalog.name, event_id + ".json"), "w") as f:
                f.write(event_json(event_id, queued))
        cls.node = NodeProcess(TACOSD, "--catalog.dir", catalog.name, "--metrics.listen",
                               "127.0.0.1:0", "--payment.settle_delay_ms", "100").start()
        cls.addClassCleanup(cls.node.close)
        cls.addClassCleanup(cls.node.stop)
        cls.metrics_port = eventually("the metrics listener's line", cls.metrics_line)
        cls.channel = cls.node.channel()
        cls.addClassCleanup(cls.channel.close)
        cls.admin = admin_pb2_grpc.AdminServiceStub(cls.channel)
        cls.res = reservation_pb2_grpc.ReservationServiceStub(cls.channel)
        cls.pay = payment_pb2_grpc.PaymentServiceStub(cls.channel)
        cls.queue = queue_pb2_grpc.QueueServiceStub(cls.channel)
        cls.sell()

    @classmethod
    def metrics_line(cls):
        for entry in cls.node.log_entries():
            if entry["msg"].startswith("metrics: serving /metrics on port "):
                return int(entry["msg"].rsplit(" ", 1)[1])
        return None

    @classmethod
    def sell(cls):
        """The flash sale: HOLDS holds, one refused hold, PAID paid, CANCELLED cancelled, JOINS
        buyers in line (each asks its status once)."""
        holds = []
        for i in range(HOLDS):
            user = "buyer-%d" % i
            holds.append((user, cls.res.CreateReservation(R.CreateReservationRequest(
                event_id=SALE, user_id=user, quantity=2, idempotency_key=key()),
                timeout=CALL_TIMEOUT)))
        taken = [s.id for s in holds[0][1].reserved_seats]
        cls.refused_code = None
        try:
            cls.res.CreateReservation(R.CreateReservationRequest(
                event_id=SALE, user_id="late", seat_ids=taken, idempotency_key=key()),
                timeout=CALL_TIMEOUT)
        except grpc.RpcError as refused:
            cls.refused_code = refused.code()
        for user, held in holds[:PAID]:
            intent = cls.pay.CreatePaymentIntent(P.CreatePaymentIntentRequest(
                reservation_id=held.reservation_id, user_id=user,
                amount=held.total_amount, method=P.PAYMENT_METHOD_CREDIT_CARD,
                scenario=P.PAYMENT_SCENARIO_APPROVE, idempotency_key=key()),
                timeout=CALL_TIMEOUT)
            cls.pay.ProcessPayment(P.ProcessPaymentRequest(
                payment_intent_id=intent.payment_intent_id, idempotency_key=key()),
                timeout=CALL_TIMEOUT)
        for user, held in holds[PAID:PAID + CANCELLED]:
            cls.res.CancelReservation(R.CancelReservationRequest(
                reservation_id=held.reservation_id, user_id=user, idempotency_key=key()),
                timeout=CALL_TIMEOUT)
        for i in range(JOINS):
            user = "waiting-%d" % i
            joined = cls.queue.JoinQueue(queue_pb2.JoinQueueRequest(
                event_id=QUEUED, user_id=user, session_id="s-" + user), timeout=CALL_TIMEOUT)
            cls.queue.GetQueueStatus(queue_pb2.GetQueueStatusRequest(
                waiting_token=joined.waiting_token), timeout=CALL_TIMEOUT)

    def scrape(self):
        url = "http://127.0.0.1:%d/metrics" % self.metrics_port
        with urllib.request.urlopen(url, timeout=CALL_TIMEOUT) as r:
            self.assertEqual(r.status, 200)
            return parse_exposition(r.read().decode())

    def confirmed_everywhere(self):
        """Waits until the paid holds are confirmed (the payments settle after 100 ms)."""
        eventually("the paid holds confirmed", lambda: self.scrape().get(
            ("tt_events_total", labels(type="reservation.confirmed"))) == PAID)

    def test_seats_and_waiting_rooms_come_from_the_actors(self):
        self.confirmed_everywhere()
        sale, queued = labels(event=SALE), labels(event=QUEUED)
        # 40 seats; two per hold: the paid ones sold, the cancelled ones back, one hold left.
        expected = {("tt_seats_sold", sale): PAID * 2,
                    ("tt_seats_held", sale): (HOLDS - PAID - CANCELLED) * 2,
                    ("tt_seats_available", sale): 40 - (HOLDS - CANCELLED) * 2,
                    ("tt_seats_available", queued): 40,
                    ("tt_queue_waiting", queued): JOINS}
        # The figures are asked for once a second.
        eventually("the actors' figures", lambda: {k: self.scrape().get(k) for k in expected},
                   until=lambda seen: seen == expected)
        m = self.scrape()
        self.assertIn(("tt_queue_admission_rate", queued), m)
        self.assertNotIn(("tt_queue_waiting", sale), m)  # no waiting room there

    def get_metrics(self, **fields):
        return self.admin.GetMetrics(A.GetMetricsRequest(**fields), timeout=CALL_TIMEOUT)

    def test_metrics_endpoint_shows_the_sale(self):
        self.confirmed_everywhere()
        m = self.scrape()
        self.assertEqual(m[("tt_events_total", labels(type="reservation.created"))], HOLDS)
        self.assertEqual(m[("tt_events_total", labels(type="reservation.cancelled"))], CANCELLED)
        self.assertEqual(m[("tt_events_total", labels(type="reservation.expired"))], 0)
        self.assertEqual(self.refused_code, grpc.StatusCode.ABORTED)
        self.assertEqual(m[("tt_rpc_requests_total", labels(code="OK", **CREATE))], HOLDS)
        self.assertEqual(m[("tt_rpc_requests_total", labels(code="ABORTED", **CREATE))], 1)
        self.assertEqual(m[("tt_rpc_latency_seconds_count", labels(**CREATE))], HOLDS + 1)
        self.assertEqual(m[("tt_rpc_latency_seconds_bucket", labels(le="+Inf", **CREATE))],
                         HOLDS + 1)
        self.assertGreater(m[("tt_rpc_latency_seconds_sum", labels(**CREATE))], 0)
        queue = dict(service="gateway.v1.QueueService")
        self.assertEqual(m[("tt_rpc_requests_total",
                            labels(code="OK", method="JoinQueue", **queue))], JOINS)
        self.assertEqual(m[("tt_rpc_latency_seconds_count",
                            labels(method="GetQueueStatus", **queue))], JOINS)
        self.assertGreaterEqual(m[("tt_kafka_produced_total", frozenset())], HOLDS)
        self.assertGreaterEqual(m[("tt_storage_commits_total", frozenset())], HOLDS)
        # Actors' counts: every hold made is kept (the refused one is not), with an actor running
        # or passivated; each write's idempotency record is kept in memory.
        kept = (m[("tt_reservation_actors", labels(state="live"))] +
                m[("tt_reservation_actors", labels(state="passivated"))])
        self.assertEqual(kept, HOLDS)
        self.assertGreaterEqual(m[("tt_idempotency_records", frozenset())], HOLDS)
        # Storage: each group written has a write time and a batch size; the batches hold every
        # commit; synced groups (storage.sync batch) have RocksDB's own fsync timings.
        groups = m[("tt_storage_group_commits_count", frozenset())]
        self.assertGreater(groups, 0)
        self.assertEqual(m[("tt_storage_write_seconds_count", labels(sync="true"))], groups)
        self.assertGreaterEqual(m[("tt_storage_group_commits_sum", frozenset())], groups)
        self.assertGreaterEqual(m[("tt_storage_group_commits_sum", frozenset())], HOLDS)
        self.assertGreater(m[("tt_storage_write_seconds_sum", labels(sync="true"))], 0)
        self.assertGreaterEqual(m[("tt_storage_wal_fsync_seconds_count", frozenset())], groups)
        self.assertGreater(m[("tt_storage_wal_fsync_seconds", labels(quantile="0.99"))], 0)
        self.assertEqual(m[("tt_storage_degraded", frozenset())], 0)
        # Bounded labels: no user or reservation id anywhere.
        for (_, ls) in m:
            for _, value in ls:
                self.assertNotIn("buyer-", value)
                self.assertFalse(value.startswith("r-"), value)

    def test_get_metrics_shows_the_sale_by_service_and_type(self):
        self.confirmed_everywhere()
        reply = self.get_metrics(service="reservation.v1.ReservationService",
                                 metric_type="histogram")
        self.assertTrue(reply.metrics)
        self.assertFalse(reply.HasField("error"))
        for d in reply.metrics:
            self.assertEqual(d.service, "reservation.v1.ReservationService")
            self.assertEqual(d.type, A.METRIC_TYPE_HISTOGRAM)
        by = {(d.name, frozenset(d.labels.items())): d for d in reply.metrics}
        count = by[("tt_rpc_latency_seconds_count", labels(**CREATE))]
        self.assertEqual(count.value, HOLDS + 1)
        p99 = by[("tt_rpc_latency_seconds", labels(quantile="0.99", **CREATE))]
        self.assertGreater(p99.value, 0)
        self.assertEqual(p99.unit, "seconds")
        self.assertEqual(by[("tt_rpc_latency_seconds_bucket", labels(le="+Inf", **CREATE))].value,
                         HOLDS + 1)
        events = self.get_metrics(service="events", metric_type="METRIC_TYPE_COUNTER")
        values = {d.labels["type"]: d.value for d in events.metrics}
        self.assertEqual(values["reservation.created"], HOLDS)
        self.assertEqual(values["reservation.confirmed"], PAID)
        self.assertEqual(values["reservation.cancelled"], CANCELLED)
        self.assertTrue(all(d.type == A.METRIC_TYPE_COUNTER for d in events.metrics))
        calls = self.get_metrics(service="reservation.v1.ReservationService",
                                 metric_type="counter")
        codes = {(d.labels["method"], d.labels["code"]): d.value for d in calls.metrics}
        self.assertEqual(codes[("CreateReservation", "OK")], HOLDS)
        self.assertEqual(codes[("CreateReservation", "ABORTED")], 1)
        self.assertEqual(codes[("CancelReservation", "OK")], CANCELLED)

    def test_get_metrics_says_what_it_cannot_do_with_a_time_range(self):
        now = time.time()
        past_end = timestamp_pb2.Timestamp(seconds=int(now) - 3600)
        old = self.get_metrics(end_time=past_end)
        self.assertEqual(len(old.metrics), 0)
        self.assertIn("current values only", old.error.message)
        self.assertEqual(old.error.details[0].field, "end_time")
        around = self.get_metrics(start_time=timestamp_pb2.Timestamp(seconds=int(now) - 60),
                                  service="events")
        self.assertTrue(around.metrics)
        self.assertIn("as of collected_at", around.error.message)
        self.assertGreaterEqual(around.collected_at.seconds, int(now) - 1)

    def test_get_metrics_refuses_malformed_queries(self):
        for fields, field in (({"metric_type": "rate"}, "metric_type"),
                              ({"aggregation": "avg"}, "aggregation"),
                              ({"start_time": timestamp_pb2.Timestamp(seconds=20),
                                "end_time": timestamp_pb2.Timestamp(seconds=10)}, "start_time")):
            with self.assertRaises(grpc.RpcError) as caught:
                self.get_metrics(**fields)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT, fields)

    @unittest.skipIf(PROMETHEUS is None,
                     "Debian's prometheus binary is not installed (ops/setup.sh installs it)")
    def test_prometheus_scrapes_the_node_and_every_dashboard_query_has_data(self):
        self.confirmed_everywhere()
        with tempfile.TemporaryDirectory(prefix="tt-prometheus-") as tmp:
            with open(os.path.join(REPO, "ops/monitoring/prometheus.yml")) as f:
                config = yaml.safe_load(f)
            config["global"]["scrape_interval"] = "1s"
            job = config["scrape_configs"][0]
            job["static_configs"] = [{"targets": ["127.0.0.1:%d" % self.metrics_port]}]
            path = os.path.join(tmp, "prometheus.yml")
            with open(path, "w") as f:
                yaml.safe_dump(config, f)
            port = free_port()
            with open(os.path.join(tmp, "prometheus.log"), "w+") as log:
                proc = subprocess.Popen([PROMETHEUS, "--config.file=" + path,
                                         "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                                         "--web.listen-address=127.0.0.1:%d" % port],
                                        stdout=log, stderr=subprocess.STDOUT)
                try:
                    self.check_prometheus(port)
                except Exception:
                    log.seek(0)
                    print(log.read()[-4000:], file=sys.stderr)
                    raise
                finally:
                    proc.terminate()
                    proc.wait(timeout=20)

    def check_prometheus(self, port):
        def query(expr):
            url = "http://127.0.0.1:%d/api/v1/query?%s" % (
                port, urllib.parse.urlencode({"query": expr}))
            try:
                with urllib.request.urlopen(url, timeout=CALL_TIMEOUT) as r:
                    body = json.loads(r.read().decode())
            except OSError:
                return None
            self.assertEqual(body["status"], "success", expr)
            return body["data"]["result"]

        created = 'tt_events_total{type="reservation.created"}'
        result = eventually("Prometheus has scraped the node", lambda: query(created),
                            timeout=60, step=0.5)
        self.assertEqual(float(result[0]["value"][1]), HOLDS)
        calls = query('tt_rpc_latency_seconds_count{service="reservation.v1.ReservationService",'
                      'method="CreateReservation"}')
        self.assertEqual(float(calls[0]["value"][1]), HOLDS + 1)
        # A rate needs two samples in its window: wait until the first panel's has them.
        eventually("two scrapes", lambda: query(
            'count_over_time(%s[1m]) >= 2' % created), timeout=30, step=0.5)
        with open(os.path.join(REPO, "ops/monitoring/grafana-flash-sale.json")) as f:
            dashboard = json.load(f)
        exprs = [(p["title"], t["expr"]) for p in dashboard["panels"] for t in p["targets"]]
        self.assertGreaterEqual(len(exprs), 10)
        for title, expr in exprs:
            self.assertTrue(query(expr), "panel %r: no data for %s" % (title, expr))


if __name__ == "__main__":
    unittest.main()
