"""Crash test for issue #4 (persistence): "if the system said yes, it stays yes".

A flash-sale load (client threads creating holds by explicit seats and by quantity, extending and
cancelling them, and sometimes retrying a request at once with the same idempotency key) runs
against a real tacosd process. At a seeded random moment, counted in requests sent (so a seed picks
the same point of the load on any machine), the node is killed with SIGKILL and restarted on the
same data directory. The checker then compares the server's state with the client's log of what
it was told:

- every acknowledged CreateReservation, ExtendHold and CancelReservation is present with the state
  the client was told (status, seats, hold_expires_at; EXPIRED only once the hold ran out);
- no seat is held or sold by two reservations; GetInventoryStatus adds up and its reserved count
  equals the seats of the live holds; CheckAvailability agrees with both;
- no reservation exists that neither an acknowledged nor an in-flight request explains;
- every acknowledged request, retried with its original key, returns the identical reply and
  changes nothing; every in-flight request, retried twice, gets one answer, and if it had run
  before the kill its retry returns that reservation instead of creating a second one.

Negative control: the same round against a node that acknowledges writes without storing them
(--testing.unsafe_skip_persistence) must be reported as losing acknowledged writes. A last test
checks holds that expire while the node is down: released at start, their seats available.

Until issue #4 lands the node keeps everything in memory and does not know the storage flags:
run with TT_CRASH_WITHOUT_PENDING_FLAGS=1 to drop them; the main tests then fail (lost writes),
which is the expected proof that the checker sees loss."""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc, errors_pb2, types_pb2  # noqa: E402
from proto.google.rpc import status_pb2  # noqa: E402
from proto.reservation.v1 import inventory_pb2, inventory_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from node_process import NodeProcess, eventually, node_now, one_section_event  # noqa: E402

# ================================================================================================
# PENDING FLAGS (issue #4). The node rejects unknown settings, and these do not exist until
# persistence lands. TT_CRASH_WITHOUT_PENDING_FLAGS=1 drops every one of them (to run the checker
# against a pre-persistence, in-memory node, where the main tests must fail with lost writes).
# ================================================================================================
SYNC_FLAGS = {  # --storage.sync per round; "none" promises nothing, so it is not tested here
    "batch": ["--storage.sync", "batch", "--storage.max_delay_us", "2000"],
    "always": ["--storage.sync", "always"],
}
UNSAFE_SKIP_PERSISTENCE = ["--testing.unsafe_skip_persistence", "true"]
PENDING_SETTINGS = ("storage.sync", "storage.max_delay_us", "testing.unsafe_skip_persistence")
WITHOUT_PENDING_FLAGS = os.environ.get("TT_CRASH_WITHOUT_PENDING_FLAGS") == "1"


def pending(flags):
    return [] if WITHOUT_PENDING_FLAGS else list(flags)


# ================================================================================================

TACOSD = os.environ["TT_TACOSD"]
R = reservation_pb2
E = errors_pb2
SC = grpc.StatusCode

EVENT = "crash-200"
ROWS, SEATS_PER_ROW = 10, 20
TOTAL_SEATS = ROWS * SEATS_PER_ROW
ALL_SEATS = ["A-%d-%d" % (r, s) for r in range(1, ROWS + 1) for s in range(1, SEATS_PER_ROW + 1)]
CATALOG_YAML = one_section_event(EVENT, "Crash test sale", "1-%d" % ROWS,
                                 "1-%d" % SEATS_PER_ROW)

HOLD_SECONDS = 30           # holds outlive every round
MAX_EXTENSION_SECONDS = 30  # the node's default reservation.max_extension_seconds
CLIENTS = 16
CHANNELS = 4
MAX_OPS_PER_CLIENT = 3000   # bounds each client loop even if the kill never comes
# The seeded kill point, in requests sent by all clients: the 0.3-1.5 s of load the seeds picked
# when it was a time, at the ~2,900 requests/s of a 2-core host.
KILL_AFTER_REQUESTS = (870, 4350)
MAX_LIVE_HOLDS = 3          # per client: 16 x 3 x 4 seats < 200, so the sale keeps churning
CALL_TIMEOUT = 5
EXPIRY_SLACK = 1.0          # seconds a hold may outlive hold_expires_at before EXPIRED is due
ROUNDS = ((20261125, "batch"), (4242, "always"), (777001, "batch"))
NEGATIVE_SEED = 99
# Rejections a write may answer under this load (seats taken, sold out, lifetime used up).
EXPECTED_REJECTIONS = {E.ERROR_CODE_INVENTORY_CONFLICT, E.ERROR_CODE_INSUFFICIENT_INVENTORY,
                       E.ERROR_CODE_FAILED_PRECONDITION, E.ERROR_CODE_RESERVATION_EXPIRED}
# gRPC codes after which the client cannot know whether the write happened.
UNKNOWN_OUTCOME = {SC.UNAVAILABLE, SC.DEADLINE_EXCEEDED, SC.CANCELLED, SC.UNKNOWN, SC.INTERNAL}
# A retry of a *rejected* request after the restart: the README says rejections are replayed
# byte for byte, issue #4 only promises it for acknowledged writes. Off: mismatches are notes.
STRICT_REJECTION_REPLAY = False
LOST = "lost acknowledged write"
TERM_TIMEOUT = 15  # the node's shutdown.grace_ms (5 s) plus a margin


def ts(t):
    return t.seconds + t.nanos / 1e9


def fmt_ts(t):
    return "%d.%09d" % (t.seconds, t.nanos)


def contract_error(rpc_error):
    """The common.v1.Error in grpc-status-details-bin, or None when the call never got one."""
    md = dict(rpc_error.trailing_metadata() or ())
    if "grpc-status-details-bin" not in md:
        return None
    err = E.Error()
    details = status_pb2.Status.FromString(md["grpc-status-details-bin"]).details
    if not details or not details[0].Unpack(err):
        return None
    return err


class Op:
    """One request the client sent, and what it learned: outcome is "ok" (acknowledged),
    "rejected" (the node answered with a contract error) or "unknown" (no answer)."""
    RPC = {"create": "CreateReservation", "extend": "ExtendHold", "cancel": "CancelReservation"}

    def __init__(self, kind, user, request, target=None, retry_of=None):
        self.kind, self.user, self.request = kind, user, request
        self.key = request.idempotency_key
        self.target = target          # the reservation an extend/cancel is about
        self.retry_of = retry_of      # the Op this one immediately retried
        self.outcome, self.reply, self.code, self.error = None, None, None, None
        self.answered_before_kill = None

    @property
    def rid(self):
        return self.target if self.kind != "create" else (
            self.reply.reservation_id if self.outcome == "ok" else None)

    def name(self):
        about = (" of %s" % self.target) if self.target else (
            " -> %s" % self.reply.reservation_id if self.outcome == "ok" else "")
        return "%s(user=%s key=%s%s)" % (self.RPC[self.kind], self.user, self.key, about)

    def answer(self):
        """What the node said, comparable across calls."""
        if self.outcome == "ok":
            return ("ok", self.reply.SerializeToString(deterministic=True))
        if self.outcome == "rejected":
            return ("rejected", self.code, self.error.code)
        return ("unknown",)

    def describe_answer(self):
        if self.outcome == "ok":
            return "OK"
        if self.outcome == "rejected":
            return "%s %s" % (self.code.name, E.ErrorCode.Name(self.error.code))
        return "no answer (%s)" % (self.code.name if self.code else "?")


class Client:
    def __init__(self, channel, killing=None):
        self.res = reservation_pb2_grpc.ReservationServiceStub(channel)
        self.inv = inventory_pb2_grpc.InventoryServiceStub(channel)
        self.killing = killing  # set (if given) just before the node is killed

    def send(self, op):
        fn = {"create": self.res.CreateReservation, "extend": self.res.ExtendHold,
              "cancel": self.res.CancelReservation}[op.kind]
        try:
            op.reply = fn(op.request, timeout=CALL_TIMEOUT)
            op.outcome = "ok"
        except grpc.RpcError as e:
            op.code, op.error = e.code(), contract_error(e)
            op.outcome = "unknown" if (op.error is None or op.code in UNKNOWN_OUTCOME) else "rejected"
        op.answered_before_kill = self.killing is None or not self.killing.is_set()
        return op

    def retry(self, op):
        again = Op(op.kind, op.user, op.request, op.target)
        return self.send(again)


def diff(a, b):
    """The fields of two replies that differ, readably."""
    out = []
    for field in a.DESCRIPTOR.fields:
        x, y = getattr(a, field.name), getattr(b, field.name)
        if x != y:
            if field.name in ("reserved_seats", "released_seats"):
                x, y = [s.id for s in x], [s.id for s in y]
            elif field.message_type and field.message_type.full_name == "google.protobuf.Timestamp":
                x, y = fmt_ts(x), fmt_ts(y)
            elif field.name == "status":
                x, y = R.ReservationStatus.Name(x), R.ReservationStatus.Name(y)
            out.append("%s %s != %s" % (field.name, str(x).replace("\n", " "),
                                         str(y).replace("\n", " ")))
    return "; ".join(out) or "(serialised differently)"


# ---------------------------------------------------------------------------------------------
# The load
# ---------------------------------------------------------------------------------------------
def client_loop(index, seed, client, stop, log, live_problems):
    """One user's session: sequential requests, stops at the first call without an answer."""
    rng = random.Random(seed * 1000 + index)
    user = "u%02d" % index
    live = []  # reservations this user holds, as far as it was told
    n = 0

    def new_key():
        nonlocal n
        n += 1
        return "%s-s%d-k%d" % (user, seed, n)

    for _ in range(MAX_OPS_PER_CLIENT):
        if stop.is_set():
            break
        r = rng.random()
        if live and (len(live) >= MAX_LIVE_HOLDS or r < 0.2):
            rid = rng.choice(live)
            op = Op("cancel", user, R.CancelReservationRequest(
                reservation_id=rid, user_id=user, reason="crash test", idempotency_key=new_key()),
                target=rid)
        elif live and r < 0.4:
            rid = rng.choice(live)
            op = Op("extend", user, R.ExtendHoldRequest(
                reservation_id=rid, user_id=user, extension_seconds=rng.randint(1, 10),
                reason="crash test", idempotency_key=new_key()), target=rid)
        elif rng.random() < 0.5:
            row, count = rng.randint(1, ROWS), rng.randint(1, 4)
            first = rng.randint(1, SEATS_PER_ROW - count + 1)
            op = Op("create", user, R.CreateReservationRequest(
                event_id=EVENT, user_id=user, idempotency_key=new_key(),
                seat_ids=["A-%d-%d" % (row, s) for s in range(first, first + count)]))
        else:
            op = Op("create", user, R.CreateReservationRequest(
                event_id=EVENT, user_id=user, idempotency_key=new_key(),
                quantity=rng.randint(1, 4)))
        log.append(client.send(op))
        if op.outcome == "unknown":
            break
        if op.outcome == "rejected" and op.error.code not in EXPECTED_REJECTIONS:
            live_problems.append("before the kill, %s was answered %s: %s" % (
                op.name(), op.describe_answer(), op.error.message))
        if op.kind == "create" and op.outcome == "ok":
            live.append(op.reply.reservation_id)
        elif op.kind == "cancel" and op.target in live:
            live.remove(op.target)
        if rng.random() < 0.2:  # an impatient client: the same request again, at once
            again = Op(op.kind, user, op.request, op.target, retry_of=op)
            log.append(client.send(again))
            if again.outcome == "unknown":
                break
            if again.answer() != op.answer():
                live_problems.append("before the kill, the immediate retry of %s answered %s, "
                                     "the first call %s%s" % (
                                         op.name(), again.describe_answer(), op.describe_answer(),
                                         (": " + diff(op.reply, again.reply))
                                         if op.outcome == again.outcome == "ok" else ""))


def run_load(node, seed, kill=True, sig=signal.SIGKILL):
    """Runs the load, stops the node with `sig` once the clients have sent a seeded number of
    requests (kill=False: only stops the clients then); returns (log, that number, problems seen
    while the node was up). SIGTERM must stop the node, cleanly, within TERM_TIMEOUT seconds."""
    rng = random.Random(seed)
    kill_after = int(rng.uniform(*KILL_AFTER_REQUESTS))
    channels = [node.channel() for _ in range(CHANNELS)]
    killing = threading.Event()
    clients = [Client(c, killing) for c in channels]
    stop = threading.Event()
    logs = [[] for _ in range(CLIENTS)]
    live_problems = []
    threads = [threading.Thread(target=client_loop, daemon=True,
                                args=(i, seed, clients[i % CHANNELS], stop, logs[i], live_problems))
               for i in range(CLIENTS)]
    for t in threads:
        t.start()
    eventually("%d requests sent" % kill_after, lambda: sum(len(per) for per in logs),
               until=lambda sent: sent >= kill_after or not any(t.is_alive() for t in threads),
               timeout=60, step=0.005)
    killing.set()
    term_problem = None
    if kill and sig == signal.SIGTERM:
        node.proc.send_signal(signal.SIGTERM)
        try:
            code = node.proc.wait(timeout=TERM_TIMEOUT)
            if code != 0:
                term_problem = "after SIGTERM the node exited with %d" % code
        except subprocess.TimeoutExpired:
            term_problem = "the node did not stop within %d s of SIGTERM" % TERM_TIMEOUT
            node.proc.kill()
            node.proc.wait()
    elif kill:
        node.proc.kill()
        node.proc.wait()
    stop.set()
    for t in threads:
        t.join(timeout=CALL_TIMEOUT + 10)
    stuck = [t.name for t in threads if t.is_alive()]
    for c in channels:
        c.close()
    log = [op for per_client in logs for op in per_client]
    for op in log:
        if op.outcome == "unknown" and (op.answered_before_kill or not kill):
            live_problems.append("before the kill, %s got %s" % (op.name(), op.describe_answer()))
    if stuck:
        live_problems.append("client threads still running after the kill: %s" % stuck)
    if term_problem:
        live_problems.append(term_problem)
    return log, kill_after, live_problems


# ---------------------------------------------------------------------------------------------
# The checker
# ---------------------------------------------------------------------------------------------
def expected_reservations(log):
    """What the client log says each reservation must look like, from the acknowledged writes
    (immediate retries excluded: they must change nothing), and what an unanswered write may
    have changed on top."""
    exp = {}
    for op in log:
        if op.retry_of is not None:
            continue
        if op.kind == "create" and op.outcome == "ok":
            exp[op.reply.reservation_id] = {
                "user": op.user, "create": op, "seats": sorted(s.id for s in op.reply.reserved_seats),
                "status": R.RESERVATION_STATUS_HOLD, "expires": op.reply.hold_expires_at,
                "extend": None, "cancel": None, "maybe_extended": False, "maybe_cancelled": False}
        elif op.target in exp:
            e = exp[op.target]
            if op.kind == "extend" and op.outcome == "ok" and op.reply.extension_allowed:
                e["expires"], e["extend"] = op.reply.new_expires_at, op
            elif op.kind == "cancel" and op.outcome == "ok":
                e["status"], e["cancel"] = R.RESERVATION_STATUS_CANCELLED, op
            elif op.kind == "extend" and op.outcome == "unknown":
                e["maybe_extended"] = True
            elif op.kind == "cancel" and op.outcome == "unknown":
                e["maybe_cancelled"] = True
    return exp


def list_all(client, user):
    out, cursor = {}, ""
    for _ in range(100):
        page = client.res.ListReservations(R.ListReservationsRequest(
            user_id=user, pagination=types_pb2.Pagination(page_size=100, cursor=cursor)),
            timeout=CALL_TIMEOUT)
        for r in page.reservations:
            out[r.reservation_id] = r
        if not page.page_info.has_next_page:
            return out
        cursor = page.page_info.next_cursor
    raise AssertionError("ListReservations(%s) never ends" % user)


def list_everyone(client, users, problems):
    """Every reservation of these users, in full: ListReservations finds them, GetReservation
    reads them (list entries are summaries without seats)."""
    out = {}
    for user in users:
        for rid in list_all(client, user):
            try:
                out[rid] = client.res.GetReservation(R.GetReservationRequest(
                    reservation_id=rid, user_id=user), timeout=CALL_TIMEOUT).reservation
            except grpc.RpcError as err:
                problems.append("%s is listed for %s but GetReservation answers %s" % (
                    rid, user, err.code().name))
    return out


def check_inventory(client, listed, when):
    """Counts add up, no seat is held or sold twice, and availability agrees with the holds."""
    problems = []
    owner = {}
    held = sold = 0
    for rid, r in sorted(listed.items()):
        if r.status not in (R.RESERVATION_STATUS_HOLD, R.RESERVATION_STATUS_CONFIRMED):
            continue
        for s in r.seats:
            if s.id in owner:
                problems.append("%s: seat %s is held or sold by both %s and %s" % (
                    when, s.id, owner[s.id], rid))
            owner[s.id] = rid
        if r.status == R.RESERVATION_STATUS_HOLD:
            held += len(r.seats)
        else:
            sold += len(r.seats)
    stats = client.inv.GetInventoryStatus(inventory_pb2.GetInventoryStatusRequest(
        event_id=EVENT), timeout=CALL_TIMEOUT).stats
    parts = (stats.available_seats, stats.reserved_seats, stats.sold_seats, stats.blocked_seats)
    if stats.total_seats != TOTAL_SEATS or sum(parts) != TOTAL_SEATS:
        problems.append("%s: counts do not add up to %d: total %d, available %d + reserved %d + "
                        "sold %d + blocked %d" % ((when, TOTAL_SEATS, stats.total_seats) + parts))
    if stats.reserved_seats != held:
        problems.append("%s: the event counts %d reserved seats, its live holds have %d" % (
            when, stats.reserved_seats, held))
    if stats.sold_seats != sold:
        problems.append("%s: the event counts %d sold seats, its confirmed reservations have %d" % (
            when, stats.sold_seats, sold))
    available = set()
    for i in range(0, len(ALL_SEATS), 32):  # request lists are capped at 32 entries
        reply = client.inv.CheckAvailability(inventory_pb2.CheckAvailabilityRequest(
            event_id=EVENT, seat_ids=ALL_SEATS[i:i + 32]), timeout=CALL_TIMEOUT)
        available |= {s.id for s in reply.available_seats}
    for seat in sorted(available & set(owner)):
        problems.append("%s: seat %s is available but held or sold by %s" % (when, seat, owner[seat]))
    if len(available) != stats.available_seats:
        problems.append("%s: CheckAvailability finds %d seats available, GetInventoryStatus says %d"
                        % (when, len(available), stats.available_seats))
    return problems


def check_state(client, log, users, now):
    """Everything the restarted node shows that contradicts the client's log. Returns
    (problems, listing of every user's reservations, ids nobody was told about)."""
    problems = []
    exp = expected_reservations(log)
    for rid, e in sorted(exp.items()):
        create, user = e["create"], e["user"]
        try:
            got = client.res.GetReservation(R.GetReservationRequest(
                reservation_id=rid, user_id=user), timeout=CALL_TIMEOUT).reservation
        except grpc.RpcError as err:
            problems.append("%s: %s (seats %s) is gone after the restart: GetReservation answers %s"
                            % (LOST, create.name(), e["seats"], err.code().name))
            continue
        latest = ts(e["expires"]) + (MAX_EXTENSION_SECONDS if e["maybe_extended"] else 0)
        if sorted(s.id for s in got.seats) != e["seats"]:
            problems.append("%s: %s holds %s after the restart, the client was told %s" % (
                LOST, create.name(), sorted(s.id for s in got.seats), e["seats"]))
        status = got.status
        if e["status"] == R.RESERVATION_STATUS_CANCELLED:
            if status != R.RESERVATION_STATUS_CANCELLED:
                problems.append("%s: %s was acknowledged, but %s is %s after the restart" % (
                    LOST, e["cancel"].name(), rid, R.ReservationStatus.Name(status)))
            continue
        if status == R.RESERVATION_STATUS_CANCELLED and e["maybe_cancelled"]:
            continue  # the in-flight cancel happened: allowed
        if status == R.RESERVATION_STATUS_EXPIRED and now >= ts(e["expires"]) - EXPIRY_SLACK:
            continue  # ran out meanwhile
        if status != R.RESERVATION_STATUS_HOLD:
            problems.append("%s: %s should be HOLD until %s, it is %s after the restart" % (
                LOST, create.name(), fmt_ts(e["expires"]), R.ReservationStatus.Name(status)))
            continue
        if now > latest + EXPIRY_SLACK:
            problems.append("%s's hold ran out at %s but it is still HOLD after the restart "
                            "(holds that expire while the node is down must be released at start)"
                            % (rid, fmt_ts(e["expires"])))
        got_exp = ts(got.hold_expires_at)
        if got.hold_expires_at == e["expires"] or (
                e["maybe_extended"] and ts(e["expires"]) < got_exp <= latest + 1e-6):
            continue
        if e["extend"] is not None and got_exp < ts(e["expires"]):
            problems.append("%s: %s moved the hold of %s to %s, after the restart it ends at %s" % (
                LOST, e["extend"].name(), rid, fmt_ts(e["expires"]), fmt_ts(got.hold_expires_at)))
        else:
            problems.append("%s's hold ends at %s after the restart, the client was told %s" % (
                rid, fmt_ts(got.hold_expires_at), fmt_ts(e["expires"])))

    listed = list_everyone(client, users, problems)
    for user in users:
        mine = {rid for rid, r in listed.items() if r.user_id == user}
        told = {rid for rid, e in exp.items() if e["user"] == user}
        for rid in sorted(told - set(mine)):
            if any(rid in p for p in problems):
                continue  # already reported as lost
            problems.append("%s is missing from ListReservations(%s) after the restart" % (rid, user))
        in_flight = [op for op in log if op.user == user and op.kind == "create"
                     and op.outcome == "unknown"
                     and (op.retry_of is None or op.retry_of.outcome != "ok")]
        unexplained = sorted(set(mine) - told)
        if len(unexplained) > len(in_flight):
            problems.append("%s has reservations nobody was told about that no in-flight create "
                            "explains: %s (in flight: %s)" % (
                                user, unexplained, [op.key for op in in_flight]))
    problems += check_inventory(client, listed, "after the restart")
    unexplained = {rid for rid in listed if rid not in exp}
    return problems, listed, unexplained


def check_retries(client, log, users, listed, unexplained):
    """Retries every request with its original key. Returns (problems, notes)."""
    problems, notes = [], []
    first_ack = {}
    for op in log:
        if op.outcome == "ok":
            first_ack.setdefault((op.user, op.key), op)

    # 1. Acknowledged requests replay their reply and change nothing.
    for op in first_ack.values():
        again = client.retry(op)
        if again.outcome != "ok":
            problems.append("%s: the retry of %s answers %s after the restart" % (
                LOST, op.name(), again.describe_answer()))
        elif again.answer() != op.answer():
            problems.append("%s: the retry of %s answers differently after the restart: %s" % (
                LOST, op.name(), diff(op.reply, again.reply)))
    after_acked = list_everyone(client, users, problems)
    for rid in sorted(set(after_acked) - set(listed)):
        problems.append("retrying acknowledged requests created a second reservation %s (%s, %s)"
                        % (rid, after_acked[rid].user_id,
                           sorted(s.id for s in after_acked[rid].seats)))
    for rid in sorted(set(after_acked) & set(listed)):
        if after_acked[rid].status != listed[rid].status:
            problems.append("retrying acknowledged requests changed %s from %s to %s" % (
                rid, R.ReservationStatus.Name(listed[rid].status),
                R.ReservationStatus.Name(after_acked[rid].status)))

    # 2. In-flight and rejected requests: twice each, one answer; a create that ran before the
    #    kill returns its reservation instead of running again.
    others, seen = [], set(first_ack)
    for op in sorted(log, key=lambda o: o.outcome != "unknown"):  # in-flight ones first
        if (op.user, op.key) not in seen:
            seen.add((op.user, op.key))
            others.append(op)
    created_now, claimed = set(), set()
    for op in others:
        a, b = client.retry(op), client.retry(op)
        if a.outcome == "unknown" or a.answer() != b.answer():
            problems.append("retrying %s (%s before the kill) twice answers %s, then %s%s" % (
                op.name(), op.describe_answer(), a.describe_answer(), b.describe_answer(),
                (": " + diff(a.reply, b.reply)) if a.outcome == b.outcome == "ok" else ""))
        if op.outcome == "rejected" and a.answer() != op.answer():
            line = "retrying %s after the restart answers %s, before the kill it was %s" % (
                op.name(), a.describe_answer(), op.describe_answer())
            (problems if STRICT_REJECTION_REPLAY else notes).append(line)
        if op.kind == "create" and a.outcome == "ok":
            rid = a.reply.reservation_id
            if rid in unexplained:
                claimed.add(rid)
            elif rid in listed:
                problems.append("retrying %s returns %s, a reservation of another request" % (
                    op.name(), rid))
            else:
                created_now.add(rid)
    for rid in sorted(unexplained - claimed):
        problems.append("%s (%s, %s) exists but no request's retry returns it: it was created by "
                        "a request that ran twice or by none" % (
                            rid, listed[rid].user_id, sorted(s.id for s in listed[rid].seats)))
    final = list_everyone(client, users, problems)
    for rid in sorted(set(final) - set(after_acked) - created_now):
        problems.append("a retry created a second reservation %s (%s, %s)" % (
            rid, final[rid].user_id, sorted(s.id for s in final[rid].seats)))
    problems += check_inventory(client, final, "after the retries")
    return problems, notes


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------
def start_node(data_dir, catalog_dir, *flags):
    node = NodeProcess(TACOSD, "--catalog.dir", catalog_dir, *flags, data_dir=data_dir)
    try:
        return node.start()
    except (RuntimeError, ValueError) as e:  # ValueError: a non-JSON line, e.g. a flag error
        text = node.log_text()
        node.close()
        hint = ""
        if "unknown setting" in text and any(s in text for s in PENDING_SETTINGS):
            hint = ("\nThis node predates the persistence flags of issue #4; "
                    "TT_CRASH_WITHOUT_PENDING_FLAGS=1 runs without them.")
        raise AssertionError("tacosd did not start (%s):\n%s%s" % (e.__class__.__name__,
                                                                   text[-3000:], hint))


class CrashTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tacosd-crash-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.catalog = os.path.join(self.tmp, "catalog")
        os.mkdir(self.catalog)
        with open(os.path.join(self.catalog, "crash.yaml"), "w") as f:
            f.write(CATALOG_YAML)
        self.rounds = 0

    def node(self, data_dir, *flags):
        node = start_node(data_dir, self.catalog, *flags)
        self.addCleanup(node.close)
        return node

    def crash_round(self, seed, flags, label, kill=True, sig=signal.SIGKILL):
        """Load, SIGKILL (or `sig`), restart, check. Returns the problems found. kill=False
        checks the same node after the load instead (the checker's positive control)."""
        self.rounds += 1
        data_dir = os.path.join(self.tmp, "data-%d" % self.rounds)
        os.mkdir(data_dir)
        flags = ["--reservation.hold_seconds", str(HOLD_SECONDS), *flags]
        node = self.node(data_dir, *flags)
        log, kill_after, live_problems = run_load(node, seed, kill, sig)
        restarted = self.node(data_dir, *flags) if kill else node
        users = ["u%02d" % i for i in range(CLIENTS)]
        with restarted.channel() as ch:
            client = Client(ch)
            state_problems, listed, unexplained = check_state(client, log, users, node_now(ch))
            retry_problems, notes = check_retries(client, log, users, listed, unexplained)
        problems = live_problems + state_problems + retry_problems

        count = {}
        for op in log:
            tag = op.outcome if op.retry_of is None else op.outcome + "-retry"
            count[(op.kind, tag)] = count.get((op.kind, tag), 0) + 1
        acked = " ".join("%s %d" % (k, count.get((k, "ok"), 0)) for k in ("create", "extend", "cancel"))
        print("crash round %s (seed %d): %s once %d requests were sent (%d in all); "
              "acknowledged %s (+%d immediate retries); rejected %d; in flight %d; after restart: "
              "%d reservations listed, %d ran unacknowledged; %s%s" % (
                  label, seed, ("killed" if sig == signal.SIGKILL else "sent %s" % sig.name)
                  if kill else "stopped (no kill)", kill_after, len(log), acked,
                  sum(v for (k, t), v in count.items() if t == "ok-retry"),
                  sum(v for (k, t), v in count.items() if t == "rejected"),
                  sum(v for (k, t), v in count.items() if t.startswith("unknown")),
                  len(listed), len(unexplained),
                  "VERIFIED" if not problems else "%d PROBLEMS" % len(problems),
                  ("; %d notes, e.g. %s" % (len(notes), notes[0])) if notes else ""),
              file=sys.stderr)
        self.assertGreater(count.get(("create", "ok"), 0), 20, "the load acknowledged too little")
        return problems

    def assertNoProblems(self, problems):
        if problems:
            lost = sum(1 for p in problems if LOST in p)
            self.fail("%d problems (%d lost acknowledged writes), the first %d:\n  %s" % (
                len(problems), lost, min(len(problems), 40), "\n  ".join(problems[:40])))


class CrashRecovery(CrashTestCase):
    def test_acknowledged_writes_survive_sigkill_at_three_moments(self):
        problems = []
        for i, (seed, sync) in enumerate(ROUNDS):
            found = self.crash_round(seed, pending(SYNC_FLAGS[sync]),
                                     "%d/%d sync=%s" % (i + 1, len(ROUNDS), sync))
            problems += ["[round %d, seed %d] %s" % (i + 1, seed, p) for p in found]
        self.assertNoProblems(problems)

    def test_sigterm_under_load_stops_cleanly_and_keeps_every_acknowledged_write(self):
        """A graceful stop in the middle of the load: the node drains, its actors (events and
        their reservations, which hold each other's handles) stop, it exits 0 in time, and the
        restart finds everything it acknowledged."""
        self.assertNoProblems(self.crash_round(ROUNDS[1][0], pending(SYNC_FLAGS["batch"]),
                                               "SIGTERM", sig=signal.SIGTERM))

    def test_positive_control_the_checker_finds_nothing_without_a_crash(self):
        """The same load and checks against a node that is not killed: every problem here is
        the checker's (or the node's, not the crash's)."""
        self.assertNoProblems(self.crash_round(ROUNDS[0][0], pending(SYNC_FLAGS["batch"]),
                                               "positive control", kill=False))

    def test_negative_control_a_node_that_skips_persistence_is_caught(self):
        problems = self.crash_round(NEGATIVE_SEED, pending(UNSAFE_SKIP_PERSISTENCE),
                                    "negative control")
        lost = [p for p in problems if p.startswith(LOST)]
        self.assertTrue(lost, "the checker found no lost acknowledged write on a node that stores "
                              "nothing; it found: %s" % problems[:10])
        print("negative control: %d problems, %d lost acknowledged writes, e.g. %s" % (
            len(problems), len(lost), lost[0]), file=sys.stderr)

    def test_holds_that_expire_while_the_node_is_down_are_released_at_start(self):
        data_dir = os.path.join(self.tmp, "data-expiry")
        os.mkdir(data_dir)
        flags = ["--reservation.hold_seconds", "2", *pending(SYNC_FLAGS["batch"])]
        node = self.node(data_dir, *flags)
        log = []
        with node.channel() as ch:
            client = Client(ch)

            def do(op):
                log.append(client.send(op))
                self.assertEqual(op.outcome, "ok", "%s: %s" % (op.name(), op.describe_answer()))
                return op.reply

            def create(user, k, **kw):
                return do(Op("create", user, R.CreateReservationRequest(
                    event_id=EVENT, user_id=user, idempotency_key=k, **kw)))

            lapsing = [create("x1", "x1-k1", seat_ids=["A-1-1", "A-1-2"]),
                       create("x2", "x2-k1", quantity=3)]
            cancelled = create("x3", "x3-k1", seat_ids=["A-2-1"]).reservation_id
            do(Op("cancel", "x3", R.CancelReservationRequest(
                reservation_id=cancelled, user_id="x3", idempotency_key="x3-k2"), target=cancelled))
            extended = create("x4", "x4-k1", seat_ids=["A-3-1"]).reservation_id
            ext = do(Op("extend", "x4", R.ExtendHoldRequest(
                reservation_id=extended, user_id="x4", extension_seconds=MAX_EXTENSION_SECONDS,
                idempotency_key="x4-k2"), target=extended))
            self.assertTrue(ext.extension_allowed, ext)
        node.proc.kill()
        node.proc.wait()
        killed = time.monotonic()
        # The two holds run out while the node is down, by the one clock there is then: the
        # machine's, which the node reads when it starts again.
        lapse = max(ts(r.hold_expires_at) for r in lapsing)
        eventually("the lapsing holds' deadline to pass", time.time,
                   until=lambda now: now > lapse, timeout=5)
        restarted = self.node(data_dir, *flags)
        users = ["x1", "x2", "x3", "x4"]
        lapsed_seats = sorted(s.id for r in lapsing for s in r.reserved_seats)
        with restarted.channel() as ch:
            client = Client(ch)
            # Straight after the start: no waiting for a timer to fire.
            problems, listed, unexplained = check_state(client, log, users, node_now(ch))
            for r in lapsing:
                rid = r.reservation_id
                if rid in listed and listed[rid].status != R.RESERVATION_STATUS_EXPIRED:
                    problems.append("%s ran out while the node was down but is %s after the "
                                    "restart" % (rid, R.ReservationStatus.Name(listed[rid].status)))
            free = {s.id for s in client.inv.CheckAvailability(
                inventory_pb2.CheckAvailabilityRequest(event_id=EVENT, seat_ids=lapsed_seats),
                timeout=CALL_TIMEOUT).available_seats}
            if set(lapsed_seats) - free:
                problems.append("seats %s of holds that expired while the node was down are not "
                                "available after the restart" % sorted(set(lapsed_seats) - free))
            if extended in listed and listed[extended].status != R.RESERVATION_STATUS_HOLD:
                problems.append("%s was extended to %s but is %s after the restart" % (
                    extended, fmt_ts(ext.new_expires_at),
                    R.ReservationStatus.Name(listed[extended].status)))
            retry_problems, _ = check_retries(client, log, users, listed, unexplained)
            problems += retry_problems
            # What recovery restored, as GetSystemHealth reports it.
            health = admin_pb2_grpc.AdminServiceStub(ch).GetSystemHealth(
                admin_pb2.GetSystemHealthRequest(), timeout=CALL_TIMEOUT)
            store = {s.service_name: s for s in health.services}["snapshot_store"].metrics
            expected = {"recovered_events": "1", "recovered_reservations": "4",
                        "recovered_lapsed_holds": "2", "recovered_live_holds": "1"}
            for k, v in expected.items():
                if store.get(k) != v:
                    problems.append("GetSystemHealth reports %s=%s after the restart, expected %s"
                                    % (k, store.get(k), v))
        print("expired while down: killed, restarted %.1f s later; %d lapsed seats, %s" % (
            time.monotonic() - killed, len(lapsed_seats),
            "VERIFIED" if not problems else "%d PROBLEMS" % len(problems)), file=sys.stderr)
        self.assertNoProblems(problems)


if __name__ == "__main__":
    unittest.main(verbosity=2)
