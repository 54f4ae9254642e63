"""The invariant "no user admitted out of order", from what the load's users saw of the waiting
room (no server internals). A room admits by join sequence (a serving counter that only moves
forward), so two things can never be observed from outside:

- a user's place in line rising while it waits (nobody can be put ahead of it);
- a user A seen waiting after a user B who joined after A (B's JoinQueue was sent after A's was
  answered) was seen admitted: B's admission moved the counter past B, hence past A.

Both checks use only the client's own clock and the bounds every call gives (the server handled
it after it was sent and before it was answered), so they never accuse a correct room; how often
a wrong room is caught depends on how often users poll."""


class QueueObservation:
    """One user's queue life as its client saw it: times are time.monotonic() seconds."""

    __slots__ = ("user", "join_sent", "join_acked", "last_waiting_sent", "ready_seen",
                 "last_position", "rise")

    def __init__(self, user, join_sent, join_acked):
        self.user, self.join_sent, self.join_acked = user, join_sent, join_acked
        self.last_waiting_sent = None  # when the last call that found it waiting was sent
        self.ready_seen = None  # when the first call that found it ready (or admitted) returned
        self.last_position = None
        self.rise = None  # (from, to): the first time its place went up

    def waiting(self, sent, position):
        if self.last_position is not None and position > self.last_position and not self.rise:
            self.rise = (self.last_position, position)
        self.last_position = position
        self.last_waiting_sent = sent

    def ready(self, answered):
        if self.ready_seen is None:
            self.ready_seen = answered


def admission_order_problems(observations, event, limit=20):
    """What `observations` (one event's users) prove went out of order, at most `limit` lines."""
    problems = ["%s: %s's place in line rose from %d to %d while it waited" % (
        event, o.user, o.rise[0], o.rise[1]) for o in observations if o.rise]
    # Sweep the users by join send time; `earlier` advances over users by join answer time, so
    # it always holds exactly those who joined before the current one, with the one seen waiting
    # last among them.
    by_answer = sorted(observations, key=lambda o: o.join_acked)
    latest_waiter, taken = None, 0
    for later in sorted(observations, key=lambda o: o.join_sent):
        while taken < len(by_answer) and by_answer[taken].join_acked < later.join_sent:
            o = by_answer[taken]
            if o.last_waiting_sent is not None and (
                    latest_waiter is None or o.last_waiting_sent > latest_waiter.last_waiting_sent):
                latest_waiter = o
            taken += 1
        if later.ready_seen is None or latest_waiter is None:
            continue
        if latest_waiter.last_waiting_sent > later.ready_seen:
            problems.append("%s: %s was admitted while %s, who joined before it, still waited "
                            "(seen waiting %.3f s later)" % (
                                event, later.user, latest_waiter.user,
                                latest_waiter.last_waiting_sent - later.ready_seen))
    return problems[:limit]
