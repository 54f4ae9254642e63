#!/usr/bin/python3
"""Open-stream memory (issue #5's target: 10,000 open StreamQueueUpdates streams in <= 200 MB).

Starts a tacosd on loopback, queues N users on one event with admissions stopped (so every
stream stays open), opens one stream per user from this one Python process (spread over a few
HTTP/2 connections), waits for each stream's first update, and compares the node's RSS
(/proc/<pid>/status VmRSS) before and after. Prints the difference per stream and extrapolated
to 10,000 streams, and the resident memory each waiting user took (RSS before and after the
joins, for docs/capacity.md). Usage, from the repository root after building tacosd:

    /usr/bin/python3 ops/bench/stream_memory.py [--streams 2000] [--build build]
"""
import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %d" % pid)


def per_10k(what, count, before, after):
    """The line reporting `count` open `what` that took the RSS from `before` to `after` (KiB)."""
    each = (after - before) / count
    # The target is in decimal MB: 200 MB is 190.7 MiB, so a MiB figure under 200 can miss it.
    mb_10k = each * 10000 * 1024 / 1e6
    return ("%s: %d  rss before: %.1f MiB  after: %.1f MiB  per one: %.1f KiB  10,000: ~%.0f MiB "
            "= %.1f MB (target <= 200 MB: %s)"
            % (what, count, before / 1024, after / 1024, each, each * 10000 / 1024, mb_10k,
               "met" if mb_10k <= 200 else "MISSED"))


def open_stopped_room(build, users, event, *flags):
    """A tacosd with `event` defined, its admissions stopped and `users` waiting in it:
    (node, channel, waiting tokens, RSS in KiB before the joins). Also used by
    websocket_memory.py."""
    sys.path.insert(0, os.path.join(build, "python"))
    sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
    from node_process import NodeProcess
    from proto.common.v1 import admin_pb2, admin_pb2_grpc
    from proto.gateway.v1 import queue_pb2, queue_pb2_grpc

    node = NodeProcess(os.path.join(build, "adapters", "node", "tacosd"), "--catalog.dir",
                       "/nonexistent", "--queue.secret", "bench-queue-secret-0123456789abcdef",
                       *flags)
    node.start()
    channel = node.channel()
    admin = admin_pb2_grpc.AdminServiceStub(channel)
    queue = queue_pb2_grpc.QueueServiceStub(channel)
    doc = {"event_id": event, "name": "bench", "venue": "Hall",
           "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-12-31T00:00:00Z",
           "currency": "KRW", "waiting_room": {"admissions_per_second": 1, "max_active": 1},
           "sections": [{"section": "A", "name": "A", "price": 1000,
                         "rows": [{"rows": "1-10", "seats": "1-10"}]}]}
    admin.UpdateConfig(admin_pb2.UpdateConfigRequest(
        config_key="catalog.event", config_value=json.dumps(doc), reason="bench"))
    admin.EmergencyAction(admin_pb2.EmergencyActionRequest(
        action=admin_pb2.EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS, reason="bench",
        parameters={"event_id": event}, confirm=True))
    time.sleep(1.0)
    empty = rss_kib(node.proc.pid)
    tokens = [queue.JoinQueue(queue_pb2.JoinQueueRequest(
        event_id=event, user_id="u-%d" % i, session_id="s")).waiting_token
        for i in range(users)]
    time.sleep(1.0)
    return node, channel, tokens, empty


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--streams", type=int, default=2000)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--connections", type=int, default=8)
    args = ap.parse_args()
    node, channel, tokens, empty = open_stopped_room(args.build, args.streams, "stream-bench")
    channels = [channel] + [node.channel() for _ in range(args.connections - 1)]
    try:
        from proto.gateway.v1 import websocket_pb2, websocket_pb2_grpc
        before = rss_kib(node.proc.pid)
        stubs = [websocket_pb2_grpc.WebSocketServiceStub(ch) for ch in channels]
        calls = [stubs[i % len(stubs)].StreamQueueUpdates(
            websocket_pb2.StreamQueueUpdatesRequest(waiting_token=t)) for i, t in enumerate(tokens)]
        for call in calls:
            next(call)
        time.sleep(1.0)
        print(per_10k("streams", args.streams, before, rss_kib(node.proc.pid)))
        print("waiting users: %d  rss before joining: %.1f MiB  after: %.1f MiB  per waiting "
              "user: %.2f KiB" % (args.streams, empty / 1024, before / 1024,
                                  (before - empty) / args.streams))
        for call in calls:
            call.cancel()
    finally:
        for ch in channels:
            ch.close()
        node.stop()
        node.close()


if __name__ == "__main__":
    main()
