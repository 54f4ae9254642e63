#!/usr/bin/python3
"""HTTP beside gRPC, one run (issue #28's target: the HTTP path >= 0.5 x the gRPC path's rate).

Starts a tacosd on loopback and drives the same calls through the HTTP gateway (HTTP/1.1,
keep-alive) and through gRPC (HTTP/2) with h2load, one after the other in this one run, with the
same number of requests in flight (64: 64 HTTP/1.1 connections; 4 gRPC connections x 16 streams).
Per case: requests/s, p50 and p99 latency (from h2load's per-request log), and the ratio.

The cases repeat one request, as h2load can only send one body: GetQueueStatus of one waiting
entry (a read), JoinQueue of one user (the rejoin: the entry exists), and CreateReservation
replayed under one idempotency key (the stored reply). So they measure each path's edge, routing,
idempotency lookup and the actor's answer, not fresh holds (ops/bench/run.sh measures those over
gRPC with tt_loadgen, which mints a key per call). Usage, from the repository root after building
tacosd:

    /usr/bin/python3 ops/bench/http_ratio.py [--duration 10] [--build build]
"""
import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IN_FLIGHT = 64


def event_doc(event_id, room):
    doc = {"event_id": event_id, "name": "bench", "venue": "Hall",
           "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-12-31T00:00:00Z",
           "currency": "KRW",
           "sections": [{"section": "A", "name": "A", "price": 1000,
                         "rows": [{"rows": "1-10", "seats": "1-10"}]}]}
    if room:
        doc["waiting_room"] = {"admissions_per_second": 1000, "max_active": 100000}
    return doc


def h2load(args, url, extra, log):
    """One h2load run: (requests/s, p50 ms, p99 ms, errors)."""
    cmd = ["h2load", "-D", str(args.duration), "--warm-up-time", "2", "--log-file", log,
           *extra, url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 120).stdout
    rate = float(out.split(" req/s")[0].rsplit(" ", 1)[1])
    status = [line for line in out.splitlines() if line.startswith("status codes:")][0]
    with open(log) as f:
        rows = [line.split() for line in f if line.strip()]
    lat = sorted(int(r[2]) for r in rows)
    errors = sum(1 for r in rows if not r[1].startswith("2"))
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] / 1000
    return rate, statistics.median(lat) / 1000, p99, errors, status


def grpc_body(work, name, message):
    path = os.path.join(work, name)
    data = message.SerializeToString()
    with open(path, "wb") as f:
        f.write(b"\x00" + struct.pack(">I", len(data)) + data)
    return path


def json_body(work, name, doc):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(args.build, "python"))
    sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
    from node_process import NodeProcess
    from proto.common.v1 import admin_pb2, admin_pb2_grpc
    from proto.gateway.v1 import queue_pb2, queue_pb2_grpc
    from proto.reservation.v1 import reservation_pb2

    work = tempfile.mkdtemp(prefix="http-ratio-")
    node = NodeProcess(os.path.join(args.build, "adapters", "node", "tacosd"), "--catalog.dir",
                       "/nonexistent", "--queue.secret", "bench-queue-secret-0123456789abcdef",
                       "--http.rate_limit_per_second", "0", "--http.threads", "2")
    node.start()
    channel = node.channel()
    try:
        admin = admin_pb2_grpc.AdminServiceStub(channel)
        for doc in (event_doc("ratio-room", True), event_doc("ratio-hall", False)):
            admin.UpdateConfig(admin_pb2.UpdateConfigRequest(
                config_key="catalog.event", config_value=json.dumps(doc), reason="bench"))
        queue = queue_pb2_grpc.QueueServiceStub(channel)
        token = queue.JoinQueue(queue_pb2.JoinQueueRequest(
            event_id="ratio-room", user_id="bench-user")).waiting_token
        http = "http://127.0.0.1:%d" % node.http_port
        name = "bench" + uuid.uuid4().hex[:8]
        reg = urllib.request.Request(http + "/api/v1/auth/register", method="POST", data=json.dumps(
            {"username": name, "password": "pw-" + name, "email": name + "@x.io",
             "display_name": name}).encode(), headers={"Content-Type": "application/json"})
        bearer = json.load(urllib.request.urlopen(reg))["token"]
        grpc_url = "http://127.0.0.1:%d" % node.port
        grpc_flags = ["-c", "4", "-m", str(IN_FLIGHT // 4), "-H", "content-type: application/grpc",
                      "-H", "te: trailers"]
        http_flags = ["--h1", "-c", str(IN_FLIGHT), "-m", "1"]
        key = str(uuid.uuid4())
        cases = [
            ("GetQueueStatus",
             (http + "/api/v1/queue/status?token=" + token, []),
             (grpc_url + "/gateway.v1.QueueService/GetQueueStatus",
              ["-d", grpc_body(work, "status.bin", queue_pb2.GetQueueStatusRequest(
                  waiting_token=token))])),
            ("JoinQueue (rejoin)",
             (http + "/api/v1/queue/join",
              ["-d", json_body(work, "join.json", {"event_id": "ratio-room"}),
               "-H", "content-type: application/json", "-H", "authorization: Bearer " + bearer]),
             (grpc_url + "/gateway.v1.QueueService/JoinQueue",
              ["-d", grpc_body(work, "join.bin", queue_pb2.JoinQueueRequest(
                  event_id="ratio-room", user_id="bench-user"))])),
            ("CreateReservation (replayed)",
             (http + "/api/v1/reservations",
              ["-d", json_body(work, "hold.json", {"event_id": "ratio-hall",
                                                   "seat_ids": ["A-1-1"], "quantity": 1}),
               "-H", "content-type: application/json", "-H", "authorization: Bearer " + bearer,
               "-H", "idempotency-key: " + key]),
             (grpc_url + "/reservation.v1.ReservationService/CreateReservation",
              ["-d", grpc_body(work, "hold.bin", reservation_pb2.CreateReservationRequest(
                  event_id="ratio-hall", seat_ids=["A-1-2"], quantity=1, user_id="bench-user",
                  idempotency_key=str(uuid.uuid4())))])),
        ]
        print("| case | HTTP req/s | HTTP p50 / p99 ms | gRPC req/s | gRPC p50 / p99 ms | "
              "HTTP / gRPC |")
        print("|---|---|---|---|---|---|")
        for label, (hurl, hextra), (gurl, gextra) in cases:
            h = h2load(args, hurl, http_flags + hextra, os.path.join(work, "h.log"))
            time.sleep(1)
            g = h2load(args, gurl, grpc_flags + gextra, os.path.join(work, "g.log"))
            time.sleep(1)
            for side, r in (("HTTP", h), ("gRPC", g)):
                if r[3]:
                    print("Warning: %s %s: %d non-2xx answers (%s)" % (label, side, r[3], r[4]),
                          file=sys.stderr)
            print("| %s | %.0f | %.2f / %.2f | %.0f | %.2f / %.2f | %.2f |"
                  % (label, h[0], h[1], h[2], g[0], g[1], g[2], h[0] / g[0]))
        print("load average at the end: %s" % open("/proc/loadavg").read().split()[0])
    finally:
        channel.close()
        node.stop()
        node.close()


if __name__ == "__main__":
    main()
