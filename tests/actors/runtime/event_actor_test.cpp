// event_actor: one event's seats, reached through the shard region on the deterministic
// scheduler. Holds, conflicts, availability, idempotent creates, and the negative control that
// proves the single-actor guard is what prevents oversell.
#include <doctest/doctest.h>

#include "tests/actors/runtime/runtime_fixture.hpp"

using namespace tt;
using namespace tt::actors;
using namespace tt::actors::testing;

namespace {

struct event_fixture : runtime_fixture {
  event_fixture() { REQUIRE(define(concert()).ok()); }
};

struct unsafe_event_fixture : unsafe_runtime_fixture {
  unsafe_event_fixture() { REQUIRE(define(concert()).ok()); }
};

} // namespace

TEST_CASE_FIXTURE(event_fixture, "a hold of explicit seats replies with its seats and total") {
  auto a = create("user-1", "k1", seats({"A-1-1", "A-1-2"}));
  REQUIRE_MESSAGE(a.ok(), caf::to_string(a.error));
  const auto& r = a.value->reservation;
  CHECK(r.status == domain::reservation_status::hold);
  CHECK(r.event == event_id{"concert-1"});
  CHECK(r.owner == user_id{"user-1"});
  CHECK(r.seats == seats({"A-1-1", "A-1-2"}));
  CHECK(r.total.amount == 200'000);
  CHECK(r.total.currency == "KRW");
  CHECK(r.created_at == t0);
  CHECK(r.hold_expires_at == t0 + config->policy.hold_duration);
  auto route = route_of(r.id);
  REQUIRE(route.has_value());
  CHECK(route->event == event_id{"concert-1"});
  REQUIRE(a.value->seats.size() == 2);
  for (const auto& s : a.value->seats) {
    CHECK(s.status == domain::seat_status::held);
    CHECK(s.price.amount == 100'000);
  }
  CHECK_FALSE(a.value->extension.has_value());

  auto totals = status().totals;
  CHECK(totals.total == 6);
  CHECK(totals.held == 2);
  CHECK(totals.available == 4);
}

TEST_CASE_FIXTURE(event_fixture, "a hold length changed at run time applies to later holds") {
  auto before = create("user-1", "k1", seats({"A-1-1"}));
  REQUIRE(before.ok());
  // The node changes it through its own handle on the config (UpdateConfig, main.cpp).
  std::const_pointer_cast<runtime_config>(config)->hold_duration.set(std::chrono::seconds{15});
  auto after = create("user-2", "k2", seats({"A-1-2"}));
  REQUIRE(after.ok());
  CHECK(after.value->reservation.hold_expires_at == t0 + std::chrono::seconds{15});
  CHECK(before.value->reservation.hold_expires_at == t0 + config->policy.hold_duration);
  // The earlier hold keeps its own expiry.
  CHECK(get(before.value->reservation.id, "user-1").value->reservation.hold_expires_at ==
        t0 + config->policy.hold_duration);
}

TEST_CASE_FIXTURE(event_fixture, "a hold by quantity picks that many seats and totals them") {
  auto req = create_of("user-1", "k1", {}, 2, "concert-1", "B");
  auto a = ask<reservation_reply>(req);
  REQUIRE_MESSAGE(a.ok(), caf::to_string(a.error));
  CHECK(a.value->seats.size() == 2);
  CHECK(a.value->reservation.seats == seats({"B-1-1", "B-1-2"}));
  CHECK(a.value->reservation.total.amount == 100'000);
}

TEST_CASE_FIXTURE(event_fixture,
                  "a second hold of the same explicit seat is an inventory_conflict") {
  REQUIRE(create("user-1", "k1", seats({"A-1-1", "A-1-2"})).ok());
  auto second = create("user-2", "k2", seats({"A-1-2", "A-1-3"}));
  CHECK_FALSE(second.ok());
  CHECK(second.code() == errc::inventory_conflict);
  // All or nothing: A-1-3 was not held either.
  auto totals = status().totals;
  CHECK(totals.held == 2);
  CHECK(totals.available == 4);
}

TEST_CASE_FIXTURE(event_fixture, "availability reflects holds") {
  REQUIRE(create("user-1", "k1", seats({"A-1-1"})).ok());
  auto a = ask<availability_answer>(availability_of(seats({"A-1-1", "A-1-2"})));
  REQUIRE(a.ok());
  CHECK_FALSE(a.value->available);
  CHECK(a.value->unavailable == seats({"A-1-1"}));
  REQUIRE(a.value->seats.size() == 1);
  CHECK(a.value->seats[0].id == seat_id{"A-1-2"});
  CHECK(a.value->remaining == 5);

  auto in_a = ask<availability_answer>(availability_of({}, 3, "A"));
  REQUIRE(in_a.ok());
  CHECK(in_a.value->available);
  CHECK(in_a.value->seats.size() == 3);
  CHECK(in_a.value->remaining == 3);

  auto too_many = ask<availability_answer>(availability_of({}, 4, "A"));
  REQUIRE(too_many.ok());
  CHECK_FALSE(too_many.value->available);

  auto section = ask<status_answer>(status_of("concert-1", "A"));
  REQUIRE(section.ok());
  CHECK(section.value->totals.held == 1);
  CHECK(section.value->totals.available == 3);
  CHECK(section.value->name == "Concert");
}

TEST_CASE_FIXTURE(event_fixture, "availability of an unknown seat or section is not_found") {
  auto seat = ask<availability_answer>(availability_of(seats({"Z-9-9"})));
  CHECK(seat.code() == errc::not_found);
  auto section = ask<status_answer>(status_of("concert-1", "Z"));
  CHECK(section.code() == errc::not_found);
}

TEST_CASE_FIXTURE(event_fixture,
                  "a retried create replays its reservation and holds nothing more") {
  auto first = create("user-1", "k1", seats({"A-1-1"}));
  REQUIRE(first.ok());
  auto retry = create("user-1", "k1", seats({"A-1-1"}));
  REQUIRE_MESSAGE(retry.ok(), caf::to_string(retry.error));
  CHECK(retry.value->reservation.id == first.value->reservation.id);
  CHECK(status().totals.held == 1);

  auto other = create("user-1", "k1", seats({"A-1-2"}));
  CHECK(other.code() == errc::idempotency_conflict);
  auto keyless = create("user-1", "", seats({"A-1-3"}));
  CHECK(keyless.code() == errc::idempotency_required);
  CHECK(status().totals.held == 1);
}

TEST_CASE_FIXTURE(event_fixture, "a retried create that was rejected gets the same rejection") {
  auto held = create("user-1", "k1", seats({"A-1-1"}));
  REQUIRE(held.ok());
  REQUIRE(create("user-2", "k2", seats({"A-1-1"})).code() == errc::inventory_conflict);
  // The seat becomes free, but a retry under the same key replays the stored rejection.
  REQUIRE(cancel(held.value->reservation.id, "user-1", "c1").ok());
  CHECK(create("user-2", "k2", seats({"A-1-1"})).code() == errc::inventory_conflict);
  CHECK(create("user-2", "k3", seats({"A-1-1"})).ok());
}

// The single-actor guard: the event actor decides and applies a hold within one message, so two
// holds of one seat that arrive together are still decided one after the other.
TEST_CASE_FIXTURE(event_fixture, "two holds of one seat sent together: exactly one succeeds") {
  auto a = send<reservation_reply>(region, create_of("user-1", "k1", seats({"A-1-1"})));
  auto b = send<reservation_reply>(region, create_of("user-2", "k2", seats({"A-1-1"})));
  run();
  REQUIRE(a->done);
  REQUIRE(b->done);
  CHECK(a->ok() + b->ok() == 1);
  CHECK((a->ok() ? b : a)->code() == errc::inventory_conflict);
  CHECK(status().totals.held == 1);
}

// Negative control: with the guard off (acknowledge from the check, apply later), the very same
// two requests are both acknowledged: the seat is sold twice. Proves the test above detects it.
TEST_CASE_FIXTURE(unsafe_event_fixture,
                  "negative control: acknowledging holds before applying them oversells a seat") {
  auto a = send<reservation_reply>(region, create_of("user-1", "k1", seats({"A-1-1"})));
  auto b = send<reservation_reply>(region, create_of("user-2", "k2", seats({"A-1-1"})));
  run();
  REQUIRE(a->done);
  REQUIRE(b->done);
  CHECK(a->ok());
  CHECK(b->ok());
  REQUIRE((a->ok() && b->ok()));
  CHECK(a->value->reservation.id != b->value->reservation.id);
  CHECK(a->value->reservation.seats == b->value->reservation.seats);
  // The deferred holds land (100 ms later): only one reaches the inventory, so two acknowledged
  // reservations share one held seat.
  advance(1s);
  CHECK(status().totals.held == 1);
}
