// payment intent state machine: given a state, when a command, then events (or a rejection that
// changes nothing). Time is explicit.
#include <doctest/doctest.h>

#include "actors/domain/payment.hpp"

using namespace tt;
using namespace tt::domain;
using namespace std::chrono_literals;

namespace {

const timestamp t0{1'700'000'000'000ms};
const payment_policy policy{};

create_payment create_of(payment_scenario scenario, int64_t amount = 200'000,
                         const char* requester = "user-1") {
  return {payment_intent_id{"p-1"},
          reservation_id{"r-1"},
          user_id{requester},
          user_id{"user-1"},
          money{200'000, "KRW"},
          money{amount, "KRW"},
          1,
          scenario,
          {}};
}

payment_state run(payment_state s, const payment_command& c, timestamp now) {
  auto decided = decide(s, c, now, policy);
  REQUIRE_MESSAGE(decided, decided.error().message);
  for (const auto& e : *decided)
    s = apply(std::move(s), e);
  return s;
}

payment_state created(payment_scenario scenario) {
  return run({}, create_of(scenario), t0);
}

payment_state processing(payment_scenario scenario, double draw = 0.0) {
  return run(created(scenario), process_payment{"pay-1", "tx-1", draw}, t0 + 1s);
}

errc rejection(const payment_state& s, const payment_command& c, timestamp now) {
  auto decided = decide(s, c, now, policy);
  REQUIRE_FALSE(decided);
  return decided.error().code;
}

} // namespace

TEST_CASE("an intent is created pending, for the reservation's owner and exact total") {
  auto s = created(payment_scenario::approve);
  CHECK(s.status == payment_status::pending);
  CHECK(s.owner == user_id{"user-1"});
  CHECK(s.expires_at == t0 + policy.intent_lifetime);
  CHECK(rejection({}, create_of(payment_scenario::approve, 100), t0) == errc::failed_precondition);
  CHECK(rejection({}, create_of(payment_scenario::approve, 200'000, "user-2"), t0) ==
        errc::forbidden);
  CHECK(rejection({}, create_of(payment_scenario::approve, 0), t0) == errc::invalid_argument);
  CHECK(rejection(s, create_of(payment_scenario::approve), t0) == errc::already_exists);
}

TEST_CASE("APPROVE completes after the short delay, FAIL fails after it") {
  auto approve = processing(payment_scenario::approve);
  CHECK(approve.status == payment_status::processing);
  CHECK(approve.settles_at == t0 + 1s + policy.settle_delay);
  // Early timers change nothing.
  CHECK(run(approve, settle_payment{}, t0 + 1s).status == payment_status::processing);
  CHECK(run(approve, settle_payment{}, approve.settles_at).status == payment_status::completed);
  auto failing = processing(payment_scenario::fail);
  auto failed = run(failing, settle_payment{}, failing.settles_at);
  CHECK(failed.status == payment_status::failed);
  CHECK_FALSE(failed.failure_reason.empty());
}

TEST_CASE("DELAY completes only after the long delay") {
  auto s = processing(payment_scenario::delay);
  CHECK(s.settles_at == t0 + 1s + policy.long_delay);
  CHECK(run(s, settle_payment{}, t0 + 1s + policy.settle_delay).status ==
        payment_status::processing);
  CHECK(run(s, settle_payment{}, s.settles_at).status == payment_status::completed);
}

TEST_CASE("RANDOM approves exactly when its draw is below the ratio") {
  auto low = processing(payment_scenario::random, policy.approve_ratio - 0.01);
  auto high = processing(payment_scenario::random, policy.approve_ratio);
  CHECK(run(low, settle_payment{}, low.settles_at).status == payment_status::completed);
  CHECK(run(high, settle_payment{}, high.settles_at).status == payment_status::failed);
}

TEST_CASE("TIMEOUT never settles and the intent expires") {
  auto s = processing(payment_scenario::timeout);
  CHECK_FALSE(s.settles);
  CHECK(run(s, settle_payment{}, t0 + 1h).status == payment_status::processing);
  CHECK(run(s, expire_payment{}, s.expires_at - 1ms).status == payment_status::processing);
  CHECK(run(s, expire_payment{}, s.expires_at).status == payment_status::expired);
}

TEST_CASE("an expired or settled intent cannot be processed again") {
  auto s = created(payment_scenario::approve);
  CHECK(rejection(s, process_payment{"pay", "tx", 0}, s.expires_at) == errc::failed_precondition);
  auto done = run(processing(payment_scenario::approve), settle_payment{}, t0 + 1h);
  CHECK(rejection(done, process_payment{"pay", "tx", 0}, t0 + 1h) == errc::failed_precondition);
  CHECK(rejection({}, process_payment{"pay", "tx", 0}, t0) == errc::not_found);
}

TEST_CASE("cancel ends an open intent, a completed one is refunded, fully or in part") {
  CHECK(run(created(payment_scenario::approve), cancel_payment{"changed my mind", 0, ""}, t0)
            .status == payment_status::cancelled);
  CHECK(rejection(created(payment_scenario::approve), cancel_payment{"x", 5, ""}, t0) ==
        errc::invalid_argument);
  auto done = run(processing(payment_scenario::approve), settle_payment{}, t0 + 1h);
  auto full = run(done, cancel_payment{"refund", 0, "rf-1"}, t0 + 2h);
  CHECK(full.status == payment_status::refunded);
  CHECK(full.refunded_amount == 200'000);
  CHECK(run(done, cancel_payment{"refund", 50'000, "rf-2"}, t0 + 2h).refunded_amount == 50'000);
  CHECK(rejection(done, cancel_payment{"refund", 200'001, "rf-3"}, t0 + 2h) ==
        errc::invalid_argument);
  CHECK(rejection(full, cancel_payment{"again", 0, "rf-4"}, t0 + 3h) == errc::failed_precondition);
}

TEST_CASE("only the owner may read or refund") {
  auto s = created(payment_scenario::approve);
  CHECK(authorize(s, user_id{"user-1"}));
  CHECK(authorize(s, user_id{"user-2"}).error().code == errc::forbidden);
}
