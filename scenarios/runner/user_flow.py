"""One virtual user of a load phase: join -> admission -> hold -> pay -> confirm, the steps its
flow names. A generator (see load_phase.run_users): it makes its calls through the phase's
recorder and yields the seconds it waits before its next call. Outcomes are the ones
scenarios/README.md lists."""
import random
import time
import uuid

from queue_order import QueueObservation

# What a flow may name, in the order they run; "admission" is the wait after "join".
FLOW_STEPS = ("join", "hold", "pay", "confirm")
STEP_NAMES = ("join", "admission", "hold", "pay", "confirm")

JOIN = "gateway.v1.QueueService/JoinQueue"
STATUS = "gateway.v1.QueueService/GetQueueStatus"
ADMIT = "gateway.v1.QueueService/RequestAdmission"
LEAVE = "gateway.v1.QueueService/LeaveQueue"
CREATE = "reservation.v1.ReservationService/CreateReservation"
GET = "reservation.v1.ReservationService/GetReservation"
INTENT = "payment.v1.PaymentService/CreatePaymentIntent"
PROCESS = "payment.v1.PaymentService/ProcessPayment"
SOLD_OUT = ["ERROR_CODE_INVENTORY_CONFLICT", "ERROR_CODE_INSUFFICIENT_INVENTORY"]


def code_of(status, error):
    return (error or {}).get("code", status)


def user_flow(rec, load, flow, seed, index, watcher=False, streamer=False):
    """`watcher`: while waiting, poll every poll_min seconds instead of trusting the ETA.
    `streamer`: also follow the entry on StreamQueueUpdates (load_phase.follow_stream)."""
    rng = random.Random(seed * 1000003 + index)
    user = "%s-%d" % (load.get("user_prefix", "vu"), index)
    token = None
    if "join" in flow:
        token = yield from admission(rec, load, user, index, watcher, streamer)
        if token is None:
            return
    reply = hold(rec, load, rng, user, index, token)
    if reply is None:
        return
    if "pay" not in flow:
        rec.outcome("held")
        return
    if not pay(rec, load, user, index, reply):
        return
    if "confirm" not in flow:
        rec.outcome("paid")
        return
    yield from confirmation(rec, load, user, index, reply["reservation_id"])


def poll_delay(load, eta_seconds):
    """The room's ETA, within [poll_min, poll_max]: a user trusts the estimate, so it polls about
    twice in all (polling at a fraction of it would cost each user log(ETA) polls, and a crowd's
    polls would then outnumber every other call)."""
    return min(max(float(eta_seconds), float(load.get("poll_min", 0.1))),
               float(load.get("poll_max", 2.0)))


def told_sold_out(reply):
    """Whether a GetQueueStatus reply says the event is sold out (the room admits nobody more)."""
    return (reply.get("status") == "QUEUE_STATUS_ERROR" and
            (reply.get("error") or {}).get("code") in SOLD_OUT)


def admission(rec, load, user, index, watcher, streamer):
    """JoinQueue, GetQueueStatus until ready, RequestAdmission: the reservation token, or None
    after recording why not. A user told the event is sold out leaves the line (outcome "told
    sold out"); every other refusal here is a problem, but a sold-out refusal of the admission
    itself: the room must take every user."""
    event = load["event"]
    sent = time.monotonic()
    status, reply, error, _ = rec.call("join", JOIN, {"event_id": event, "user_id": user,
                                                      "session_id": "s-" + user}, index)
    if status != "OK":
        return refused(rec, rec.who(user, index), "join refused", "JoinQueue", status, error)
    seen = QueueObservation(user, sent, time.monotonic())
    rec.joined(seen)
    waiting_token = reply["waiting_token"]
    deadline = seen.join_acked + float(load.get("admission_timeout", 120))
    ready = reply.get("status") == "QUEUE_STATUS_READY"
    if ready:
        seen.ready(seen.join_acked)
    else:
        seen.waiting(sent, int(reply.get("position_hint", 0)))
    eta = int(reply.get("eta_seconds", 0))
    if streamer and not ready:
        rec.follow(user, index, waiting_token)
    while not ready:
        if time.monotonic() > deadline:
            rec.outcome("not admitted")
            rec.problem("%s: not admitted within %s s" % (
                rec.who(user, index), load.get("admission_timeout", 120)))
            return None
        yield float(load.get("poll_min", 0.1)) if watcher else poll_delay(load, eta)
        sent = time.monotonic()
        status, got, error, _ = rec.call("admission", STATUS, {"waiting_token": waiting_token},
                                         index)
        if status != "OK":
            return refused(rec, rec.who(user, index), "left the queue", "GetQueueStatus", status,
                           error)
        if told_sold_out(got):
            rec.sold_out_seen(time.monotonic())
            rec.call("admission", LEAVE, {"waiting_token": waiting_token,
                                          "reason": "sold out"}, index)
            rec.outcome("told sold out")
            return None
        if got.get("admission_ready"):
            seen.ready(time.monotonic())
            ready = True
        else:
            seen.waiting(sent, int(got.get("position", 0)))
            eta = int(got.get("eta_seconds", 0))
    sent = time.monotonic()
    status, grant, error, _ = rec.call("admission", ADMIT, {
        "waiting_token": waiting_token, "event_id": event, "user_id": user}, index)
    if status != "OK" and code_of(status, error) in load.get("accept_errors", SOLD_OUT):
        rec.outcome("admission refused: " + code_of(status, error))
        return None
    if status != "OK":
        return refused(rec, rec.who(user, index), "admission refused", "RequestAdmission", status,
                       error)
    rec.admitted_at(sent)
    rec.admitted_after(time.monotonic() - seen.join_acked)
    return grant["reservation_token"]


def refused(rec, user, outcome, method, status, error):
    code = code_of(status, error)
    rec.outcome("%s: %s" % (outcome, code))
    rec.problem("%s: %s answered %s %s" % (user, method, status, code))
    return None


def hold(rec, load, rng, user, index, reservation_token):
    """CreateReservation (with the token when the user came through the queue), sometimes retried
    at once: the reply, or None after recording the refusal."""
    req = {"event_id": load["event"], "user_id": user, "idempotency_key": uuid.uuid4().hex}
    if "seats" in load:
        pool = load["seats"]
        req["seat_ids"] = rng.sample(pool, min(len(pool), int(load.get("pick", 1))))
    else:
        req["quantity"] = int(load.get("quantity", 1))
    if reservation_token:
        req["reservation_token"] = reservation_token
    sent = time.monotonic()
    status, reply, error, raw = rec.call("hold", CREATE, req, index)
    if status == "OK":
        rec.seat_unsold(sent)  # a seat was held, not sold, when this call reached the node
    if rng.random() < float(load.get("retry_ratio", 0.1)):
        again = rec.call("hold", CREATE, req, index)
        differed = again[0] != status or again[3] != raw
        rec.retry_compared(differed)
        if differed:
            rec.problem("%s: the retry of CreateReservation got another reply" % rec.who(user,
                                                                                         index))
    if status == "OK":
        return reply
    code = code_of(status, error)
    rec.outcome("hold refused: " + code)
    if code not in load.get("accept_errors", SOLD_OUT):
        rec.problem("%s: CreateReservation answered %s %s" % (rec.who(user, index), status, code))
    return None


def pay(rec, load, user, index, held):
    """CreatePaymentIntent for the hold's total, then ProcessPayment: False if the intent was
    refused."""
    status, intent, _, _ = rec.call("pay", INTENT, {
        "reservation_id": held["reservation_id"], "user_id": user,
        "amount": held["total_amount"], "scenario": load.get("payment", "PAYMENT_SCENARIO_APPROVE"),
        "idempotency_key": uuid.uuid4().hex}, index)
    if status != "OK":
        rec.outcome("intent refused")
        return False
    rec.call("pay", PROCESS, {"payment_intent_id": intent["payment_intent_id"],
                              "idempotency_key": uuid.uuid4().hex}, index)
    return True


def confirmation(rec, load, user, index, reservation_id):
    """GetReservation every `confirm_poll` seconds (0.1) until the reservation leaves HOLD (its
    final status is the outcome), or `confirm_timeout` passes ("still held")."""
    deadline = time.monotonic() + float(load.get("confirm_timeout", 15))
    while time.monotonic() < deadline:
        sent = time.monotonic()
        _, got, _, _ = rec.call("confirm", GET, {"reservation_id": reservation_id,
                                                 "user_id": user}, index)
        state = (got or {}).get("reservation", {}).get("status")
        if state == "RESERVATION_STATUS_HOLD":
            rec.seat_unsold(sent)
        if state and state != "RESERVATION_STATUS_HOLD":
            rec.outcome(state)
            return
        yield float(load.get("confirm_poll", 0.1))
    rec.outcome("still held")
