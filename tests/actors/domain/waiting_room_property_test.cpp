// waiting room against a naive model: random joins, heartbeats, leaves, admissions and ticks; the
// model follows the room's events with plain O(n) lists, and every position, status and count
// must agree after every step.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "tests/actors/domain/waiting_room_fixture.hpp"

using namespace tt;
using namespace tt::domain;
using namespace tt::domain::waiting_room_testing;

namespace {

struct model_entry {
  int n = 0;
  entry_status status = entry_status::waiting;
};

/// Entries in join order; a waiting entry's position is 1 + the waiting entries before it.
struct naive_model {
  std::vector<model_entry> entries;

  model_entry* find(const waiting_token_id& token) {
    for (auto& e : entries)
      if ("w-" + std::to_string(e.n) == token())
        return &e;
    return nullptr;
  }

  void follow(const waiting_room_event& event) {
    if (const auto* joined = std::get_if<queue_joined>(&event)) {
      entries.push_back({std::stoi(joined->token().substr(2)), entry_status::waiting});
    } else if (const auto* advanced = std::get_if<serving_advanced>(&event)) {
      uint64_t left = advanced->count;
      for (auto& e : entries)
        if (left > 0 && e.status == entry_status::waiting) {
          e.status = entry_status::ready;
          --left;
        }
      REQUIRE(left == 0);
    } else if (const auto* granted = std::get_if<admission_granted>(&event)) {
      find(granted->token)->status = entry_status::admitted;
    } else if (const auto* removed = std::get_if<entry_removed>(&event)) {
      auto* e = find(removed->token);
      REQUIRE(e != nullptr);
      entries.erase(entries.begin() + (e - entries.data()));
    }
  }

  void check_against(room& r, timestamp now, uint32_t max_active) {
    uint64_t waiting_before = 0;
    uint64_t active = 0;
    bool seen_waiting = false;
    for (const auto& e : entries) {
      auto p = r.position(e.n, now);
      CHECK(p.status == e.status);
      if (e.status == entry_status::waiting) {
        CHECK(p.position == ++waiting_before);
        seen_waiting = true;
      } else {
        CHECK_FALSE(seen_waiting); // FIFO: nobody behind a waiting entry had a turn
        ++active;
      }
    }
    CHECK(active <= max_active);
    auto stats = r.state.stats(now);
    CHECK(stats.waiting == waiting_before);
    CHECK(stats.ready + stats.admitted == active);
  }
};

} // namespace

TEST_CASE("random traffic: the room's positions always match a naive model") {
  waiting_room_policy policy;
  policy.admissions_per_second = 5;
  policy.max_active = 8;
  policy.idle_timeout = 30s;
  policy.claim_window = 10s;
  policy.admission_validity = 5s;
  policy.active_lifetime = 20s;
  room r{policy};
  naive_model model;
  std::mt19937 random{20240605};
  timestamp now = t0;
  int next_user = 1;
  auto pick = [&]() -> int {
    if (model.entries.empty())
      return 0;
    return model.entries[random() % model.entries.size()].n;
  };
  auto token_of = [](int n) {
    return waiting_token_id{"w-" + std::to_string(n)};
  };
  for (int step = 0; step < 3000; ++step) {
    now += std::chrono::milliseconds{random() % 400};
    std::vector<waiting_room_event> events;
    int target = pick();
    switch (random() % 6) {
      case 0:
      case 1:
        r.join(next_user, now);
        model.follow(queue_joined{token_of(next_user), {}, {}, 0, now});
        ++next_user;
        break;
      case 2:
        if (target != 0)
          events = r.run(leave_queue{token_of(target)}, now);
        break;
      case 3:
        if (target != 0)
          events = r.run(record_heartbeat{token_of(target)}, now);
        break;
      case 4:
        if (target != 0 && model.find(token_of(target))->status == entry_status::ready)
          events =
              r.run(request_admission{token_of(target), user_id{"user-" + std::to_string(target)},
                                      admission_nonce{"n-" + std::to_string(target)}},
                    now);
        break;
      default:
        events = r.run(tick{}, now);
    }
    for (const auto& e : events)
      model.follow(e);
    model.check_against(r, now, policy.max_active);
  }
  CHECK(r.state.stats(now).total_admitted > 0);
}
