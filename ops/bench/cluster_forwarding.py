#!/usr/bin/python3
"""What one hop of forwarding costs: the same calls, one at a time, to the node that owns the
event's shard (served locally) and to a node that does not (forwarded in one hop), on a local
3-node cluster (tacos-broker + 3 tacosd, as tests/e2e starts it). Prints p50/p99 of each and the
difference. Sequential calls from one Python client: the client's own cost is in both columns, the
difference is the hop (issue #30's target: a forwarded call adds <= 1 ms at p50).

Usage: ops/bench/cluster_forwarding.py [--calls N]   (default 2000 each; TT_BUILD_DIR: build dir)
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.path.join(ROOT, os.environ.get("TT_BUILD_DIR", "build"))
sys.path.insert(0, os.path.join(BUILD, "python"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from cluster_process import Cluster, shard_of  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

EVENT = "forwarding-bench"
# 10,000 seats: every hold of the run gets a seat of its own.
CATALOG = {"event_id": EVENT, "name": "Forwarding benchmark", "venue": "Bench Hall",
           "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-01-01T00:00:00Z",
           "sections": [{"section": "A", "price": 1000,
                         "rows": [{"rows": "1-100", "seats": "1-100"}]}]}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def timed(calls):
    out = []
    for call in calls:
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as catalog:
        with open(os.path.join(catalog, "bench.yaml"), "w") as f:
            yaml.safe_dump(CATALOG, f)
        cluster = Cluster(os.path.join(BUILD, "adapters", "node", "tacosd"),
                          os.path.join(BUILD, "adapters", "kafka", "tacos-broker"), catalog,
                          flags=os.environ.get("TT_BENCH_NODE_FLAGS", "").split())
        try:
            cluster.wait_settled()
            owner = cluster.owner_of(shard_of(EVENT))
            other = (owner + 1) % len(cluster.nodes)
            stubs = {name: reservation_pb2_grpc.ReservationServiceStub(cluster.nodes[i].channel())
                     for name, i in (("local", owner), ("forwarded", other))}
            seat = iter("A-%d-%d" % (r, s) for r in range(1, 101) for s in range(1, 101))
            results = {}
            for name, stub in stubs.items():
                made = []

                def create():
                    made.append(stub.CreateReservation(reservation_pb2.CreateReservationRequest(
                        event_id=EVENT, user_id="bench", seat_ids=[next(seat)],
                        idempotency_key="k-%s-%d" % (name, len(made))), timeout=10))
                holds = min(args.calls, 4000)
                results[name + " CreateReservation"] = timed([create] * holds)
                rid = made[0].reservation_id
                read = (lambda: stub.GetReservation(reservation_pb2.GetReservationRequest(
                    reservation_id=rid, user_id="bench"), timeout=10))
                results[name + " GetReservation"] = timed([read] * args.calls)
            print("%-32s %8s %8s %8s" % ("calls (ms, sequential)", "n", "p50", "p99"))
            for name, values in results.items():
                print("%-32s %8d %8.3f %8.3f" % (name, len(values), percentile(values, 50),
                                                 percentile(values, 99)))
            for rpc in ("CreateReservation", "GetReservation"):
                local = statistics.median(results["local " + rpc])
                hop = statistics.median(results["forwarded " + rpc])
                print("forwarding adds %.3f ms at p50 to %s" % (hop - local, rpc))
        finally:
            cluster.close()


if __name__ == "__main__":
    main()
