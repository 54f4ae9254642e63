#!/usr/bin/python3
"""Open-WebSocket memory (issue #28's target: 10,000 open WebSockets on one node in <= 200 MB).

As stream_memory.py does for the gRPC streams: starts a tacosd on loopback, queues N users on one
event with admissions stopped (so every socket stays open), opens one /ws/queue socket per user
from this one Python process (python3-websocket), waits for each socket's first update, and
compares the node's RSS (/proc/<pid>/status VmRSS) before and after the sockets. Each socket is
one HTTP connection upgraded to a WebSocket plus its subscription to the waiting room (on a node
on its own, directly to the admission actor; docs/http.md). Prints
the difference per socket and extrapolated to 10,000 sockets. Usage, from the repository root
after building tacosd:

    /usr/bin/python3 ops/bench/websocket_memory.py [--sockets 10000] [--build build]
"""
import argparse
import os
import resource
import time

from stream_memory import ROOT, open_stopped_room, per_10k, rss_kib


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sockets", type=int, default=10000)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.sockets + 1024), hard))
    node, channel, tokens, _ = open_stopped_room(args.build, args.sockets, "ws-bench",
                                                 "--http.rate_limit_per_second", "0")
    import websocket
    sockets = []
    try:
        before = rss_kib(node.proc.pid)
        base = "ws://127.0.0.1:%d/ws/queue?token=" % node.http_port
        started = time.monotonic()
        for t in tokens:
            ws = websocket.create_connection(base + t, timeout=30)
            ws.recv()  # the first position: the socket and its stream are live
            sockets.append(ws)
        opened_s = time.monotonic() - started
        time.sleep(1.0)
        print(per_10k("sockets (opened in %.1f s)" % opened_s, args.sockets, before,
                      rss_kib(node.proc.pid)))
    finally:
        for ws in sockets:
            ws.close()
        channel.close()
        node.stop()
        node.close()


if __name__ == "__main__":
    main()
