#pragma once
// A waiting room under test: run commands through decide and apply, or expect a rejection that
// changes nothing. Time is explicit.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "actors/domain/waiting_room.hpp"

namespace tt::domain::waiting_room_testing {

using namespace std::chrono_literals;

inline const timestamp t0{1'700'000'000'000ms};

inline waiting_room_policy with_inlet(uint32_t per_second, uint32_t max_active) {
  waiting_room_policy policy;
  policy.admissions_per_second = per_second;
  policy.max_active = max_active;
  return policy;
}

struct room {
  explicit room(waiting_room_policy policy = {}) : state{event_id{"concert-1"}, policy} {}

  std::vector<waiting_room_event> run(const waiting_room_command& command, timestamp now) {
    auto decided = decide(state, command, now);
    REQUIRE_MESSAGE(decided, decided.error().message);
    for (const auto& e : *decided)
      domain::apply(state, e);
    return *decided;
  }

  failure rejection(const waiting_room_command& command, timestamp now) {
    auto decided = decide(state, command, now);
    REQUIRE_FALSE(decided);
    return decided.error();
  }

  /// Joins user-<n> with session s-<n> and token w-<n>.
  void join(int n, timestamp now = t0) {
    auto id = std::to_string(n);
    run(join_queue{waiting_token_id{"w-" + id}, user_id{"user-" + id}, session_id{"s-" + id}}, now);
  }

  queue_position position(int n, timestamp now = t0) {
    auto p = state.position_of(waiting_token_id{"w-" + std::to_string(n)}, now);
    REQUIRE_MESSAGE(p, p.error().message);
    return *p;
  }

  bool present(int n, timestamp now = t0) {
    return state.position_of(waiting_token_id{"w-" + std::to_string(n)}, now).has_value();
  }

  /// RequestAdmission for user-<n> with nonce n-<n>; returns the grant.
  admission_granted admit(int n, timestamp now) {
    auto id = std::to_string(n);
    auto out = run(request_admission{waiting_token_id{"w-" + id}, user_id{"user-" + id},
                                     admission_nonce{"n-" + id}},
                   now);
    REQUIRE(out.size() == 1);
    REQUIRE(std::holds_alternative<admission_granted>(out.front()));
    return std::get<admission_granted>(out.front());
  }

  waiting_room_state state;
};

inline uint64_t advanced_by(const std::vector<waiting_room_event>& events) {
  uint64_t count = 0;
  for (const auto& e : events)
    if (const auto* advanced = std::get_if<serving_advanced>(&e))
      count += advanced->count;
  return count;
}

} // namespace tt::domain::waiting_room_testing
