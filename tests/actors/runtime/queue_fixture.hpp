#pragma once
// A node with waiting rooms under test: joins, status polls, admissions and gated holds through
// the shard region, as QueueService and CreateReservation ask them.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/actors/runtime/runtime_fixture.hpp"

namespace tt::actors::testing {

/// concert() with a waiting room letting in `rate` users per second, at most `active` at once.
inline domain::event_definition queued_concert(uint32_t rate = 1, uint32_t active = 10,
                                               std::string id = "concert-1") {
  auto def = concert(std::move(id));
  def.waiting_room = domain::waiting_room_settings{true, rate, active};
  return def;
}

struct queue_fixture : runtime_fixture {
  using runtime_fixture::runtime_fixture;

  answer<entry_reply> join(const std::string& user, const std::string& event = "concert-1") {
    return ask<entry_reply>(join_request{event_id{event}, user_id{user}, session_id{"s"}});
  }
  answer<entry_reply> status(const waiting_token_id& token) {
    return ask<entry_reply>(entry_request{token, entry_action::status});
  }
  answer<admission_reply> admit(const waiting_token_id& token, const std::string& user) {
    return ask<admission_reply>(admission_request{token, {}, user_id{user}});
  }
  answer<reservation_reply> hold(const std::string& user, const std::string& key,
                                 std::vector<seat_id> ids, const std::string& token) {
    auto req = create_of(user, key, std::move(ids));
    req.reservation_token = token;
    return ask<reservation_reply>(std::move(req));
  }
  /// A stream's stand-in: a subscriber that keeps every push in `seen`.
  queue_subscriber recorder(std::shared_ptr<std::vector<queue_changed>> seen) {
    return sys.spawn([seen](queue_subscriber::pointer) -> queue_subscriber::behavior_type {
      return {[seen](queue_changed& c) {
        seen->push_back(std::move(c));
      }};
    });
  }
  /// Joins `user`, lets the inlet run until the user is ready, and returns its reservation token.
  std::string admitted(const std::string& user) {
    auto joined = join(user);
    REQUIRE(joined.ok());
    for (int i = 0; i < 100 && !admit(joined.value->token, user).ok(); ++i)
      advance(100ms);
    auto granted = admit(joined.value->token, user);
    REQUIRE(granted.ok());
    return granted.value->reservation_token;
  }
};

} // namespace tt::actors::testing
