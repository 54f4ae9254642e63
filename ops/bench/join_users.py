#!/usr/bin/python3
"""Setup pass of the GetQueueStatus bench case: joins N users to one event's waiting room and
writes one GetQueueStatusRequest per line (JSON mapping) with each user's waiting token, the
request file `tt_loadgen --request-file` turns into its pool. With --stop-admissions it first
stops the event's admissions (EmergencyAction STOP_ADMISSIONS), so that every user stays
waiting: a ready user that never claims its admission is dropped after a minute, and its token
would then answer NOT_FOUND. Usage (ops/bench/run.sh runs it):

    /usr/bin/python3 ops/bench/join_users.py --target 127.0.0.1:PORT --event EVENT \
        --users 10000 --prefix status-u --out FILE [--stop-admissions] [--build build]

Exits non-zero, naming the status, if any join fails."""
import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IN_FLIGHT = 128  # joins outstanding at once: enough to keep the node busy, few enough for Python


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", required=True)
    ap.add_argument("--event", required=True)
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--prefix", default="status-u")
    ap.add_argument("--out", required=True)
    ap.add_argument("--stop-admissions", action="store_true")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(args.build, "python"))
    import grpc
    from proto.common.v1 import admin_pb2, admin_pb2_grpc
    from proto.gateway.v1 import queue_pb2, queue_pb2_grpc

    with grpc.insecure_channel(args.target) as channel:
        if args.stop_admissions:
            admin_pb2_grpc.AdminServiceStub(channel).EmergencyAction(
                admin_pb2.EmergencyActionRequest(
                    action=admin_pb2.EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS, reason="bench setup",
                    parameters={"event_id": args.event}, confirm=True), timeout=30)
        queue = queue_pb2_grpc.QueueServiceStub(channel)
        tokens, pending = [], []
        for i in range(args.users):
            user = "%s%d" % (args.prefix, i)
            pending.append(queue.JoinQueue.future(queue_pb2.JoinQueueRequest(
                event_id=args.event, user_id=user, session_id="s-" + user), timeout=30))
            if len(pending) >= IN_FLIGHT or i == args.users - 1:
                try:
                    tokens += [f.result().waiting_token for f in pending]
                except grpc.RpcError as e:
                    sys.exit("join_users: JoinQueue answered %s: %s" % (e.code().name, e.details()))
                pending = []
    with open(args.out, "w") as f:
        for token in tokens:
            f.write(json.dumps({"waiting_token": token}) + "\n")
    print("join_users: %d users joined %s" % (len(tokens), args.event), file=sys.stderr)


if __name__ == "__main__":
    main()
