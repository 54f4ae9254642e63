// waiting room operator operations (issue #31): given a room with people in line, when the
// operator drains it (DRAIN_QUEUE) or changes its inlet, then joins stop, everyone waiting is
// admitted or released and told why, and a capacity change is worded for the line.
#include "actors/domain/waiting_room.hpp"

#include <doctest/doctest.h>

#include "tests/actors/domain/waiting_room_fixture.hpp"

using namespace tt;
using namespace tt::domain;
using namespace tt::domain::waiting_room_testing;

namespace {

size_t removed_as_released(const std::vector<waiting_room_event>& events) {
  size_t count = 0;
  for (const auto& e : events)
    if (const auto* removed = std::get_if<entry_removed>(&e))
      count += removed->reason == removal_reason::released ? 1 : 0;
  return count;
}

join_queue newcomer(int n) {
  auto id = std::to_string(n);
  return join_queue{waiting_token_id{"w-" + id}, user_id{"user-" + id}, session_id{"s-" + id}};
}

} // namespace

TEST_CASE("drain with admit makes everyone waiting ready past the inlet and stops new joins") {
  room r{with_inlet(2, 3)};
  for (int n = 1; n <= 10; ++n)
    r.join(n);
  CHECK(advanced_by(r.run(tick{}, t0)) == 2);
  auto drained = r.run(drain_line{drain_mode::admit}, t0 + 1s);
  CHECK(advanced_by(drained) == 8);
  CHECK(std::holds_alternative<line_closed>(drained.front()));
  for (int n = 1; n <= 10; ++n)
    CHECK(r.position(n, t0 + 1s).status == entry_status::ready);
  r.admit(10, t0 + 1s); // the last in line may claim its admission now
  auto refused = r.rejection(newcomer(11), t0 + 1s);
  CHECK(refused.code == errc::failed_precondition);
  CHECK(refused.message.find("DRAIN_QUEUE") != std::string::npos);
  // Someone already in the room who joins again still gets their entry.
  CHECK(std::holds_alternative<queue_rejoined>(r.run(newcomer(3), t0 + 1s).front()));
  auto stats = r.state.stats(t0 + 1s);
  CHECK(stats.joins_closed);
  CHECK(stats.waiting == 0);
}

TEST_CASE("drain with release removes everyone waiting and tells them why") {
  room r{with_inlet(2, 100)};
  for (int n = 1; n <= 5; ++n)
    r.join(n);
  CHECK(advanced_by(r.run(tick{}, t0)) == 2); // 1 and 2 are ready: a drain leaves them be
  auto drained = r.run(drain_line{drain_mode::release}, t0 + 1s);
  CHECK(removed_as_released(drained) == 3);
  CHECK(r.position(1, t0 + 1s).status == entry_status::ready);
  CHECK_FALSE(r.present(3, t0 + 1s));
  auto told = r.state.position_of(waiting_token_id{"w-4"}, t0 + 1s);
  REQUIRE_FALSE(told);
  CHECK(told.error().code == errc::failed_precondition);
  CHECK(told.error().message.find("released") != std::string::npos);
  auto heartbeat = r.rejection(record_heartbeat{waiting_token_id{"w-5"}}, t0 + 1s);
  CHECK(heartbeat.message.find("released") != std::string::npos);
  // A token that never existed still reads as unknown.
  auto unknown = r.rejection(record_heartbeat{waiting_token_id{"w-99"}}, t0 + 1s);
  CHECK(unknown.code == errc::not_found);
  CHECK(r.state.stats(t0 + 1s).waiting == 0);
}

TEST_CASE("deciding a drain changes nothing until it is applied: a dry run") {
  room r{with_inlet(1, 100)};
  for (int n = 1; n <= 4; ++n)
    r.join(n);
  auto would = decide(r.state, drain_line{drain_mode::release}, t0);
  REQUIRE(would);
  CHECK(removed_as_released(*would) == 4);
  CHECK(r.position(4).position == 4);
  CHECK_FALSE(r.state.joins_closed());
  r.join(5);
}

TEST_CASE("a drained line reopens: joins come back, released users may join again") {
  room r;
  r.join(1);
  r.run(drain_line{drain_mode::release}, t0);
  CHECK(r.run(drain_line{drain_mode::release}, t0).empty()); // nobody left, already closed
  auto reopened = r.run(reopen_line{}, t0 + 1s);
  REQUIRE(reopened.size() == 1);
  CHECK(std::holds_alternative<line_reopened>(reopened.front()));
  CHECK(r.run(reopen_line{}, t0 + 1s).empty());
  r.join(1, t0 + 1s);
  CHECK(r.position(1, t0 + 1s).status == entry_status::waiting);
}

TEST_CASE("a closed line survives a restart through the stored numbers") {
  room r;
  r.join(1);
  r.run(drain_line{drain_mode::admit}, t0);
  auto numbers = r.state.stored_numbers();
  CHECK(numbers.joins_closed);
  auto back = waiting_room_state::restore(event_id{"concert-1"}, {}, numbers, {}, t0 + 1s);
  REQUIRE(back);
  CHECK(back->joins_closed());
  CHECK_FALSE(decide(*back, newcomer(2), t0 + 1s));
}

TEST_CASE("capacity_notice names what changed and stays silent when nothing did") {
  event_id event{"concert-1"};
  CHECK_FALSE(capacity_notice(event, with_inlet(10, 100), with_inlet(10, 100)));
  auto faster = capacity_notice(event, with_inlet(10, 100), with_inlet(50, 100));
  REQUIRE(faster);
  CHECK(faster->find("concert-1") != std::string::npos);
  CHECK(faster->find("admissions per second 10 -> 50") != std::string::npos);
  CHECK(faster->find("users admitted at once 100 (unchanged)") != std::string::npos);
  auto fewer = capacity_notice(event, with_inlet(10, 100), with_inlet(10, 20));
  REQUIRE(fewer);
  CHECK(fewer->find("users admitted at once 100 -> 20") != std::string::npos);
}
