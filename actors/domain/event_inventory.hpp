#pragma once
/// All seats of one event, and the counters over them. Owned by the event's actor, which serialises
/// every multi-seat decision for the event: that is what makes a hold of several seats
/// all-or-nothing without locks (ARCHITECTURE.md, option a). Pure: `now` is a parameter; expired
/// holds are treated as free by every decision and query even before `expire_holds` sweeps them.
///
/// Zero oversell lives here: a seat has exactly one `holder`, a hold is decided against the
/// current state and applied atomically, and check_invariants() proves the bookkeeping.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/ids.hpp"
#include "actors/common/result.hpp"
#include "actors/domain/catalog.hpp"
#include "actors/domain/policy.hpp"
#include "actors/domain/seat.hpp"

namespace tt::domain {

// Commands (imperative).
/// Exactly one of `seat_ids` (all-or-nothing) or `quantity` (best available, optionally within
/// `section`). The caller computes `until` from reservation_policy::hold_duration.
struct hold_seats {
  reservation_id reservation;
  std::vector<seat_id> seat_ids;
  int32_t quantity = 0;
  std::string section;
  timestamp until;
};
struct release_seats { // cancel / payment failed: held seats go back on sale
  reservation_id reservation;
};
struct commit_seats { // payment approved: held seats become sold
  reservation_id reservation;
};
struct return_seats { // refund: sold seats go back on sale
  reservation_id reservation;
};
struct prolong_hold { // ExtendHold: a live hold gets a later deadline
  reservation_id reservation;
  timestamp until;
};
struct expire_holds {}; // timer sweep: every hold whose deadline has passed
using inventory_command =
    std::variant<hold_seats, release_seats, commit_seats, return_seats, prolong_hold, expire_holds>;

// Events (past tense). Each names its seats, so it can be persisted and published as is.
struct seats_held {
  reservation_id reservation;
  std::vector<seat_id> seats;
  timestamp until;
};
struct seats_released {
  reservation_id reservation;
  std::vector<seat_id> seats;
};
struct seats_sold {
  reservation_id reservation;
  std::vector<seat_id> seats;
};
struct seats_returned {
  reservation_id reservation;
  std::vector<seat_id> seats;
};
/// Emitted by the sweep, and before a seats_held that takes over seats of a lapsed hold: the whole
/// lapsed reservation expires, so no reservation is ever left holding part of its seats.
struct hold_expired {
  reservation_id reservation;
  std::vector<seat_id> seats;
};
struct hold_prolonged {
  reservation_id reservation;
  std::vector<seat_id> seats;
  timestamp until;
};
using inventory_event = std::variant<seats_held, seats_released, seats_sold, seats_returned,
                                     hold_expired, hold_prolonged>;

// Query results.
struct inventory_counts {
  int32_t total = 0;
  int32_t available = 0;
  int32_t held = 0;
  int32_t sold = 0;
  int32_t blocked = 0;
};
struct section_summary {
  std::string section;
  std::string name;
  money price;
  inventory_counts counts;
};
struct seat_view {
  seat_id id;
  std::string section;
  std::string row;
  std::string number;
  money price;
  seat_status status = seat_status::available; // a lapsed hold shows as available
};
struct availability_report {
  std::vector<seat_view> available;
  std::vector<seat_id> unavailable;
};

class event_inventory_state {
 public:
  /// Validates `def` (errc::invalid_argument) and lays out its seats, blocked ones blocked.
  static result<event_inventory_state> create(const event_definition& def,
                                              const reservation_policy& policy = {});

  const event_id& event() const noexcept { return event_; }
  int32_t capacity() const noexcept { return static_cast<int32_t>(seats_.size()); }

  /// Counts as of `now` (lapsed holds count as available).
  inventory_counts totals(timestamp now) const;
  std::vector<section_summary> sections(timestamp now) const;
  /// errc::not_found (field "section") for an unknown section.
  result<section_summary> section(std::string_view section, timestamp now) const;
  /// Unknown seats → errc::not_found, each listed in details; more than max_query_seats →
  /// errc::invalid_argument.
  result<availability_report> availability_of(const std::vector<seat_id>& seats,
                                              timestamp now) const;
  std::optional<seat_view> seat(const seat_id& id, timestamp now) const;
  /// The seats a reservation holds or bought (empty if none), and their price.
  std::vector<seat_view> seats_of(const reservation_id& reservation, timestamp now) const;
  money total_of(const reservation_id& reservation) const;

  /// Recounts everything from the seats and cross-checks counters, holdings and deadlines:
  /// available + held + sold + blocked == capacity per row, section and event; every held or sold
  /// seat is in exactly its holder's holding. O(capacity): for tests and debug checks.
  result<void> check_invariants() const;

  /// Decides a command against the current state; rejections change nothing.
  friend result<std::vector<inventory_event>>
  decide(const event_inventory_state& state, const inventory_command& command, timestamp now);
  /// Applies in place (copying 50,000 seats per event would dominate the cost of a hold).
  friend void apply(event_inventory_state& state, const inventory_event& event);

 private:
  struct seat_slot {
    seat_id id;
    uint32_t section = 0;
    uint32_t row = 0;
    seat_state state;
  };
  struct row_slot {
    std::string row;
    uint32_t first_seat = 0; // seats of a row are contiguous in seats_, in physical order
    uint32_t seat_count = 0;
    inventory_counts counts;
  };
  struct section_slot {
    std::string section;
    std::string name;
    int64_t price = 0;
    uint32_t first_row = 0; // rows of a section are contiguous in rows_
    uint32_t row_count = 0;
    inventory_counts counts;
  };
  struct holding {
    std::vector<uint32_t> seats;
    timestamp until;
    bool sold = false;
  };

  result<std::vector<uint32_t>> resolve_explicit(const hold_seats& cmd, timestamp now) const;
  result<std::vector<uint32_t>> best_available(int32_t quantity, std::string_view section,
                                               timestamp now) const;
  bool find_run(const row_slot& row, int32_t quantity, timestamp now,
                std::vector<uint32_t>& out) const;
  std::vector<uint32_t> ranked_sections(std::string_view only) const;
  void append_lapsed_holds(const std::vector<uint32_t>& seats, timestamp now,
                           std::vector<inventory_event>& out) const;
  template <class Event>
  Event seats_event(const reservation_id& reservation, const holding& h) const;

  uint32_t index_of(const seat_id& id) const;
  void apply_to_seat(uint32_t index, const seat_event& event);
  static void count(inventory_counts& counts, seat_status status, int32_t delta);
  seat_view view_of(uint32_t index, timestamp now) const;
  /// Adds to `counts` the seats of lapsed holds (still `held` until swept) as available, by
  /// section.
  void move_lapsed_to_available(std::vector<inventory_counts>& per_section, timestamp now) const;

  event_id event_;
  std::string currency_;
  timestamp sale_starts_at_;
  timestamp sale_ends_at_;
  reservation_policy policy_;
  std::vector<section_slot> sections_;
  std::vector<row_slot> rows_;
  std::vector<seat_slot> seats_;
  std::unordered_map<seat_id, uint32_t> index_;
  /// Every reservation holding or owning seats here, with its seat indexes.
  std::unordered_map<reservation_id, holding> holdings_;
  /// Exactly the unsold holdings, ordered by deadline, so the sweep and lapsed-hold queries touch
  /// only what has expired.
  std::set<std::pair<timestamp, reservation_id>> deadlines_;
  inventory_counts totals_;
};

result<std::vector<inventory_event>> decide(const event_inventory_state& state,
                                            const inventory_command& command, timestamp now);
/// Call it qualified, `domain::apply(...)`: ADL through std::variant also finds std::apply.
void apply(event_inventory_state& state, const inventory_event& event);

} // namespace tt::domain
