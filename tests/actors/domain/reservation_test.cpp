#include "actors/domain/reservation.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using namespace tt::domain;

namespace {

const tt::timestamp t0{5'000'000ms};
const tt::user_id alice{"alice"};
const tt::user_id mallory{"mallory"};

create_reservation create_cmd() {
  return create_reservation{tt::reservation_id{"r-1"},
                            tt::event_id{"hall-1"},
                            alice,
                            {tt::seat_id{"A-1-1"}, tt::seat_id{"A-1-2"}},
                            money{300'000, "KRW"}};
}

payment_outcome approved(int64_t amount = 300'000) {
  return payment_outcome{"pi-1", payment_verdict::approved, money{amount, "KRW"}};
}

confirm_reservation confirm_by(const tt::user_id& who, payment_outcome payment = approved()) {
  return confirm_reservation{who, std::move(payment), tt::order_id{"o-1"}};
}

reservation_state run(reservation_state s, const reservation_command& cmd, tt::timestamp now) {
  auto events = decide(s, cmd, now);
  REQUIRE_MESSAGE(events.has_value(), (events ? "" : events.error().message));
  for (const auto& e : *events)
    s = apply(std::move(s), e);
  return s;
}

reservation_state held() {
  return run(reservation_state{}, create_cmd(), t0);
}

bool same(const reservation_state& a, const reservation_state& b) {
  return a.status == b.status && a.hold_expires_at == b.hold_expires_at &&
         a.updated_at == b.updated_at && a.extensions == b.extensions && a.order == b.order &&
         a.payment_intent_id == b.payment_intent_id;
}

/// Requires a rejection with `code` that leaves the state as it was.
void rejected(const reservation_state& s, const reservation_command& cmd, tt::timestamp now,
              tt::errc code) {
  auto copy = s;
  auto r = decide(copy, cmd, now);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
  CHECK(same(copy, s));
}

} // namespace

TEST_CASE("given a created reservation, it is held for the policy's 60 seconds") {
  auto s = held();
  CHECK(s.status == reservation_status::hold);
  CHECK(s.hold_expires_at == t0 + 60s);
  CHECK(s.created_at == t0);
  CHECK(static_cast<int>(reservation_status::refunded) == 7); // the contract's numbering
  rejected(s, create_cmd(), t0, tt::errc::already_exists);
  auto bad = create_cmd();
  bad.seats.push_back(tt::seat_id{"A-1-1"});
  rejected(reservation_state{}, bad, t0, tt::errc::invalid_argument);
  bad = create_cmd();
  bad.seats.assign(11, tt::seat_id{"x"});
  rejected(reservation_state{}, bad, t0, tt::errc::invalid_argument);
}

TEST_CASE("confirm needs the owner, a live hold, and an approved payment of exactly the total") {
  auto s = held();
  rejected(s, confirm_by(mallory), t0, tt::errc::forbidden);
  rejected(s, confirm_by(alice, approved(299'999)), t0, tt::errc::payment_not_approved);
  rejected(s, confirm_by(alice, {"pi-1", payment_verdict::declined, money{300'000, "KRW"}}), t0,
           tt::errc::payment_not_approved);
  rejected(s, confirm_by(alice, {"pi-1", payment_verdict::approved, money{300'000, "USD"}}), t0,
           tt::errc::payment_not_approved);
  rejected(s, confirm_by(alice), t0 + 60s, tt::errc::reservation_expired);
  auto confirmed = run(s, confirm_by(alice), t0 + 59s);
  CHECK(confirmed.status == reservation_status::confirmed);
  CHECK(confirmed.order == tt::order_id{"o-1"});
  CHECK(confirmed.payment_intent_id == "pi-1");
  rejected(confirmed, confirm_by(alice), t0 + 59s, tt::errc::failed_precondition);
}

TEST_CASE("forbidden reveals nothing about the reservation") {
  auto s = held();
  auto r = decide(s, cancel_reservation{mallory, ""}, t0);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "not allowed");
  CHECK(r.error().details.empty());
  // Even a finished reservation answers a stranger the same way.
  auto cancelled = run(s, cancel_reservation{alice, "changed my mind"}, t0);
  CHECK(decide(cancelled, cancel_reservation{mallory, ""}, t0).error().message == "not allowed");
  CHECK_FALSE(authorize(s, mallory).has_value());
  CHECK(authorize(s, alice).has_value());
}

TEST_CASE("cancel: owner only, only while held") {
  auto s = held();
  rejected(s, cancel_reservation{alice, ""}, t0 + 60s, tt::errc::reservation_expired);
  auto cancelled = run(s, cancel_reservation{alice, "x"}, t0 + 1s);
  CHECK(cancelled.status == reservation_status::cancelled);
  CHECK(cancelled.updated_at == t0 + 1s);
  rejected(cancelled, cancel_reservation{alice, ""}, t0 + 2s, tt::errc::failed_precondition);
}

TEST_CASE("expire: only once the hold ran out, only from hold") {
  auto s = held();
  rejected(s, expire_reservation{}, t0 + 59s, tt::errc::failed_precondition);
  auto expired = run(s, expire_reservation{}, t0 + 60s);
  CHECK(expired.status == reservation_status::expired);
  rejected(expired, expire_reservation{}, t0 + 61s, tt::errc::failed_precondition);
  rejected(expired, confirm_by(alice), t0 + 61s, tt::errc::failed_precondition);
  rejected(run(s, confirm_by(alice), t0), expire_reservation{}, t0 + 61s,
           tt::errc::failed_precondition);
}

TEST_CASE("a hold has lapsed from its deadline on, and only a hold") {
  auto s = held();
  CHECK_FALSE(hold_lapsed(s, t0 + 59s));
  CHECK(hold_lapsed(s, t0 + 60s));
  CHECK(hold_lapsed(s, t0 + 61s));
  CHECK_FALSE(hold_lapsed(run(s, confirm_by(alice), t0), t0 + 61s));
  CHECK_FALSE(hold_lapsed(reservation_state{}, t0 + 61s));
}

TEST_CASE("payment failure fails a live hold, and refund needs a confirmed one") {
  auto s = held();
  rejected(s, refund_reservation{"pi-1"}, t0, tt::errc::failed_precondition);
  rejected(s, fail_reservation{"pi-1", "declined"}, t0 + 60s, tt::errc::reservation_expired);
  auto failed = run(s, fail_reservation{"pi-1", "declined"}, t0 + 1s);
  CHECK(failed.status == reservation_status::failed);
  rejected(failed, refund_reservation{"pi-1"}, t0, tt::errc::failed_precondition);
  auto refunded = run(run(s, confirm_by(alice), t0), refund_reservation{"pi-1"}, t0 + 1h);
  CHECK(refunded.status == reservation_status::refunded);
  rejected(refunded, refund_reservation{"pi-1"}, t0 + 2h, tt::errc::failed_precondition);
  rejected(reservation_state{}, refund_reservation{"pi-1"}, t0, tt::errc::not_found);
}

TEST_CASE("extend: once, by at most 30 s, never past the cap, and a refusal is a reply") {
  auto s = held();
  rejected(s, extend_hold{mallory, 10s}, t0, tt::errc::forbidden);
  rejected(s, extend_hold{alice, 0s}, t0, tt::errc::invalid_argument);
  rejected(s, extend_hold{alice, 10s}, t0 + 60s, tt::errc::reservation_expired);

  auto events = decide(s, extend_hold{alice, 45s}, t0 + 10s);
  REQUIRE(events.has_value());
  auto& granted = std::get<hold_extended>(events->at(0));
  CHECK(granted.extended_by == 30s); // clamped to max_extension
  CHECK(granted.new_expires_at == t0 + 90s);
  auto extended = run(s, extend_hold{alice, 45s}, t0 + 10s);
  CHECK(extended.hold_expires_at == t0 + 90s);

  auto again = decide(extended, extend_hold{alice, 5s}, t0 + 20s);
  REQUIRE(again.has_value());
  CHECK(std::holds_alternative<hold_extension_denied>(again->at(0)));
  CHECK(same(run(extended, extend_hold{alice, 5s}, t0 + 20s), extended));
}

TEST_CASE("extend never passes the lifetime cap") {
  reservation_policy policy;
  policy.max_hold_lifetime = 70s;
  policy.max_extensions = 2;
  auto s = held();
  auto first = decide(s, extend_hold{alice, 30s}, t0, policy);
  REQUIRE(first.has_value());
  CHECK(std::get<hold_extended>(first->at(0)).extended_by == 10s);
  s = tt::domain::apply(s, first->at(0));
  auto second = decide(s, extend_hold{alice, 30s}, t0, policy);
  REQUIRE(second.has_value());
  CHECK(std::get<hold_extension_denied>(second->at(0)).reason ==
        "the hold is at its maximum length");
}

TEST_CASE("commands on a reservation that does not exist are not_found") {
  rejected(reservation_state{}, expire_reservation{}, t0, tt::errc::not_found);
  rejected(reservation_state{}, fail_reservation{"pi", ""}, t0, tt::errc::not_found);
}
