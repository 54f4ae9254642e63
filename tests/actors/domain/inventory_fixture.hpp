#pragma once
// Shared givens for the event_inventory tests: a small hall and helpers that decide-then-apply.

#include <doctest/doctest.h>
#include <string>
#include <vector>

#include "actors/domain/event_inventory.hpp"

namespace tt::domain::testing {

using namespace std::chrono_literals;

inline const timestamp t0{1'000'000ms};

/// Section A (150,000 KRW): rows 1 and 2 of five seats. Section B (80,000 KRW): one row of four,
/// B-1-4 blocked. Capacity 14. The sale is open from 0 to t0 + 1 hour.
inline event_definition small_hall() {
  event_definition def;
  def.id = event_id{"hall-1"};
  def.name = "Spring Concert";
  def.venue = "Small Hall";
  def.sale_starts_at = timestamp{0ms};
  def.sale_ends_at = t0 + 1h;
  def.sections = {{"A",
                   "Floor A",
                   150'000,
                   {{"1", {"1", "2", "3", "4", "5"}}, {"2", {"1", "2", "3", "4", "5"}}}},
                  {"B", "Balcony", 80'000, {{"1", {"1", "2", "3", "4"}}}}};
  def.blocked_seats = {seat_id{"B-1-4"}};
  return def;
}

inline event_inventory_state make_inventory(const event_definition& def = small_hall()) {
  auto created = event_inventory_state::create(def);
  REQUIRE(created.has_value());
  return std::move(created).value();
}

inline std::vector<seat_id> seats(std::initializer_list<const char*> ids) {
  std::vector<seat_id> out;
  for (const char* id : ids)
    out.emplace_back(id);
  return out;
}

inline hold_seats hold_explicit(const char* reservation, std::vector<seat_id> ids,
                                timestamp until = t0 + 60s) {
  return hold_seats{reservation_id{reservation}, std::move(ids), 0, {}, until};
}

inline hold_seats hold_quantity(const char* reservation, int32_t quantity, std::string section = {},
                                timestamp until = t0 + 60s) {
  return hold_seats{reservation_id{reservation}, {}, quantity, std::move(section), until};
}

/// Decides, requires success, applies every event, and checks the invariants afterwards.
inline std::vector<inventory_event> run(event_inventory_state& inv, const inventory_command& cmd,
                                        timestamp now = t0) {
  auto events = decide(inv, cmd, now);
  REQUIRE_MESSAGE(events.has_value(), (events ? "" : events.error().message));
  for (const auto& e : *events)
    apply(inv, e);
  REQUIRE(inv.check_invariants().has_value());
  return std::move(events).value();
}

/// Seat ids of a reservation, in hold order.
inline std::vector<std::string> held_by(const event_inventory_state& inv, const char* reservation) {
  std::vector<std::string> out;
  for (const auto& v : inv.seats_of(reservation_id{reservation}, t0))
    out.push_back(v.id());
  return out;
}

/// A fingerprint of every observable part of the state, to prove a rejection changed nothing.
inline std::string fingerprint(const event_inventory_state& inv, timestamp now = t0) {
  std::string out;
  auto c = inv.totals(now);
  out += std::to_string(c.available) + "/" + std::to_string(c.held) + "/" + std::to_string(c.sold) +
         "/" + std::to_string(c.blocked) + ";";
  for (const auto& s : inv.sections(now))
    for (const auto& row : {"1", "2"})
      for (const auto& n : {"1", "2", "3", "4", "5"})
        if (auto v = inv.seat(make_seat_id(s.section, row, n), now))
          out += v->id() + "=" + std::to_string(static_cast<int>(v->status)) + ",";
  for (const char* r : {"r1", "r2", "r3"})
    for (const auto& id : held_by(inv, r))
      out += std::string{r} + ":" + id + ",";
  return out;
}

} // namespace tt::domain::testing
