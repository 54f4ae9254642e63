// waiting room: given a room, when commands arrive at explicit times, then events, exact
// positions and the inlet's admissions (or a rejection that changes nothing).
#include "actors/domain/waiting_room.hpp"

#include <doctest/doctest.h>

#include "tests/actors/domain/waiting_room_fixture.hpp"

using namespace tt;
using namespace tt::domain;
using namespace tt::domain::waiting_room_testing;

TEST_CASE("joins are served in arrival order with exact positions") {
  room r;
  for (int n = 1; n <= 3; ++n)
    r.join(n);
  CHECK(r.position(1).position == 1);
  CHECK(r.position(2).position == 2);
  CHECK(r.position(3).position == 3);
  CHECK(r.position(3).status == entry_status::waiting);
  CHECK(r.position(3).expires_at == t0 + r.state.policy().idle_timeout);
}

TEST_CASE("joining again with the same user and session keeps the first token and place") {
  room r;
  r.join(1);
  r.join(2);
  auto again =
      r.run(join_queue{waiting_token_id{"w-99"}, user_id{"user-1"}, session_id{"s-1"}}, t0 + 1min);
  REQUIRE(again.size() == 1);
  CHECK(std::get<queue_rejoined>(again.front()).token == waiting_token_id{"w-1"});
  CHECK(r.position(1).position == 1);
  // The rejoin counts as a sign of life.
  CHECK(r.position(1).expires_at == t0 + 1min + r.state.policy().idle_timeout);
  CHECK(r.state.position_of(waiting_token_id{"w-99"}, t0).error().code == errc::not_found);
  // Another session of the same user is another place in line.
  r.run(join_queue{waiting_token_id{"w-3"}, user_id{"user-1"}, session_id{"s-other"}}, t0);
  CHECK(r.position(3).position == 3);
  CHECK(r.rejection(join_queue{waiting_token_id{"w-2"}, user_id{"user-9"}, session_id{"s-9"}}, t0)
            .code == errc::already_exists);
}

TEST_CASE("positions close the gap when someone ahead leaves") {
  room r;
  for (int n = 1; n <= 5; ++n)
    r.join(n);
  auto left = r.run(leave_queue{waiting_token_id{"w-2"}}, t0);
  CHECK(std::get<entry_removed>(left.front()).reason == removal_reason::left);
  CHECK_FALSE(r.present(2));
  CHECK(r.position(1).position == 1);
  CHECK(r.position(3).position == 2);
  CHECK(r.position(5).position == 4);
  CHECK(r.rejection(leave_queue{waiting_token_id{"w-2"}}, t0).code == errc::not_found);
  CHECK(r.state.stats(t0).waiting == 4);
}

TEST_CASE("the inlet admits at its rate, carrying partial credit across ticks") {
  room r{with_inlet(2, 100)};
  for (int n = 1; n <= 20; ++n)
    r.join(n);
  // A fresh room's bucket is full: one second of admissions at the first tick.
  CHECK(advanced_by(r.run(tick{}, t0)) == 2);
  CHECK(r.state.serving_counter() == 2);
  CHECK(r.position(2).status == entry_status::ready);
  CHECK(r.position(3).position == 1);
  CHECK(r.run(tick{}, t0 + 250ms).empty()); // half an admission: nothing yet, nothing persisted
  CHECK(advanced_by(r.run(tick{}, t0 + 500ms)) == 1);
  CHECK(advanced_by(r.run(tick{}, t0 + 1250ms)) == 1); // 1.5 earned, 0.5 carried
  CHECK(advanced_by(r.run(tick{}, t0 + 1500ms)) == 1); // 0.5 + 0.5
  // A long pause refills at most one second's worth: no flood after a stall.
  CHECK(advanced_by(r.run(tick{}, t0 + 10s)) == 2);
  CHECK(r.state.serving_counter() == 7);
  CHECK(r.position(8).position == 1);
}

TEST_CASE("the inlet never lets more than max_active be ready or admitted") {
  room r{with_inlet(100, 3)};
  for (int n = 1; n <= 6; ++n)
    r.join(n);
  CHECK(advanced_by(r.run(tick{}, t0)) == 3);
  CHECK(r.run(tick{}, t0 + 1s).empty());
  auto grant = r.admit(1, t0 + 1s);
  CHECK(r.run(tick{}, t0 + 2s).empty()); // admitted still counts
  r.run(finish_admission{grant.nonce}, t0 + 2s);
  CHECK(advanced_by(r.run(tick{}, t0 + 2s)) == 1);
  CHECK(r.position(4).status == entry_status::ready);
  r.run(leave_queue{waiting_token_id{"w-2"}}, t0 + 3s); // a ready entry leaving frees its slot
  CHECK(advanced_by(r.run(tick{}, t0 + 3s)) == 1);
  CHECK(r.position(6).position == 1);
  auto stats = r.state.stats(t0 + 3s);
  CHECK(stats.ready == 3);
  CHECK(stats.admitted == 0);
  CHECK(stats.total_admitted == 1);
  CHECK(stats.waiting == 1);
}

TEST_CASE("eta comes from the configured rate until a rate is measured, then from the measure") {
  room r{with_inlet(10, 2)};
  for (int n = 1; n <= 20; ++n)
    r.join(n);
  CHECK(r.position(20).eta_seconds == 2); // 20 ahead at the configured 10/s
  CHECK_FALSE(r.state.stats(t0).rate_measured);
  r.run(tick{}, t0); // two ready: the cap, not the rate, limits from here on
  // One slot frees per second, so the measured rate is 1/s.
  for (int second = 1; second <= 2; ++second) {
    r.run(leave_queue{waiting_token_id{"w-" + std::to_string(second)}}, t0 + second * 1s);
    CHECK(advanced_by(r.run(tick{}, t0 + second * 1s)) == 1);
  }
  auto stats = r.state.stats(t0 + 2s);
  CHECK(stats.rate_measured);
  CHECK(stats.admission_rate == doctest::Approx(1.0));
  CHECK(r.position(20, t0 + 2s).position == 16);
  CHECK(r.position(20, t0 + 2s).eta_seconds == 16);
  // A minute later only the advance at 0:02 is inside the window: 1 admission per 60 s.
  CHECK(r.state.stats(t0 + 61s).admission_rate == doctest::Approx(1.0 / 60.0));
}

TEST_CASE("stop_admissions freezes the serving counter and the bucket until resumed") {
  room r{with_inlet(10, 100)};
  r.run(stop_admissions{}, t0);
  CHECK(r.run(stop_admissions{}, t0).empty());
  for (int n = 1; n <= 30; ++n)
    r.join(n, t0 + 1s); // joins continue while stopped
  CHECK(r.run(tick{}, t0 + 1s).empty());
  CHECK(r.run(tick{}, t0 + 5s).empty());
  CHECK(r.state.serving_counter() == 0);
  CHECK(r.state.stats(t0 + 5s).admissions_stopped);
  r.run(resume_admissions{}, t0 + 5s);
  CHECK(r.run(resume_admissions{}, t0 + 5s).empty());
  CHECK(advanced_by(r.run(tick{}, t0 + 5s)) == 10);    // the bucket as it was at the stop
  CHECK(advanced_by(r.run(tick{}, t0 + 5500ms)) == 5); // refilling from the resume, not the stop
}

TEST_CASE("entries not seen for idle_timeout expire and everyone behind moves up") {
  room r;
  r.run(stop_admissions{}, t0); // only expiry is under test here
  for (int n = 1; n <= 3; ++n)
    r.join(n);
  r.run(record_heartbeat{waiting_token_id{"w-3"}}, t0 + 4min);
  CHECK(r.run(tick{}, t0 + 5min - 1ms).empty());
  auto expired = r.run(tick{}, t0 + 5min);
  REQUIRE(expired.size() == 2);
  CHECK(std::get<entry_removed>(expired[0]).reason == removal_reason::idle);
  CHECK_FALSE(r.present(1));
  CHECK_FALSE(r.present(2));
  CHECK(r.position(3).position == 1);
  CHECK(r.run(tick{}, t0 + 9min).size() == 1);
  CHECK(r.rejection(record_heartbeat{waiting_token_id{"w-3"}}, t0 + 9min).code == errc::not_found);
}

TEST_CASE("a ready entry that does not claim admission within claim_window gives up its slot") {
  room r{with_inlet(10, 1)};
  r.join(1);
  r.join(2);
  r.run(tick{}, t0);
  r.run(record_heartbeat{waiting_token_id{"w-1"}}, t0 + 50s); // alive, but not claiming
  auto out = r.run(tick{}, t0 + 1min);
  CHECK(std::get<entry_removed>(out.front()).reason == removal_reason::unclaimed);
  CHECK(advanced_by(out) == 1); // the freed slot goes to the next in the same tick
  CHECK(r.position(2).status == entry_status::ready);
}

TEST_CASE("request_admission admits only a ready entry, for its own user") {
  room r;
  r.join(1);
  r.join(2);
  auto early = r.rejection(
      request_admission{waiting_token_id{"w-2"}, user_id{"user-2"}, admission_nonce{"n-2"}}, t0);
  CHECK(early.code == errc::failed_precondition);
  CHECK(early.message.find("position 2") != std::string::npos);
  r.run(tick{}, t0);
  CHECK(r.rejection(
             request_admission{waiting_token_id{"w-1"}, user_id{"user-2"}, admission_nonce{"n-x"}},
             t0)
            .code == errc::forbidden);
  auto grant = r.admit(1, t0 + 1s);
  CHECK(grant.expires_at == t0 + 31s);
  CHECK(r.position(1).status == entry_status::admitted);
  // The grant is everything needed to sign the reservation token.
  const std::string secret(min_admission_secret_length, 's');
  auto token = sign_admission_token(secret, r.state.claims_of(grant));
  REQUIRE(token);
  CHECK(verify_admission_token(secret, *token, event_id{"concert-1"}, user_id{"user-1"}, t0 + 2s));
  // A retry (the reply got lost) returns the same grant, not a second token.
  auto retry = r.run(
      request_admission{waiting_token_id{"w-1"}, user_id{"user-1"}, admission_nonce{"n-retry"}},
      t0 + 2s);
  CHECK(std::get<admission_reissued>(retry.front()).grant.nonce == admission_nonce{"n-1"});
  CHECK(r.run(record_heartbeat{waiting_token_id{"w-1"}}, t0 + 2s).empty());
  CHECK(r.state.stats(t0 + 2s).average_wait == 1s);
}

TEST_CASE("a reservation token is single use and bound to its user and validity") {
  room r;
  r.join(1);
  r.join(2);
  r.run(tick{}, t0);
  auto first = r.admit(1, t0 + 1s);
  auto second = r.admit(2, t0 + 1s);
  CHECK(r.rejection(consume_admission{first.nonce, user_id{"user-2"}}, t0 + 2s).code ==
        errc::forbidden);
  r.run(consume_admission{first.nonce, user_id{"user-1"}}, t0 + 2s);
  auto reused = r.rejection(consume_admission{first.nonce, user_id{"user-1"}}, t0 + 3s);
  CHECK(reused.code == errc::forbidden);
  CHECK(reused.message.find("already used") != std::string::npos);
  CHECK(r.rejection(request_admission{waiting_token_id{"w-1"}, user_id{"user-1"},
                                      admission_nonce{"n-again"}},
                    t0 + 3s)
            .code == errc::failed_precondition);
  auto late = r.rejection(consume_admission{second.nonce, user_id{"user-2"}}, t0 + 31s);
  CHECK(late.message.find("expired") != std::string::npos);
  CHECK(r.rejection(consume_admission{admission_nonce{"forged"}, user_id{"user-1"}}, t0).code ==
        errc::forbidden);
}

TEST_CASE("admitted entries hold their slot until finished, unused, or past their lifetime") {
  room r{with_inlet(10, 2)};
  for (int n = 1; n <= 4; ++n)
    r.join(n);
  r.run(tick{}, t0);
  auto used = r.admit(1, t0);
  r.admit(2, t0);
  r.run(consume_admission{used.nonce, user_id{"user-1"}}, t0 + 1s);
  // The unused token lapses after its validity; its slot goes to the next in line.
  auto lapsed = r.run(tick{}, t0 + 30s);
  CHECK(std::get<entry_removed>(lapsed.front()).reason == removal_reason::admission_unused);
  CHECK(advanced_by(lapsed) == 1);
  // A consumed admission whose finish never arrives is released after active_lifetime.
  // Meanwhile the others' turns come and lapse unclaimed: 3 at 1:30, then 4.
  r.run(tick{}, t0 + 2min);
  r.run(tick{}, t0 + 3min);
  CHECK(r.state.stats(t0 + 3min).admitted == 1);
  CHECK(r.state.stats(t0 + 3min).ready == 0);
  auto over = r.run(tick{}, t0 + r.state.policy().active_lifetime);
  REQUIRE(over.size() == 1);
  CHECK(std::get<entry_removed>(over.front()).token == waiting_token_id{"w-1"});
  CHECK(std::get<entry_removed>(over.front()).reason == removal_reason::active_lifetime_over);
  CHECK(r.run(finish_admission{used.nonce}, t0 + 16min).empty()); // released already: harmless
}

TEST_CASE("limits: room size, id lengths and nonce length are rejected as failures") {
  waiting_room_policy small;
  small.max_entries = 2;
  room r{small};
  r.join(1);
  r.join(2);
  CHECK(r.rejection(join_queue{waiting_token_id{"w-3"}, user_id{"user-3"}, session_id{"s"}}, t0)
            .code == errc::quota_exceeded);
  r.join(1); // a rejoin is not a new entry, so a full room still answers it
  auto join_with = [&](std::string token, std::string user, std::string session) {
    return r.rejection(join_queue{waiting_token_id{std::move(token)}, user_id{std::move(user)},
                                  session_id{std::move(session)}},
                       t0);
  };
  CHECK(join_with("", "u", "s").code == errc::invalid_argument);
  CHECK(join_with(std::string(max_waiting_token_length + 1, 'w'), "u", "s").code ==
        errc::invalid_argument);
  CHECK(join_with("w-9", "", "s").code == errc::invalid_argument);
  CHECK(join_with("w-9", std::string(max_admission_user_id_length + 1, 'u'), "s").code ==
        errc::invalid_argument);
  CHECK(join_with("w-9", "u", std::string(max_session_id_length + 1, 's')).code ==
        errc::invalid_argument);
  r.run(tick{}, t0);
  CHECK(r.rejection(request_admission{waiting_token_id{"w-1"}, user_id{"user-1"},
                                      admission_nonce{std::string(65, 'n')}},
                    t0)
            .code == errc::invalid_argument);
}

TEST_CASE("positions stay exact with 100,000 waiting") {
  room r;
  constexpr int count = 100'000;
  for (int n = 1; n <= count; ++n)
    r.join(n);
  for (int n = 3; n <= count; n += 3)
    r.run(leave_queue{waiting_token_id{"w-" + std::to_string(n)}}, t0);
  for (int n : {1, 2, 4, 50'000, 99'998, 100'000})
    CHECK(r.position(n).position == static_cast<uint64_t>(n - n / 3));
  CHECK(r.state.stats(t0).waiting == static_cast<uint64_t>(count - count / 3));
}
