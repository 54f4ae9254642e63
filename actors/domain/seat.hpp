#pragma once
/// One seat's state machine: AVAILABLE → HELD(reservation, until) → SOLD, or BLOCKED (never sold).
/// Owned by its event's inventory (event_inventory applies these transitions to many seats at once,
/// so a multi-seat hold is all-or-nothing); a seat actor may also run it alone. Pure: `now` is a
/// parameter, and a hold whose `until` has passed counts as available for a new hold (lazy expiry),
/// so correctness never depends on an expiry timer firing on time.

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/ids.hpp"
#include "actors/common/result.hpp"

namespace tt::domain {

enum class seat_status : uint8_t { available, held, sold, blocked };

struct seat_state {
  seat_status status = seat_status::available;
  /// Non-empty exactly when status is held or sold: the one reservation that has the seat.
  reservation_id holder;
  /// Meaningful only while held: at this instant the hold is over.
  timestamp held_until{};
};

/// Available, or held by a hold that has run out.
bool is_free(const seat_state& seat, timestamp now) noexcept;

/// Why a seat is not free ("held", "sold", "blocked"); "available" if it is free.
std::string_view status_reason(const seat_state& seat, timestamp now) noexcept;

// Commands (imperative).
struct hold_seat {
  reservation_id reservation;
  timestamp until;
};
struct release_seat { // the holder gives a held seat back (cancel, payment failed)
  reservation_id reservation;
};
struct sell_seat { // commit: only the holder, only before `until`
  reservation_id reservation;
};
struct expire_seat_hold { // timer: only if still held by this reservation and `until` has passed
  reservation_id reservation;
};
struct return_seat { // refund: a sold seat goes back on sale
  reservation_id reservation;
};
struct prolong_seat_hold { // ExtendHold: a live hold moves its deadline later
  reservation_id reservation;
  timestamp until;
};
using seat_command = std::variant<hold_seat, release_seat, sell_seat, expire_seat_hold, return_seat,
                                  prolong_seat_hold>;

// Events (past tense).
struct seat_held {
  reservation_id reservation;
  timestamp until;
};
struct seat_released {
  reservation_id reservation;
};
struct seat_sold {
  reservation_id reservation;
};
struct seat_hold_expired {
  reservation_id reservation;
};
struct seat_returned {
  reservation_id reservation;
};
struct seat_hold_prolonged {
  reservation_id reservation;
  timestamp until;
};
using seat_event = std::variant<seat_held, seat_released, seat_sold, seat_hold_expired,
                                seat_returned, seat_hold_prolonged>;

/// The events a command produces, or why it is rejected (nothing changes then):
/// hold of a non-free seat → inventory_conflict; hold of a lazily expired seat → [seat_hold_expired
/// of the old holder, seat_held]; sell or prolong after `until` → reservation_expired; prolong to
/// an earlier deadline → invalid_argument; wrong holder or wrong status → failed_precondition.
result<std::vector<seat_event>> decide(const seat_state& seat, const seat_command& command,
                                       timestamp now);

/// Applies an event decide produced. An event that does not fit the state is an invariant breach.
/// Call it qualified, `domain::apply(...)`: ADL through std::variant also finds std::apply.
seat_state apply(seat_state seat, const seat_event& event);

} // namespace tt::domain
