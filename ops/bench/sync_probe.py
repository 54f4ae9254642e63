#!/usr/bin/python3
"""The disk's floor for durable writes: appends 4 KB to a file and fdatasyncs it, over and over,
for a given time, and prints the latency of the syncs as one JSON line. Every durable write of
the node (a hold, a join) waits for one sync of the store's WAL, and a stalled sync delays every
write queued behind it; run alone, this says what the machine itself allows (ops/bench/README.md,
"The disk's sync tail"). Usage (ops/bench/run.sh runs it in its work directory, beside the
nodes' data):

    /usr/bin/python3 ops/bench/sync_probe.py --dir DIR --seconds 5

Prints {"syncs": N, "p50_us": ..., "p99_us": ..., "p999_us": ..., "max_us": ..., "over_20ms": K}."""
import argparse
import json
import os
import tempfile
import time

BLOCK = b"\0" * 4096  # about one group commit of a few holds
SLOW_S = 0.020


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, help="a directory on the filesystem to probe")
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    latencies = []
    with tempfile.NamedTemporaryFile(dir=args.dir, prefix="sync-probe-") as f:
        fd = f.fileno()
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            os.write(fd, BLOCK)
            start = time.perf_counter()
            os.fdatasync(fd)
            latencies.append(time.perf_counter() - start)
    latencies.sort()
    n = len(latencies)

    def at(q):
        return round(latencies[min(n - 1, int(n * q))] * 1e6)

    print(json.dumps({"syncs": n, "p50_us": at(0.5), "p99_us": at(0.99), "p999_us": at(0.999),
                      "max_us": round(latencies[-1] * 1e6),
                      "over_20ms": sum(1 for v in latencies if v > SLOW_S)},
                     separators=(",", ":")))


if __name__ == "__main__":
    main()
