"""The invariants checked after every scenario (scenarios/README.md), against the node itself:
every reservation a step or a load created is read back, every event's counts are fetched.
`run` is the scenario's replay.Run: its call(), doc, reservations, retries and queue_logs."""
import time
from datetime import datetime

import queue_order

GET = "reservation.v1.ReservationService/GetReservation"
LIVE = ("RESERVATION_STATUS_HOLD", "RESERVATION_STATUS_CONFIRMED")


def check(run):
    """Every broken invariant, one line each (empty: all hold)."""
    problems = []
    seats, statuses, latest_deadline = read_back(run, problems)
    for i, event in enumerate([e["event_id"] for e in run.doc.get("events") or []]):
        problems += count_problems(run, event, i, seats, statuses)
    if run.doc.get("holds_end", True) and latest_deadline:
        problems += holds_not_ended(run, statuses, latest_deadline)
    for event, log in sorted(run.queue_logs.items()):
        problems += queue_order.admission_order_problems(log, event)
    if run.retries["differed"]:
        problems.append("%d of %d immediate retries got a different reply" % (
            run.retries["differed"], run.retries["compared"]))
    return problems


def read_back(run, problems):
    """No seat taken twice: (seat -> reservation of every live one, reservation -> status, the
    latest hold deadline as epoch seconds)."""
    seats, statuses, latest_deadline = {}, {}, 0
    for i, (rid, (user, event)) in enumerate(sorted(run.reservations.items())):
        status, got, _, _ = run.call(GET, {"reservation_id": rid, "user_id": user}, i)
        if status != "OK":
            problems.append("acknowledged reservation %s: GetReservation%s answers %s" % (
                rid, run.where(i), status))
            continue
        r = got["reservation"]
        statuses[rid] = r["status"]
        if r["status"] == "RESERVATION_STATUS_HOLD":
            exp = r.get("hold_expires_at", "1970-01-01T00:00:00Z")
            latest_deadline = max(latest_deadline, epoch(exp))
        if r["status"] in LIVE:
            for s in r.get("seats", []):
                key = (event, s["id"])
                if key in seats:
                    problems.append("seat %s of %s is %s by %s and by %s" % (
                        s["id"], event, "taken", seats[key], rid))
                seats[key] = rid
    return seats, statuses, latest_deadline


def count_problems(run, event, index, seats, statuses):
    """available + held + sold + blocked = capacity, and (when the scenario owns the event) the
    server's sold and held counts against what the acknowledged reservations add up to."""
    status, inv, _, _ = run.call("reservation.v1.InventoryService/GetInventoryStatus",
                                 {"event_id": event}, index)
    if status != "OK":
        return ["GetInventoryStatus(%s)%s answers %s" % (event, run.where(index), status)]
    problems = []
    st = inv.get("stats", {})
    total, avail, held, sold, blocked = (int(st.get(k, 0)) for k in (
        "total_seats", "available_seats", "reserved_seats", "sold_seats", "blocked_seats"))
    if avail + held + sold + blocked != total:
        problems.append("%s: available %d + held %d + sold %d + blocked %d != capacity %d"
                        % (event, avail, held, sold, blocked, total))
    my_sold = sum(1 for (e, _), rid in seats.items()
                  if e == event and statuses.get(rid) == "RESERVATION_STATUS_CONFIRMED")
    my_held = sum(1 for (e, _), rid in seats.items()
                  if e == event and statuses.get(rid) == "RESERVATION_STATUS_HOLD")
    if run.doc.get("owns_events", True):
        if sold != my_sold:
            problems.append("%s: the server counts %d sold, the acknowledged "
                            "reservations add up to %d" % (event, sold, my_sold))
        if held > my_held:
            problems.append("%s: the server counts %d held, the acknowledged "
                            "reservations hold only %d" % (event, held, my_held))
    return problems


def holds_not_ended(run, statuses, latest_deadline):
    """Waits past the latest deadline, then every reservation that was HOLD must not be."""
    time.sleep(max(0.0, latest_deadline - time.time()) + 1.5)
    problems = []
    for i, (rid, (user, _)) in enumerate(sorted(run.reservations.items())):
        if statuses.get(rid) != "RESERVATION_STATUS_HOLD":
            continue
        status, got, _, _ = run.call(GET, {"reservation_id": rid, "user_id": user}, i)
        if status == "OK" and got["reservation"]["status"] == "RESERVATION_STATUS_HOLD":
            problems.append("%s is still held after its deadline%s" % (rid, run.where(i)))
    return problems


def epoch(ts):
    """Seconds since the epoch of an RFC 3339 timestamp as the JSON mapping writes it."""
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()
