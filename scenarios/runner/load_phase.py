"""A load phase: N seeded virtual users, each a flow of steps (user_flow.py), run by a pool of
`concurrency` threads. A user is a generator: it makes its calls in whichever thread runs it and
yields how long to wait before it continues (a queue poll, a confirmation poll). Waiting costs no
thread, so thousands of users can stand in a waiting room at once while `concurrency` bounds the
calls in flight, as a real crowd and a real client pool would."""
import heapq
import threading
import time

import grpc

from user_flow import FLOW_STEPS, STEP_NAMES, user_flow


class StepStats:
    """Requests, errors by status and latencies of one flow step (join, admission, ...)."""

    def __init__(self):
        self.requests, self.errors, self.latencies = 0, {}, []

    def add(self, status, seconds):
        self.requests += 1
        self.latencies.append(seconds)
        if status != "OK":
            self.errors[status] = self.errors.get(status, 0) + 1

    def summary(self):
        lat = sorted(self.latencies)
        return {"requests": self.requests, "errors": self.errors,
                "p50_ms": percentile_ms(lat, 0.5), "p99_ms": percentile_ms(lat, 0.99)}


def percentile_ms(ordered, p):
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2) if ordered else 0


class LoadRecorder:
    """What every user of one phase reports, under one lock: calls per step, outcomes, problems,
    admission waits, and the queue observations the admission-order invariant reads."""

    def __init__(self, run):
        self.run = run  # the scenario's Run: its call() records every acknowledged reservation
        self.lock = threading.Lock()
        self.steps = {name: StepStats() for name in STEP_NAMES}
        self.outcomes, self.problems, self.admission_waits = {}, [], []
        self.queue_log = []  # one queue_order.QueueObservation per user that joined
        self.last_unsold, self.first_sold_out = 0.0, float("inf")
        self.admissions, self.streams, self.stream_threads = [], [], []

    def call(self, step, method, request, index):
        """User `index`'s call: it goes to the user's node (Run.via)."""
        started = time.monotonic()
        result = self.run.call(method, request, index)
        with self.lock:
            self.steps[step].add(result[0], time.monotonic() - started)
        return result

    def who(self, user, index):
        """How a problem names user `index`: with its node when there are several."""
        return user + self.run.where(index)

    def outcome(self, name):
        with self.lock:
            self.outcomes[name] = self.outcomes.get(name, 0) + 1

    def problem(self, text):
        with self.lock:
            self.problems.append(text)

    def retry_compared(self, differed):
        with self.lock:
            self.run.retries["compared"] += 1
            self.run.retries["differed"] += int(differed)

    def admitted_after(self, seconds):
        with self.lock:
            self.admission_waits.append(seconds)

    def joined(self, observation):
        with self.lock:
            self.queue_log.append(observation)

    # -- what the sell-out check reads (check_sold_out) -------------------------------------
    def seat_unsold(self, sent):
        """A call sent at `sent` found a seat held, not sold: the sell-out came after it."""
        with self.lock:
            self.last_unsold = max(self.last_unsold, sent)

    def sold_out_seen(self, at):
        with self.lock:
            self.first_sold_out = min(self.first_sold_out, at)

    def admitted_at(self, sent):
        with self.lock:
            self.admissions.append(sent)

    def follow(self, user, index, waiting_token):
        """Follows the entry on StreamQueueUpdates in a thread of its own, noting when the stream
        said the event sold out, or ended (ready, left)."""
        seen = {"user": user, "notice": None, "ended": None}
        thread = threading.Thread(target=follow_stream, daemon=True,
                                  args=(self, self.run.via(index), waiting_token, seen))
        with self.lock:
            self.streams.append(seen)
            self.stream_threads.append(thread)
        thread.start()


STREAM = "gateway.v1.WebSocketService/StreamQueueUpdates"


def follow_stream(rec, node, waiting_token, seen):
    """Reads one queue stream until it says the event is sold out (then cancels it) or ends."""
    call, replies = node.stream(STREAM, {"waiting_token": waiting_token}, timeout=600)
    try:
        for reply in replies:
            if reply.get("queue_update", {}).get("admission_ready"):
                seen["ready"] = True  # called to the front: no longer waiting in line
            notice = reply.get("system_update", {}).get("event_type")
            if notice == "SYSTEM_EVENT_TYPE_EVENT_SOLD_OUT":
                seen["notice"] = time.monotonic()
                rec.sold_out_seen(seen["notice"])
                call.cancel()
                return
    except grpc.RpcError as e:
        seen["error"] = e.code().name  # the stream failed: check_sold_out reports it
    seen["ended"] = time.monotonic()


def check_sold_out(rec, within):
    """Buyers still waiting when the event sold out learn it within `within` seconds, and nobody
    is admitted after it was announced (`within` None: the notice's lag is reported, not
    bounded). The sell-out's moment is bounded from the client: it came
    after every call that still found a seat held (rec.last_unsold), so a notice that far from
    that bound is at most that late."""
    problems = ["%s: its queue stream failed with %s" % (s["user"], s["error"])
                for s in rec.streams if s.get("error")]
    if rec.last_unsold == 0.0:
        return ["sold out: no call found a seat held, so the sell-out has no moment to check"], None
    # Still in line at the sell-out: not ended before its earliest moment, and not ended by being
    # called to the front (a stream that says ADMISSION_READY ends; the sell-out may have come
    # between that and rec.last_unsold's bound, and RequestAdmission then refuses it).
    waiting = [s for s in rec.streams
               if s["notice"] is not None or s["ended"] is None
               or (s["ended"] >= rec.last_unsold and not s.get("ready"))]
    if not waiting:
        problems.append("sold out: no followed buyer was still waiting at the sell-out")
    lags = []
    for s in waiting:
        if s["notice"] is None:
            how = "still open" if s["ended"] is None else "ended %.3f s after the last unsold " \
                "seat" % (s["ended"] - rec.last_unsold)
            problems.append("%s: its queue stream never said the event sold out (%s)" % (
                s["user"], how))
            continue
        lags.append(s["notice"] - rec.last_unsold)
        if within is not None and lags[-1] > within:
            problems.append("%s: told of the sell-out %.2f s after it (at most %s s)" % (
                s["user"], lags[-1], within))
    late = [a for a in rec.admissions if a > rec.first_sold_out]
    if late:
        problems.append("%d admission(s) granted after the sell-out was announced" % len(late))
    return problems, (round(max(lags), 3) if lags else None)


def run_users(flows, threads):
    """Runs every generator in `flows` to its end with `threads` workers; a yielded number is the
    seconds until that user's next step. Users start in list order."""
    due = [(time.monotonic(), i, flow) for i, flow in enumerate(flows)]
    heapq.heapify(due)
    state = {"left": len(flows)}
    ready = threading.Condition()

    def worker():
        while True:
            with ready:
                while True:
                    if state["left"] == 0:
                        return
                    now = time.monotonic()
                    if due and due[0][0] <= now:
                        _, order, flow = heapq.heappop(due)
                        break
                    ready.wait(due[0][0] - now if due else None)
            try:
                delay = next(flow)
            except StopIteration:
                with ready:
                    state["left"] -= 1
                    ready.notify_all()
                continue
            with ready:
                heapq.heappush(due, (time.monotonic() + delay, order, flow))
                ready.notify()

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def run_load(run, load, users, seed):
    """Runs one load phase (the `load:` mapping of scenarios/README.md) with `users` users.
    Returns (summary for the report, outcomes by name, problems, queue observations)."""
    flow = load.get("flow", ["hold"])
    unknown = [s for s in flow if s not in FLOW_STEPS]
    if unknown:
        raise ValueError("load flow: unknown step(s) %s (known: %s)" % (
            unknown, ", ".join(FLOW_STEPS)))
    recorder = LoadRecorder(run)
    started = time.monotonic()
    # Watchers, spread evenly through the line, see it often: users that trust the ETA poll about
    # once, which leaves the admission-order invariant little to compare.
    watchers = min(users, int(load.get("watchers", 0)))
    watching = {i * users // watchers for i in range(watchers)} if watchers else set()
    # Stream followers (`stream_watchers`): the sell-out check's witnesses, the last to join, so
    # the last to be called. On a slow machine the line drains before the sell-out; these are
    # the buyers most likely still in it.
    streamers = min(users, int(load.get("stream_watchers", 0)))
    streaming = set(range(users - streamers, users))
    run_users([user_flow(recorder, load, flow, seed, i, i in watching, i in streaming)
               for i in range(users)], min(users, int(load.get("concurrency", 32))))
    for thread in recorder.stream_threads:
        thread.join(timeout=10)
    elapsed = max(time.monotonic() - started, 1e-6)
    steps = {name: s.summary() for name, s in recorder.steps.items() if s.requests}
    every = sorted(x for s in recorder.steps.values() for x in s.latencies)
    errors = {}
    for s in recorder.steps.values():
        for status, n in s.errors.items():
            errors[status] = errors.get(status, 0) + n
    requests = sum(s.requests for s in recorder.steps.values())
    summary = {"users": users, "requests": requests, "errors": errors,
               "outcomes": recorder.outcomes, "rps": round(requests / elapsed, 1),
               "p50_ms": percentile_ms(every, 0.5), "p99_ms": percentile_ms(every, 0.99),
               "seconds": round(elapsed, 2), "steps": steps}
    problems = recorder.problems
    if "sold_out_notice_within" in load:
        within = float(load["sold_out_notice_within"]) if run.timing else None
        found, lag = check_sold_out(recorder, within)
        problems = problems + found
        summary["sold_out_notice_lag_s"] = lag
    if recorder.admission_waits:
        waits = sorted(recorder.admission_waits)
        summary["admission_wait_p50_s"] = round(percentile_ms(waits, 0.5) / 1000, 2)
        summary["admission_wait_p99_s"] = round(percentile_ms(waits, 0.99) / 1000, 2)
    return summary, recorder.outcomes, problems, recorder.queue_log
