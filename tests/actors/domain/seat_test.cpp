#include "actors/domain/seat.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using namespace tt::domain;

namespace {

const tt::timestamp t0{100'000ms};
const tt::reservation_id alice{"r-alice"};
const tt::reservation_id bob{"r-bob"};

seat_state held_by(const tt::reservation_id& r, tt::timestamp until) {
  return seat_state{seat_status::held, r, until};
}

bool same(const seat_state& a, const seat_state& b) {
  return a.status == b.status && a.holder == b.holder && a.held_until == b.held_until;
}

seat_state run(seat_state seat, const seat_command& cmd, tt::timestamp now) {
  auto events = decide(seat, cmd, now);
  REQUIRE(events.has_value());
  for (const auto& e : *events)
    seat = apply(std::move(seat), e);
  return seat;
}

} // namespace

TEST_CASE("given an available seat, when held, then it is held by that reservation until t") {
  auto seat = run(seat_state{}, hold_seat{alice, t0 + 60s}, t0);
  CHECK(seat.status == seat_status::held);
  CHECK(seat.holder == alice);
  CHECK(seat.held_until == t0 + 60s);
}

TEST_CASE("given a held seat, a second hold is a conflict until the hold runs out") {
  auto seat = held_by(alice, t0 + 60s);
  auto rejected = decide(seat, hold_seat{bob, t0 + 120s}, t0 + 59'999ms);
  REQUIRE_FALSE(rejected.has_value());
  CHECK(rejected.error().code == tt::errc::inventory_conflict);
  CHECK(rejected.error().details.at(0).reason == "held");

  // Lazy expiry: at `until` the seat is free again, and the old hold is expired first.
  auto events = decide(seat, hold_seat{bob, t0 + 120s}, t0 + 60s);
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 2);
  CHECK(std::get<seat_hold_expired>(events->at(0)).reservation == alice);
  CHECK(std::get<seat_held>(events->at(1)).reservation == bob);
  auto after = run(seat, hold_seat{bob, t0 + 120s}, t0 + 60s);
  CHECK(after.holder == bob);
}

TEST_CASE("sell requires the holder and an unexpired hold") {
  auto seat = held_by(alice, t0 + 60s);
  CHECK(decide(seat, sell_seat{bob}, t0).error().code == tt::errc::failed_precondition);
  CHECK(decide(seat, sell_seat{alice}, t0 + 60s).error().code == tt::errc::reservation_expired);
  auto sold = run(seat, sell_seat{alice}, t0 + 59s);
  CHECK(sold.status == seat_status::sold);
  CHECK(sold.holder == alice);
  // A sold seat is never free, whatever the time.
  CHECK_FALSE(is_free(sold, t0 + 1000s));
  CHECK(decide(sold, hold_seat{bob, t0 + 2000s}, t0 + 1000s).error().details.at(0).reason ==
        "sold");
}

TEST_CASE("release checks the holder, even after the hold ran out") {
  auto seat = held_by(alice, t0 + 60s);
  CHECK(decide(seat, release_seat{bob}, t0).error().code == tt::errc::failed_precondition);
  CHECK(run(seat, release_seat{alice}, t0 + 90s).status == seat_status::available);
}

TEST_CASE("expire only fires for the current holder once the hold ran out") {
  auto seat = held_by(alice, t0 + 60s);
  CHECK(decide(seat, expire_seat_hold{alice}, t0 + 59s).error().code ==
        tt::errc::failed_precondition);
  CHECK(decide(seat, expire_seat_hold{bob}, t0 + 61s).error().code ==
        tt::errc::failed_precondition);
  CHECK(run(seat, expire_seat_hold{alice}, t0 + 60s).status == seat_status::available);
}

TEST_CASE("a returned (refunded) seat is available again") {
  seat_state sold{seat_status::sold, alice, {}};
  CHECK(decide(sold, return_seat{bob}, t0).error().code == tt::errc::failed_precondition);
  CHECK(run(sold, return_seat{alice}, t0).status == seat_status::available);
}

TEST_CASE("every rejected command changes nothing and blocked seats are never held") {
  seat_state blocked{seat_status::blocked, {}, {}};
  CHECK(decide(blocked, hold_seat{alice, t0 + 60s}, t0).error().details.at(0).reason == "blocked");
  CHECK(decide(seat_state{}, hold_seat{alice, t0}, t0).error().code == tt::errc::invalid_argument);
  CHECK(decide(seat_state{}, hold_seat{tt::reservation_id{}, t0 + 1s}, t0).error().code ==
        tt::errc::invalid_argument);
  for (const auto& seat : {seat_state{}, held_by(alice, t0 + 60s), blocked}) {
    for (const seat_command& cmd :
         {seat_command{sell_seat{bob}}, seat_command{release_seat{bob}},
          seat_command{expire_seat_hold{bob}}, seat_command{return_seat{bob}}}) {
      auto copy = seat;
      CHECK_FALSE(decide(copy, cmd, t0).has_value());
      CHECK(same(copy, seat));
    }
  }
}

TEST_CASE("a live hold can be prolonged by its holder, to a later deadline only") {
  auto seat = held_by(alice, t0 + 60s);
  CHECK(decide(seat, prolong_seat_hold{bob, t0 + 90s}, t0).error().code ==
        tt::errc::failed_precondition);
  CHECK(decide(seat, prolong_seat_hold{alice, t0 + 30s}, t0).error().code ==
        tt::errc::invalid_argument);
  CHECK(decide(seat, prolong_seat_hold{alice, t0 + 90s}, t0 + 60s).error().code ==
        tt::errc::reservation_expired);
  CHECK(run(seat, prolong_seat_hold{alice, t0 + 90s}, t0).held_until == t0 + 90s);
}
