#!/usr/bin/python3
"""One node against three on this machine (issue #30's benchmark): CreateReservation and
GetQueueStatus at full load through a 1-node and a 3-node cluster (tacos-broker and tacosd in
cluster mode, as tests/e2e starts them), then the failover time over several SIGKILLs.

Each node gets its share of the calls in flight from its own tt_loadgen (a client that connects
to any node, as behind a load balancer): with three nodes two thirds of the calls are forwarded
to their shard's owner. Holds go to ten copies of the stadium (their shards spread over the
nodes); status reads carry the waiting tokens of users queued in one hall, whose admissions are
stopped, so they all route to that hall's owner. Prints req/s and p50/p99 per case and node
count, the 3-node/1-node throughput ratio (issue #30's target: >= 0.7 on the same 2 cores), and
how long each killed owner's shards took to serve again (target: within 10 s). Also, for
docs/capacity.md: the changelog bytes per hold (kcat sums the record sizes in tt.shards, before
compression, across the CreateReservation case: snapshots and claims included).

Usage: ops/bench/cluster_scale.py [--duration S] [--in-flight N] [--kills N] [--failover-only]
       (defaults 5 s, 128, 3; TT_BUILD_DIR: the build directory)
"""
import argparse
import calendar
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.path.join(ROOT, os.environ.get("TT_BUILD_DIR", "build"))
sys.path.insert(0, os.path.join(BUILD, "python"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from cluster_process import Cluster, shard_of  # noqa: E402
from node_process import eventually  # noqa: E402

TACOSD = os.path.join(BUILD, "adapters", "node", "tacosd")
BROKER = os.path.join(BUILD, "adapters", "kafka", "tacos-broker")
LOADGEN = os.path.join(BUILD, "scenarios", "load", "tt_loadgen")
STADIUMS = 10
HALL = "scale-status-hall"
USERS = 10000  # waiting in the hall: GetQueueStatus's tokens
CREATE = ('{"event_id": "scale-stadium-{n%%%d}", "quantity": 1, "user_id": "u{n}", '
          '"idempotency_key": "{uuid}"}' % STADIUMS)
# Holds outlive the run, so the worker's expiries do not land in a later case.
NODE_FLAGS = ("--reservation.hold_seconds", "900", "--reservation.max_hold_lifetime_seconds",
              "900", "--queue.idle_timeout_seconds", "3600")


def write_catalog(directory):
    with open(os.path.join(ROOT, "ops", "catalog", "stadium.yaml")) as f:
        stadium = f.read()
    with open(os.path.join(ROOT, "ops", "catalog", "hall.yaml")) as f:
        hall = f.read()

    def renamed(text, event):
        return "\n".join("event_id: " + event if line.startswith("event_id:") else line
                         for line in text.splitlines()) + "\n"
    for n in range(STADIUMS):
        with open(os.path.join(directory, "stadium-%d.yaml" % n), "w") as f:
            f.write(renamed(stadium, "scale-stadium-%d" % n))
    with open(os.path.join(directory, "hall.yaml"), "w") as f:
        f.write(renamed(hall, HALL))


def load(cluster, method, extra, in_flight, duration):
    """Every node's own tt_loadgen at once; their summed rate and worst p50/p99."""
    share = max(1, in_flight // len(cluster.nodes))
    runs = [subprocess.Popen([LOADGEN, "--target", address, "--method", method,
                              "--concurrency", str(share), "--connections", "2",
                              "--warmup", "1", "--duration", str(duration), "--timeout", "10",
                              "--seed", str(time.time_ns() % 10**15 + i), "--json", *extra],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            for i, address in enumerate(cluster.addresses())]
    reports = [json.loads(r.communicate(timeout=duration + 120)[0]) for r in runs]
    errors = {}
    for r in reports:
        for code, count in r["errors"].items():
            errors[code] = errors.get(code, 0) + count
    return {"rps": sum(r["rps"] for r in reports), "ok": sum(r["ok"] for r in reports),
            "p50": max(r["p50_us"] for r in reports) / 1000,
            "p99": max(r["p99_us"] for r in reports) / 1000, "errors": errors}


def changelog_bytes(bootstrap):
    """The bytes of every record in tt.shards (kcat: one size per line)."""
    sizes = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", "tt.shards", "-o", "beginning",
                            "-e", "-q", "-f", "%S\n"], capture_output=True, text=True,
                           timeout=120, check=True).stdout.split()
    return sum(int(s) for s in sizes), len(sizes)


def measure(count, catalog, args, work):
    cluster = Cluster(TACOSD, BROKER, catalog, count=count, flags=NODE_FLAGS)
    try:
        cluster.wait_settled()
        requests = os.path.join(work, "status-%d.jsonl" % count)
        subprocess.run([sys.executable, os.path.join(ROOT, "ops", "bench", "join_users.py"),
                        "--target", cluster.addresses()[0], "--event", HALL, "--users",
                        str(USERS), "--stop-admissions", "--out", requests, "--build", BUILD],
                       check=True, stdout=subprocess.DEVNULL)
        facts = {}
        logged, _ = changelog_bytes(cluster.broker.bootstrap)
        out = {"CreateReservation": load(cluster, "/reservation.v1.ReservationService/"
                                         "CreateReservation", ["--request-json", CREATE, "--pool",
                                                               "400000"], args.in_flight,
                                         args.duration)}
        after, records = changelog_bytes(cluster.broker.bootstrap)
        holds = out["CreateReservation"]["ok"]
        facts["changelog_bytes_per_hold"] = (after - logged) / max(1, holds)
        facts["changelog_records"] = records
        out["GetQueueStatus"] = load(cluster, "/gateway.v1.QueueService/GetQueueStatus",
                                     ["--request-file", requests], args.in_flight, args.duration)
        kills = failovers(cluster, args.kills) if count > 1 else []
        return out, kills, facts
    finally:
        cluster.close()


def log_times(node, since, pattern):
    """Seconds after `since` (wall clock) of the node's log lines whose message matches."""
    out = []
    for line in node.log_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not pattern.search(entry.get("msg", "")):
            continue
        at = calendar.timegm(time.strptime(entry["ts"][:19], "%Y-%m-%dT%H:%M:%S"))
        at += int(entry["ts"][20:23]) / 1000.0
        if at >= since:
            out.append(at - since)
    return out


def failovers(cluster, kills):
    """SIGKILL the owner of a stadium's shard, time until a survivor serves it, restart. Each
    kill's time is split from the new owner's log: until the group gave it the shard (the
    rebalance, mostly the dead member's session timeout) and until it served it (the restore)."""
    took = []
    for k in range(kills):
        shard = shard_of("scale-stadium-%d" % (k % STADIUMS))
        owner = cluster.owner_of(shard)
        killed_at, killed_wall = time.monotonic(), time.time()
        cluster.nodes[owner].proc.send_signal(signal.SIGKILL)
        cluster.nodes[owner].proc.wait()
        heir = eventually("a survivor serving shard %d" % shard, lambda: cluster.owner_of(shard),
                          until=lambda i: i is not None and i != owner, timeout=60, step=0.05)
        total = time.monotonic() - killed_at
        gained = log_times(cluster.nodes[heir], killed_wall - 1,
                           re.compile(r"gained shards .*\b%d\b" % shard))
        served = log_times(cluster.nodes[heir], killed_wall - 1,
                           re.compile(r"serving shard %d " % shard))
        took.append((total, (gained[0] - 1) if gained else None,
                     (served[0] - 1) if served else None))
        cluster.nodes[owner] = cluster.start(owner)
        try:
            # Until the restarted node serves again: a kill while it is still joining would
            # time two rebalances at once (16 s was measured so).
            cluster.wait_settled(balanced=True)
        except AssertionError:
            for i, node in enumerate(cluster.nodes):
                print("node-%d: %s" % (i, "\n".join(
                    line for line in node.log_text().splitlines()
                    if "NOT SERVED" in line or "snapshot" in line or "serving shard" in line)[-4000:]),
                    file=sys.stderr)
            raise
    return took


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--in-flight", type=int, default=128)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--failover-only", action="store_true",
                        help="3 nodes, no load: only the failover times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as catalog, tempfile.TemporaryDirectory() as work:
        write_catalog(catalog)
        if args.failover_only:
            cluster = Cluster(TACOSD, BROKER, catalog, count=3, flags=NODE_FLAGS)
            try:
                cluster.wait_settled()
                report_failovers(failovers(cluster, args.kills))
            finally:
                cluster.close()
            return
        results = {count: measure(count, catalog, args, work) for count in (1, 3)}
    print("%-20s %5s %10s %8s %8s  %s" % ("case", "nodes", "req/s", "p50 ms", "p99 ms",
                                          "errors"))
    for count, (cases, _, _) in results.items():
        for name, r in cases.items():
            print("%-20s %5d %10.0f %8.2f %8.2f  %s" % (name, count, r["rps"], r["p50"],
                                                        r["p99"], r["errors"] or "-"))
    for name in results[1][0]:
        print("%s: 3 nodes / 1 node = %.2f" % (
            name, results[3][0][name]["rps"] / results[1][0][name]["rps"]))
    for count, (_, _, facts) in results.items():
        print("%d node(s): %.0f changelog bytes per hold (%d records in tt.shards)" % (
            count, facts["changelog_bytes_per_hold"], facts["changelog_records"]))
    report_failovers(results[3][1])


def report_failovers(kills):
    def seconds(t):
        return "?" if t is None else "%.1f" % t
    if kills:
        print("failover after SIGKILL: %s s (max %.1f s)" % (
            ", ".join("%.1f" % t for t, _, _ in kills), max(t for t, _, _ in kills)))
        print("  of which the group gave the shard at: %s s; served at: %s s" % (
            ", ".join(seconds(g) for _, g, _ in kills), ", ".join(seconds(s) for _, _, s in kills)))


if __name__ == "__main__":
    main()
