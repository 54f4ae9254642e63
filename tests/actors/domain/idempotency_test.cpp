#include "actors/domain/idempotency.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using namespace tt::domain;

namespace {

const tt::timestamp t0{9'000'000ms};
const tt::user_id alice{"alice"};
const tt::user_id bob{"bob"};
const tt::idempotency_key key{"k-1"};
const uint64_t create_a1 = request_fingerprint("create hall-1 [A-1-1]");
const uint64_t create_a2 = request_fingerprint("create hall-1 [A-1-2]");

std::vector<idempotency_event> run(idempotency_state& s, const idempotency_command& cmd,
                                   tt::timestamp now) {
  auto events = decide(s, cmd, now);
  REQUIRE_MESSAGE(events.has_value(), (events ? "" : events.error().message));
  for (const auto& e : *events)
    apply(s, e);
  return std::move(events).value();
}

tt::errc rejection(const idempotency_state& s, const idempotency_command& cmd, tt::timestamp now) {
  auto size = s.size();
  auto r = decide(s, cmd, now);
  REQUIRE_FALSE(r.has_value());
  CHECK(s.size() == size);
  return r.error().code;
}

/// The state after alice's request with `key` ran and completed with `reply`.
idempotency_state completed(const std::string& reply = "reply-1") {
  idempotency_state s;
  run(s, begin_request{alice, key, create_a1}, t0);
  run(s, complete_request{alice, key, create_a1, reply}, t0 + 1s);
  return s;
}

} // namespace

TEST_CASE("the first request with a key executes") {
  idempotency_state s;
  auto events = run(s, begin_request{alice, key, create_a1}, t0);
  REQUIRE(events.size() == 1);
  CHECK(std::get<request_started>(events[0]).expires_at == t0 + 5min);
  const auto* r = s.find(alice, key, t0);
  REQUIRE(r != nullptr);
  CHECK(r->phase == request_phase::in_flight);
}

TEST_CASE("a duplicate while the first is in flight is refused, never executed twice") {
  idempotency_state s;
  run(s, begin_request{alice, key, create_a1}, t0);
  CHECK(rejection(s, begin_request{alice, key, create_a1}, t0 + 1s) ==
        tt::errc::concurrent_modification);
  CHECK(rejection(s, begin_request{alice, key, create_a2}, t0 + 1s) ==
        tt::errc::idempotency_conflict);
}

TEST_CASE("a retry after completion replays the identical reply") {
  auto s = completed("the exact reply bytes");
  auto events = run(s, begin_request{alice, key, create_a1}, t0 + 2min);
  REQUIRE(events.size() == 1);
  CHECK(std::get<reply_replayed>(events[0]).reply == "the exact reply bytes");
  CHECK(s.find(alice, key, t0 + 2min)->phase == request_phase::completed);
}

TEST_CASE("the same key with a different request is a conflict") {
  auto s = completed();
  CHECK(rejection(s, begin_request{alice, key, create_a2}, t0 + 2s) ==
        tt::errc::idempotency_conflict);
}

TEST_CASE("keys are scoped per user") {
  auto s = completed();
  auto events = run(s, begin_request{bob, key, create_a2}, t0 + 2s);
  CHECK(std::holds_alternative<request_started>(events.at(0)));
  // Length-prefixed scopes: ("ab", "c") and ("a", "bc") are different records.
  idempotency_state t;
  run(t, begin_request{tt::user_id{"ab"}, tt::idempotency_key{"c"}, 1}, t0);
  CHECK(std::holds_alternative<request_started>(
      run(t, begin_request{tt::user_id{"a"}, tt::idempotency_key{"bc"}, 2}, t0).at(0)));
}

TEST_CASE("records expire after the TTL, counted from the last change") {
  auto s = completed(); // completed at t0 + 1s
  CHECK(s.find(alice, key, t0 + 1s + 5min - 1ms) != nullptr);
  CHECK(s.find(alice, key, t0 + 1s + 5min) == nullptr);
  // After the TTL the key is fresh: even a different request executes.
  auto events = decide(s, begin_request{alice, key, create_a2}, t0 + 1s + 5min);
  REQUIRE(events.has_value());
  CHECK(std::holds_alternative<request_started>(events->at(0)));
  // The sweep drops exactly the lapsed records.
  run(s, begin_request{bob, key, create_a1}, t0 + 4min);
  auto swept = run(s, expire_records{}, t0 + 1s + 5min);
  REQUIRE(swept.size() == 1);
  CHECK(std::get<records_swept>(swept[0]).at == t0 + 1s + 5min);
  CHECK(s.size() == 1);
  CHECK(s.find(bob, key, t0 + 1s + 5min) != nullptr);
}

TEST_CASE("the sweep drops a record at its latest deadline, not its first") {
  auto s = completed(); // started at t0 (deadline t0 + 5min), completed at t0 + 1s
  run(s, expire_records{}, t0 + 5min);
  CHECK(s.size() == 1);
  CHECK(s.find(alice, key, t0 + 5min) != nullptr);
  run(s, expire_records{}, t0 + 1s + 5min - 1ms);
  CHECK(s.size() == 1);
  run(s, expire_records{}, t0 + 1s + 5min);
  CHECK(s.size() == 0);
  // A sweep with nothing due changes nothing, and a record started after a sweep is swept too.
  run(s, expire_records{}, t0 + 1h);
  run(s, begin_request{alice, key, create_a2}, t0 + 1h);
  run(s, expire_records{}, t0 + 1h + 5min);
  CHECK(s.size() == 0);
}

TEST_CASE("a record restarted before the sweep keeps its new deadline") {
  auto s = completed();
  // Lapsed but not swept, then started again: the old deadlines must not drop the new record.
  run(s, begin_request{alice, key, create_a2}, t0 + 10min);
  run(s, expire_records{}, t0 + 10min);
  CHECK(s.size() == 1);
  CHECK(s.find(alice, key, t0 + 10min) != nullptr);
  run(s, expire_records{}, t0 + 15min);
  CHECK(s.size() == 0);
}

TEST_CASE("a configurable TTL") {
  idempotency_policy policy;
  policy.ttl = 10s;
  idempotency_state s;
  auto events = decide(s, begin_request{alice, key, create_a1}, t0, policy);
  REQUIRE(events.has_value());
  CHECK(std::get<request_started>(events->at(0)).expires_at == t0 + 10s);
}

TEST_CASE("an abandoned request may run again") {
  idempotency_state s;
  run(s, begin_request{alice, key, create_a1}, t0);
  CHECK(rejection(s, abandon_request{alice, key, create_a2}, t0) == tt::errc::failed_precondition);
  run(s, abandon_request{alice, key, create_a1}, t0 + 1s);
  CHECK(s.find(alice, key, t0 + 1s) == nullptr);
  CHECK(std::holds_alternative<request_started>(
      run(s, begin_request{alice, key, create_a1}, t0 + 2s).at(0)));
  // The abandoned run's deadline comes first; the run after it keeps its record.
  run(s, expire_records{}, t0 + 5min);
  CHECK(s.find(alice, key, t0 + 5min) != nullptr);
  run(s, expire_records{}, t0 + 2s + 5min);
  CHECK(s.size() == 0);
}

TEST_CASE("an abandoned record is dropped by the sweep at its deadline") {
  idempotency_state s;
  run(s, begin_request{alice, key, create_a1}, t0);
  run(s, abandon_request{alice, key, create_a1}, t0 + 1s);
  CHECK(s.size() == 1); // lapsed, not yet swept
  run(s, expire_records{}, t0 + 5min);
  CHECK(s.size() == 0);
}

TEST_CASE("complete needs the matching in-flight request") {
  auto s = completed();
  CHECK(rejection(s, complete_request{alice, key, create_a1, "again"}, t0 + 2s) ==
        tt::errc::failed_precondition);
  idempotency_state fresh;
  CHECK(rejection(fresh, complete_request{alice, key, create_a1, "x"}, t0) ==
        tt::errc::failed_precondition);
}

TEST_CASE("missing or oversized keys are rejected with the field") {
  idempotency_state s;
  auto r = decide(s, begin_request{alice, tt::idempotency_key{}, create_a1}, t0);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == tt::errc::idempotency_required);
  CHECK(r.error().details.at(0).field == "idempotency_key");
  CHECK(rejection(s, begin_request{alice, tt::idempotency_key{std::string(129, 'k')}, 1}, t0) ==
        tt::errc::invalid_argument);
  CHECK(rejection(s, begin_request{tt::user_id{}, key, 1}, t0) == tt::errc::invalid_argument);
}

TEST_CASE("fingerprints are stable FNV-1a 64") {
  CHECK(request_fingerprint("a") == 0xaf63dc4c8601ec8cull);
  CHECK(request_fingerprint("") == 0xcbf29ce484222325ull);
}

TEST_CASE("a key claimed for one event is a conflict on another until its TTL lapses") {
  key_claims claims;
  const tt::event_id hall{"hall-1"};
  const tt::event_id stadium{"stadium-1"};
  REQUIRE(claims.claim(alice, key, hall, t0, 5min));
  CHECK(claims.claim(alice, key, hall, t0 + 1s, 5min)); // the same event: its record decides
  auto other = claims.claim(alice, key, stadium, t0 + 2s, 5min);
  REQUIRE_FALSE(other);
  CHECK(other.error().code == tt::errc::idempotency_conflict);
  CHECK(claims.claim(bob, key, stadium, t0 + 2s, 5min)); // scoped per user
  // The second claim on the hall moved the deadline to t0 + 1s + 5min.
  CHECK_FALSE(claims.claim(alice, key, stadium, t0 + 1s + 5min - 1ms, 5min));
  CHECK(claims.claim(alice, key, stadium, t0 + 1s + 5min, 5min));
}

TEST_CASE("the sweep drops lapsed claims only, and an empty key claims nothing") {
  key_claims claims;
  REQUIRE(claims.claim(alice, key, tt::event_id{"hall-1"}, t0, 5min));
  REQUIRE(claims.claim(bob, key, tt::event_id{"hall-1"}, t0 + 1min, 5min));
  REQUIRE(claims.claim(alice, tt::idempotency_key{}, tt::event_id{"hall-1"}, t0, 5min));
  CHECK(claims.size() == 2);
  CHECK(claims.sweep(t0 + 5min) == 1);
  CHECK(claims.size() == 1);
  CHECK(claims.claim(alice, key, tt::event_id{"stadium-1"}, t0 + 5min, 5min));
}
