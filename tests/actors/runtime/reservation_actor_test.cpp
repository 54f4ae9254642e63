// reservation_actor: one reservation's lifecycle and its hold's expiry, on the deterministic
// scheduler. The hold expires because test time moves (manual_clock and CAF's clock together),
// never because of a sleep.
#include <doctest/doctest.h>

#include "tests/actors/runtime/runtime_fixture.hpp"

using namespace tt;
using namespace tt::actors;
using namespace tt::actors::testing;

namespace {

/// concert-1 defined, and user-1 holding A-1-1 and A-1-2 since t0.
struct hold_fixture : runtime_fixture {
  hold_fixture() {
    REQUIRE(define(concert()).ok());
    auto a = create("user-1", "k1", seats({"A-1-1", "A-1-2"}));
    REQUIRE(a.ok());
    held = a.value->reservation;
  }
  domain::reservation_state held;
};

} // namespace

TEST_CASE_FIXTURE(hold_fixture,
                  "a hold expires at hold_expires_at and its seats are available again") {
  advance(59s);
  auto before = get(held.id, "user-1");
  REQUIRE(before.ok());
  CHECK(before.value->reservation.status == domain::reservation_status::hold);

  advance(2s); // past hold_expires_at (t0 + 60 s): the reservation's timer fires
  auto after = get(held.id, "user-1");
  REQUIRE(after.ok());
  CHECK(after.value->reservation.status == domain::reservation_status::expired);
  CHECK(after.value->reservation.updated_at == t0 + 61s);
  for (const auto& s : after.value->seats)
    CHECK(s.status == domain::seat_status::available);

  auto totals = status().totals;
  CHECK(totals.held == 0);
  CHECK(totals.available == 6);
  // The seats are held for real again by someone else.
  CHECK(create("user-2", "k2", seats({"A-1-1", "A-1-2"})).ok());
  CHECK(status().totals.held == 2);
}

TEST_CASE_FIXTURE(hold_fixture, "an expired reservation can no longer be extended or cancelled") {
  advance(61s);
  auto extended = extend(held.id, "user-1", "e1", 30s);
  CHECK_FALSE(extended.ok());
  auto cancelled = cancel(held.id, "user-1", "c1");
  CHECK_FALSE(cancelled.ok());
  auto code = cancelled.code();
  CHECK((code == errc::reservation_expired || code == errc::failed_precondition));
}

TEST_CASE_FIXTURE(hold_fixture, "a hold extends once, then the extension is denied") {
  advance(10s);
  auto first = extend(held.id, "user-1", "e1", 30s);
  REQUIRE_MESSAGE(first.ok(), caf::to_string(first.error));
  REQUIRE(first.value->extension.has_value());
  CHECK(first.value->extension->allowed);
  CHECK(first.value->extension->granted == 30s);
  CHECK(first.value->reservation.hold_expires_at == t0 + 90s);
  CHECK(first.value->reservation.extensions == 1);

  auto second = extend(held.id, "user-1", "e2", 30s);
  REQUIRE_MESSAGE(second.ok(), caf::to_string(second.error));
  REQUIRE(second.value->extension.has_value());
  CHECK_FALSE(second.value->extension->allowed);
  CHECK_FALSE(second.value->extension->note.empty());
  CHECK(second.value->reservation.hold_expires_at == t0 + 90s);

  // The old deadline passes: its backstop entry is skipped, the extended hold stays.
  advance(55s); // t0 + 65 s
  CHECK(get(held.id, "user-1").value->reservation.status == domain::reservation_status::hold);
  CHECK(status().totals.held == 2);
  advance(26s); // t0 + 91 s
  CHECK(get(held.id, "user-1").value->reservation.status == domain::reservation_status::expired);
  CHECK(status().totals.held == 0);
}

TEST_CASE_FIXTURE(hold_fixture, "cancel releases the seats") {
  auto cancelled = cancel(held.id, "user-1", "c1");
  REQUIRE_MESSAGE(cancelled.ok(), caf::to_string(cancelled.error));
  CHECK(cancelled.value->reservation.status == domain::reservation_status::cancelled);
  for (const auto& s : cancelled.value->seats)
    CHECK(s.status == domain::seat_status::available);
  CHECK(status().totals.available == 6);
  CHECK(get(held.id, "user-1").value->reservation.status == domain::reservation_status::cancelled);

  // The timer firing later changes nothing.
  advance(61s);
  CHECK(get(held.id, "user-1").value->reservation.status == domain::reservation_status::cancelled);

  // A retry of the cancel replays the same reply.
  auto retry = cancel(held.id, "user-1", "c1");
  REQUIRE(retry.ok());
  CHECK(retry.value->reservation.status == domain::reservation_status::cancelled);
  CHECK(retry.value->reservation.updated_at == cancelled.value->reservation.updated_at);
}

TEST_CASE_FIXTURE(hold_fixture, "another user can neither read nor cancel the reservation") {
  CHECK(get(held.id, "user-2").code() == errc::forbidden);
  CHECK(cancel(held.id, "user-2", "c1").code() == errc::forbidden);
  CHECK(status().totals.held == 2);
}

TEST_CASE_FIXTURE(hold_fixture,
                  "confirming without an approved payment is refused and keeps the hold") {
  auto confirmed = confirm(held.id, "user-1", "p1");
  CHECK_MESSAGE(confirmed.code() == errc::payment_not_approved, caf::to_string(confirmed.error));
  CHECK(get(held.id, "user-1").value->reservation.status == domain::reservation_status::hold);
  CHECK(status().totals.held == 2);
}

TEST_CASE_FIXTURE(hold_fixture,
                  "an idle ended reservation is passivated and comes back on request") {
  REQUIRE(cancel(held.id, "user-1", "c1").ok());
  auto running = sys.registry().running();
  // The node's counts (its metrics): one reservation kept, its actor running.
  const auto& counts = *config->counts;
  CHECK(counts.reservations == 1);
  CHECK(counts.reservation_actors == 1);
  CHECK(counts.idempotency_records >= 1); // the create's, at least
  // Idle past passivate_after, then a sweep: the reservation's actor stops.
  advance(config->passivate_after + config->sweep_interval);
  CHECK(sys.registry().running() == running - 1);
  CHECK(counts.reservations == 1);
  CHECK(counts.reservation_actors == 0);
  // The next request brings it back from its last stored state, with its seats.
  auto got = get(held.id, "user-1");
  REQUIRE(got.ok());
  CHECK(got.value->reservation.status == domain::reservation_status::cancelled);
  CHECK(got.value->seats.size() == 2);
  CHECK(sys.registry().running() == running);
  CHECK(counts.reservation_actors == 1);
  // And it still follows its rules: an ended reservation cannot be cancelled twice.
  CHECK_FALSE(cancel(held.id, "user-1", "c2").ok());
}

TEST_CASE_FIXTURE(hold_fixture,
                  "a reservation used again is passivated a whole idle period later") {
  REQUIRE(cancel(held.id, "user-1", "c1").ok());
  auto running = sys.registry().running();
  advance(100s);
  REQUIRE(get(held.id, "user-1").ok()); // used again at t0 + 100 s
  // The sweeps at 120 and 150 s come past the cancel's idle period, but not the read's.
  advance(55s);
  CHECK(sys.registry().running() == running);
  // The sweep at 240 s is past the read's.
  advance(90s);
  CHECK(sys.registry().running() == running - 1);
}

TEST_CASE_FIXTURE(hold_fixture, "a live hold keeps its actor however idle, so its timer fires") {
  auto running = sys.registry().running();
  advance(config->sweep_interval + 1s);
  CHECK(sys.registry().running() == running);
}
