#!/usr/bin/python3
"""A command-line client for a running node (python3-grpcio + the stubs the build generates):
every command is one or a few contract calls. A hold, paid and confirmed:

  ops/tools/client.py events                       # the catalog's events, seats left, queues
  ops/tools/client.py hold --event jamsil-stadium-tour-2027 --user ann --quantity 2
  ops/tools/client.py pay --reservation R --user ann              # --outcome fail: released
  ops/tools/client.py watch --reservation R --user ann            # ... CONFIRMED

An event with a waiting room needs an admission first: `hold --join` queues, waits and is
admitted before it holds. Replies are printed as JSON (watch: one object per line). A failed
call prints its gRPC status and the common.v1.Error the node put in grpc-status-details-bin, and
exits 1; bad usage exits 2. `--target HOST:PORT` (default localhost:8080) names the node;
`COMMAND --help` describes each command."""
import argparse
import json
import os
import sys
import time
import uuid

import grpc
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STUBS = os.environ.get("TT_PY_STUBS", os.path.join(ROOT, "build", "python"))
if not os.path.isdir(os.path.join(STUBS, "proto")):
    sys.exit("client.py: no Python stubs in %s: build first (ops/build.sh), or set TT_PY_STUBS"
             % STUBS)
sys.path.insert(0, STUBS)
grpc.__path__.append(os.path.join(STUBS, "grpc"))  # health/reflection stubs live in grpc.*

from google.protobuf import json_format  # noqa: E402
from grpc.reflection.v1alpha import reflection_pb2, reflection_pb2_grpc  # noqa: E402
from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2  # noqa: E402
from proto.gateway.v1 import gateway_pb2, gateway_pb2_grpc  # noqa: E402
from proto.gateway.v1 import queue_pb2, queue_pb2_grpc  # noqa: E402
from proto.gateway.v1 import websocket_pb2, websocket_pb2_grpc  # noqa: E402
from proto.google.rpc import status_pb2  # noqa: E402
from proto.payment.v1 import payment_pb2, payment_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

CALL_TIMEOUT = 10
R = reservation_pb2
FINAL = {R.RESERVATION_STATUS_CONFIRMED, R.RESERVATION_STATUS_CANCELLED,
         R.RESERVATION_STATUS_EXPIRED, R.RESERVATION_STATUS_FAILED,
         R.RESERVATION_STATUS_REFUNDED}
OUTCOMES = {"approve": payment_pb2.PAYMENT_SCENARIO_APPROVE,
            "fail": payment_pb2.PAYMENT_SCENARIO_FAIL}


class Failed(Exception):
    """Something other than a call went wrong (no admission in time, no final status)."""


def contract_error(rpc_error):
    """The common.v1.Error in the status details of a failed call, or None."""
    details = dict(rpc_error.trailing_metadata() or ()).get("grpc-status-details-bin")
    if not details:
        return None
    err = errors_pb2.Error()
    status_pb2.Status.FromString(details).details[0].Unpack(err)
    return err


def as_dict(message):
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def show(message, indent=2):
    """Names as in the contract; text as it is (the sample catalog's names are Korean)."""
    print(json_format.MessageToJson(message, preserving_proto_field_name=True, indent=indent,
                                    ensure_ascii=False), flush=True)


def key():
    """A fresh idempotency key: each run of a write command is a new request."""
    return uuid.uuid4().hex


def list_services(channel, _):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    reply = next(stub.ServerReflectionInfo(iter([request])))
    for service in sorted(s.name for s in reply.list_services_response.service):
        print(service)


def health(channel, _):
    show(gateway_pb2_grpc.GatewayServiceStub(channel).HealthCheck(
        gateway_pb2.HealthCheckRequest(), timeout=CALL_TIMEOUT))


def system_health(channel, _):
    show(admin_pb2_grpc.AdminServiceStub(channel).GetSystemHealth(
        admin_pb2.GetSystemHealthRequest(include_dependencies=True), timeout=CALL_TIMEOUT))


def catalog_event_ids(directory):
    """The event ids of the catalog files the node loads (one event per *.yaml, *.yml, *.json)."""
    ids = []
    try:
        for name in sorted(os.listdir(directory)):
            if name.endswith((".yaml", ".yml", ".json")):
                with open(os.path.join(directory, name)) as f:
                    ids.append(str(yaml.safe_load(f)["event_id"]))
    except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
        raise Failed("cannot read the catalog %s: %s" % (directory, e))
    return ids


def events(channel, args):
    """The contract has no call that lists events, so the ids come from the catalog directory;
    each is then read from the node, and the node's waiting rooms say which ones queue."""
    ids = catalog_event_ids(args.catalog)
    gateway = gateway_pb2_grpc.GatewayServiceStub(channel)
    rooms = queue_pb2_grpc.QueueServiceStub(channel).GetQueueStats(
        queue_pb2.GetQueueStatsRequest(), timeout=CALL_TIMEOUT)
    queued = {room.event_id for room in rooms.events}
    out = []
    for event_id in ids:
        got = gateway.GetEventAvailability(gateway_pb2.GetEventAvailabilityRequest(
            event_id=event_id), timeout=CALL_TIMEOUT)
        entry = as_dict(got.event)
        entry["sections"] = [s.section_id for s in got.sections]
        entry["waiting_room"] = event_id in queued
        out.append(entry)
    print(json.dumps({"events": out}, indent=2, ensure_ascii=False))


def admission(channel, args):
    """JoinQueue, GetQueueStatus until ready (waiting as long as the room's ETA says, within
    0.2..2 s), then RequestAdmission: the reservation token. Progress goes to stderr."""
    queue = queue_pb2_grpc.QueueServiceStub(channel)
    joined = queue.JoinQueue(queue_pb2.JoinQueueRequest(
        event_id=args.event, user_id=args.user, session_id=args.session or "s-" + args.user),
        timeout=CALL_TIMEOUT)
    print("queue: joined %s, position %d, eta %d s" % (args.event, joined.position_hint,
                                                       joined.eta_seconds), file=sys.stderr)
    deadline = time.monotonic() + args.admission_timeout
    ready = joined.status == queue_pb2.QUEUE_STATUS_READY
    eta = joined.eta_seconds
    while not ready:
        if time.monotonic() > deadline:
            raise Failed("not admitted within %g s" % args.admission_timeout)
        time.sleep(min(max(eta, 0.2), 2.0))
        status = queue.GetQueueStatus(queue_pb2.GetQueueStatusRequest(
            waiting_token=joined.waiting_token), timeout=CALL_TIMEOUT)
        ready, eta = status.admission_ready, status.eta_seconds
        if not ready:
            print("queue: position %d, eta %d s" % (status.position, eta), file=sys.stderr)
    granted = queue.RequestAdmission(queue_pb2.RequestAdmissionRequest(
        waiting_token=joined.waiting_token, event_id=args.event, user_id=args.user),
        timeout=CALL_TIMEOUT)
    if granted.admission != queue_pb2.ADMISSION_STATUS_GRANTED:
        raise Failed("admission " + queue_pb2.AdmissionStatus.Name(granted.admission))
    print("queue: admitted", file=sys.stderr)
    return granted.reservation_token


def hold(channel, args):
    token = admission(channel, args) if args.join else ""
    show(reservation_pb2_grpc.ReservationServiceStub(channel).CreateReservation(
        R.CreateReservationRequest(event_id=args.event, user_id=args.user,
                                   seat_ids=args.seat or [], quantity=args.quantity or 0,
                                   reservation_token=token, idempotency_key=key()),
        timeout=CALL_TIMEOUT))


def get_reservation(channel, reservation_id, user):
    return reservation_pb2_grpc.ReservationServiceStub(channel).GetReservation(
        R.GetReservationRequest(reservation_id=reservation_id, user_id=user),
        timeout=CALL_TIMEOUT)


def pay(channel, args):
    """An intent for the hold's total with the simulated outcome, then ProcessPayment; the
    outcome settles after the node's payment.settle_delay_ms and then confirms or fails the
    hold (watch shows it)."""
    held = get_reservation(channel, args.reservation, args.user).reservation
    payments = payment_pb2_grpc.PaymentServiceStub(channel)
    method = payment_pb2.PAYMENT_METHOD_CREDIT_CARD
    intent = payments.CreatePaymentIntent(payment_pb2.CreatePaymentIntentRequest(
        reservation_id=args.reservation, user_id=args.user, amount=held.total_amount,
        method=method, scenario=OUTCOMES[args.outcome], idempotency_key=key()),
        timeout=CALL_TIMEOUT)
    processed = payments.ProcessPayment(payment_pb2.ProcessPaymentRequest(
        payment_intent_id=intent.payment_intent_id,
        payment_details=payment_pb2.PaymentDetails(method=method), idempotency_key=key()),
        timeout=CALL_TIMEOUT)
    print(json.dumps({"intent": as_dict(intent), "payment": as_dict(processed)}, indent=2,
                     ensure_ascii=False))


def watch(channel, args):
    """Subscribes first (the node sends the stream's headers once the subscription is live),
    then reads the current state, so no change falls between the two."""
    stream = websocket_pb2_grpc.WebSocketServiceStub(channel).StreamReservationUpdates(
        websocket_pb2.StreamReservationUpdatesRequest(user_id=args.user,
                                                      reservation_ids=[args.reservation]),
        timeout=args.timeout)
    try:
        stream.initial_metadata()
        current = get_reservation(channel, args.reservation, args.user)
        show(current, indent=None)
        if current.reservation.status in FINAL:
            return
        for update in stream:
            show(update, indent=None)
            if update.reservation_update.new_status in FINAL:
                return
    except grpc.RpcError as e:
        if e.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
            raise Failed("%s is not final after %g s" % (args.reservation, args.timeout))
        raise
    finally:
        stream.cancel()
    raise Failed("the node ended the stream before %s was final" % args.reservation)


def reservation(channel, args):
    show(get_reservation(channel, args.reservation, args.user))


def positive(text):
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be above 0")
    return value


def parser():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default="localhost:8080", help="the node (host:port)")
    commands = ap.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name, run, text):
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(run=run)
        return sub

    command("services", list_services, "every service, by gRPC server reflection")
    command("health", health, "gateway.v1.GatewayService/HealthCheck")
    command("system-health", system_health, "common.v1.AdminService/GetSystemHealth")
    sub = command("events", events, "the events of the catalog directory, each as the node "
                  "reports it (GetEventAvailability), with its sections and whether it has a "
                  "waiting room (GetQueueStats); the contract has no call that lists events")
    sub.add_argument("--catalog", default=os.path.join(ROOT, "ops", "catalog"),
                     help="the node's catalog.dir (default: ops/catalog, the node's default)")
    sub = command("hold", hold, "hold seats: ReservationService/CreateReservation with a fresh "
                  "idempotency key")
    sub.add_argument("--event", required=True)
    sub.add_argument("--user", required=True)
    seats = sub.add_mutually_exclusive_group(required=True)
    seats.add_argument("--quantity", type=int, help="best available seats")
    seats.add_argument("--seat", action="append", help="a seat id (section-row-number); repeat")
    sub.add_argument("--join", action="store_true",
                     help="for an event with a waiting room: JoinQueue, wait until admitted, "
                     "RequestAdmission, and hold with its reservation token")
    sub.add_argument("--session", help="the queue session id (default: s-USER)")
    sub.add_argument("--admission-timeout", type=positive, default=300,
                     help="seconds to wait for admission (default 300)")
    sub = command("pay", pay, "pay for a hold: CreatePaymentIntent for its total with a "
                  "simulated outcome, then ProcessPayment")
    sub.add_argument("--reservation", required=True)
    sub.add_argument("--user", required=True)
    sub.add_argument("--outcome", choices=sorted(OUTCOMES), default="approve",
                     help="the simulated payment's outcome (default approve)")
    sub = command("watch", watch, "print the reservation (GetReservation), then each change "
                  "(WebSocketService/StreamReservationUpdates), until it is confirmed, "
                  "cancelled, expired, failed or refunded")
    sub.add_argument("--reservation", required=True)
    sub.add_argument("--user", required=True)
    sub.add_argument("--timeout", type=positive, default=120,
                     help="seconds to wait for a final status (default 120)")
    sub = command("reservation", reservation, "ReservationService/GetReservation")
    sub.add_argument("reservation")
    sub.add_argument("--user", required=True)
    return ap


def main():
    args = parser().parse_args()
    with grpc.insecure_channel(args.target) as channel:
        try:
            args.run(channel, args)
        except grpc.RpcError as e:
            print("error: %s %s" % (e.code().name, e.details()), file=sys.stderr)
            err = contract_error(e)
            if err:
                show(err)
                if args.run is hold and any(d.field == "reservation_token" for d in err.details):
                    print("hint: %s has a waiting room: add --join to be admitted first "
                          "(JoinQueue, wait, RequestAdmission)" % args.event, file=sys.stderr)
            return 1
        except Failed as e:
            print("error: %s" % e, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
