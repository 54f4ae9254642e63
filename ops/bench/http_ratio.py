#!/usr/bin/python3
"""HTTP beside gRPC, one run (issue #28's target: the HTTP path >= 0.5 x the gRPC path's rate).

Starts a tacosd on loopback and drives the same calls through the HTTP gateway (HTTP/1.1,
keep-alive) and through gRPC (HTTP/2) with h2load, one after the other in this one run, with the
same number of requests in flight (64: 64 HTTP/1.1 connections; 4 gRPC connections x 16 streams).
Per case: requests/s, p50 and p99 latency (from h2load's per-request log), and the ratio.

The h2load cases repeat one request, as h2load can only send one body: GetQueueStatus of one
waiting entry (a read), JoinQueue of one user (the rejoin: the entry exists), and CreateReservation
replayed under one idempotency key (the stored reply). So they measure each path's edge, routing,
idempotency lookup and the actor's answer. The last case is fresh holds (one best-available seat
per call, a new idempotency key each time): over gRPC with tt_loadgen (a key minted per call),
over HTTP with this script's own client (pre-built requests, each with its Idempotency-Key, sent
over 64 keep-alive connections from a few processes), the same 64 in flight.

Per case and side the node's CPU per request is measured too (/proc/<pid>/stat user + system
time over the measured seconds, divided by the requests answered in them): unlike the rates it
hardly depends on the load generator or on what else the machine runs. Usage, from the
repository root after building tacosd:

    /usr/bin/python3 ops/bench/http_ratio.py [--duration 10] [--build build]
"""
import argparse
import json
import multiprocessing
import os
import selectors
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IN_FLIGHT = 64
WARM_UP = 2
# Fresh holds: each side holds in its own events, one seat a call, spread over FRESH_EVENTS
# events of 50,000 seats so that no run sells out.
FRESH_EVENTS = 4
HTTP_CLIENTS = 2  # processes of the fresh-hold HTTP client, IN_FLIGHT / HTTP_CLIENTS sockets each


def event_doc(event_id, room, rows="1-10", seats="1-10"):
    doc = {"event_id": event_id, "name": "bench", "venue": "Hall",
           "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-12-31T00:00:00Z",
           "currency": "KRW",
           "sections": [{"section": "A", "name": "A", "price": 1000,
                         "rows": [{"rows": rows, "seats": seats}]}]}
    if room:
        doc["waiting_room"] = {"admissions_per_second": 1000, "max_active": 100000}
    return doc


def cpu_seconds(pid):
    """User + system CPU time of process `pid` so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_cpu(pid, run):
    """(what run() returns, CPU seconds `pid` used from WARM_UP s after the start to the end)."""
    start = {}
    timer = threading.Timer(WARM_UP, lambda: start.setdefault("cpu", cpu_seconds(pid)))
    timer.start()
    result = run()
    timer.join()
    return result, cpu_seconds(pid) - start["cpu"]


def h2load(args, url, extra, log):
    """One h2load run: (requests/s, p50 ms, p99 ms, errors, status line)."""
    cmd = ["h2load", "-D", str(args.duration), "--warm-up-time", str(WARM_UP), "--log-file", log,
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


def loadgen(args, port, method, template):
    """One tt_loadgen run (gRPC, a request pool built from `template`): as h2load()."""
    cmd = [os.path.join(args.build, "scenarios", "load", "tt_loadgen"), "--target",
           "127.0.0.1:%d" % port, "--method", method, "--request-json", template,
           "--connections", "4", "--concurrency", str(IN_FLIGHT), "--duration", str(args.duration),
           "--warmup", str(WARM_UP), "--pool", "200000", "--seed", str(time.time_ns() % 10**9),
           "--json"]
    out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True,
                                    timeout=args.duration + 120).stdout)
    bad = sum(out["errors"].values())
    return out["rps"], out["p50_us"] / 1000, out["p99_us"] / 1000, bad, "errors %s" % out["errors"]


def http_client(port, requests, deadline, measure_from, out):
    """Sends `requests` (raw HTTP/1.1 bytes) over one keep-alive socket each of a few, one at a
    time per socket, until `deadline`; puts (latencies ms measured after `measure_from`,
    non-2xx count) on `out`."""
    sel = selectors.DefaultSelector()
    conns = []
    for _ in range(IN_FLIGHT // HTTP_CLIENTS):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        conns.append(s)
    next_request = iter(requests)
    lat, bad = [], 0
    state = {}
    for s in conns:
        s.send(next(next_request))
        state[s] = [time.monotonic(), b""]
        sel.register(s, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            st = state[s]
            st[1] += s.recv(65536)
            head_end = st[1].find(b"\r\n\r\n")
            if head_end < 0:
                continue
            head = st[1][:head_end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if len(st[1]) < head_end + 4 + length:
                continue
            now = time.monotonic()
            if st[0] >= measure_from:
                lat.append((now - st[0]) * 1000)
                if not head.split(" ", 2)[1].startswith("2"):
                    bad += 1
            s.send(next(next_request))
            state[s] = [now, b""]
    for s in conns:
        s.close()
    out.put((lat, bad))


def fresh_hold_requests(bearer, events, count):
    """`count` HTTP requests of one fresh best-available hold each, split per client process."""
    def request(n):
        body = json.dumps({"event_id": events[n % len(events)], "quantity": 1}).encode()
        return (("POST /api/v1/reservations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Type: application/json\r\nAuthorization: Bearer %s\r\n"
                 "Idempotency-Key: %s\r\nContent-Length: %d\r\n\r\n")
                % (bearer, uuid.uuid4(), len(body))).encode() + body
    return [[request(c + HTTP_CLIENTS * n) for n in range(count // HTTP_CLIENTS)]
            for c in range(HTTP_CLIENTS)]


def fresh_http_holds(args, port, requests):
    """Fresh holds over HTTP from HTTP_CLIENTS processes (fork: the requests are inherited):
    as h2load()."""
    measure_from = time.monotonic() + WARM_UP
    deadline = measure_from + args.duration
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=http_client, args=(
        port, mine, deadline, measure_from, out)) for mine in requests]
    for p in procs:
        p.start()
    lat, bad = [], 0
    for _ in procs:
        got = out.get()
        lat += got[0]
        bad += got[1]
    for p in procs:
        p.join()
    lat.sort()
    return (len(lat) / args.duration, statistics.median(lat), lat[int(len(lat) * 0.99)], bad,
            "%d non-2xx" % bad)


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
        fresh = {side: ["ratio-fresh-%s-%d" % (side, i) for i in range(FRESH_EVENTS)]
                 for side in ("http", "grpc")}
        docs = [event_doc("ratio-room", True), event_doc("ratio-hall", False)]
        docs += [event_doc(e, False, "1-250", "1-200") for side in fresh.values() for e in side]
        for doc in docs:
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
        runs = [(label,
                 lambda u=hurl, e=hextra: h2load(args, u, http_flags + e,
                                                 os.path.join(work, "h.log")),
                 lambda u=gurl, e=gextra: h2load(args, u, grpc_flags + e,
                                                 os.path.join(work, "g.log")))
                for label, (hurl, hextra), (gurl, gextra) in cases]
        # Enough requests that no run runs out (a fast host holds ~10 k/s over HTTP).
        held = fresh_hold_requests(bearer, fresh["http"], 20000 * (args.duration + WARM_UP))
        template = ('{"event_id": "ratio-fresh-grpc-{n%%%d}", "quantity": 1, '
                    '"user_id": "u{n}", "idempotency_key": "{uuid}"}' % FRESH_EVENTS)
        runs.append(("CreateReservation (fresh holds)",
                     lambda: fresh_http_holds(args, node.http_port, held),
                     lambda: loadgen(args, node.port,
                                     "/reservation.v1.ReservationService/CreateReservation",
                                     template)))
        print("| case | HTTP req/s | HTTP p50 / p99 ms | HTTP node CPU µs/req | gRPC req/s | "
              "gRPC p50 / p99 ms | gRPC node CPU µs/req | HTTP / gRPC rate | HTTP / gRPC CPU |")
        print("|---|---|---|---|---|---|---|---|---|")
        pid = node.proc.pid
        for label, http_run, grpc_run in runs:
            h, h_cpu = with_cpu(pid, http_run)
            time.sleep(1)
            g, g_cpu = with_cpu(pid, grpc_run)
            time.sleep(1)
            for side, r in (("HTTP", h), ("gRPC", g)):
                if r[3]:
                    print("Warning: %s %s: %d failed answers (%s)" % (label, side, r[3], r[4]),
                          file=sys.stderr)
            h_us = h_cpu * 1e6 / (h[0] * args.duration)
            g_us = g_cpu * 1e6 / (g[0] * args.duration)
            print("| %s | %.0f | %.2f / %.2f | %.0f | %.0f | %.2f / %.2f | %.0f | %.2f | %.2f |"
                  % (label, h[0], h[1], h[2], h_us, g[0], g[1], g[2], g_us, h[0] / g[0],
                     h_us / g_us))
        print("load average at the end: %s" % open("/proc/loadavg").read().split()[0])
    finally:
        channel.close()
        node.stop()
        node.close()


if __name__ == "__main__":
    main()
