// The admission actor through the shard region: joins in order, the inlet on the actors' clock,
// reservation tokens gating holds (missing, forged, reused, other user, other event, expired),
// a refused hold keeping the admission, a finished hold freeing its slot, leave,
// STOP_ADMISSIONS, maintenance, watched entries (StreamQueueUpdates' subscriptions), the line
// pausing while every seat is held and stopping at a sell-out, and the negative control that lets
// tokenless holds through.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "tests/actors/runtime/queue_fixture.hpp"

namespace tt::actors::testing {

TEST_CASE("joins are FIFO and idempotent, the inlet admits in join order") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(1, 10)).ok());
  std::vector<waiting_token_id> tokens;
  for (const char* user : {"u1", "u2", "u3"})
    tokens.push_back(f.join(user).value->token);
  CHECK(f.join("u2").value->token == tokens[1]); // same (user, session): same place
  CHECK(tokens[0]().rfind("w-", 0) == 0);
  CHECK(f.status(tokens[2]).value->position.position >= 2);
  std::vector<std::string> order;
  for (int step = 0; step < 60 && order.size() < 3; ++step) {
    f.advance(100ms);
    for (size_t i = 0; i < tokens.size(); ++i) {
      auto s = f.status(tokens[i]);
      auto name = "u" + std::to_string(i + 1);
      if (s.ok() && s.value->position.status != domain::entry_status::waiting &&
          std::find(order.begin(), order.end(), name) == order.end())
        order.push_back(name);
    }
  }
  CHECK(order == std::vector<std::string>{"u1", "u2", "u3"});
}

TEST_CASE("a hold on a queued event needs this user's unused, unexpired reservation token") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(10, 10)).ok());
  CHECK(f.hold("u1", "k0", seats({"A-1-1"}), "").code() == errc::forbidden);
  auto token = f.admitted("u1");
  CHECK(f.hold("u2", "k1", seats({"A-1-1"}), token).code() == errc::forbidden); // other user
  auto forged = token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  CHECK(f.hold("u1", "k2", seats({"A-1-1"}), forged).code() == errc::forbidden);
  auto held = f.hold("u1", "k3", seats({"A-1-1"}), token);
  REQUIRE(held.ok());
  // A retry of that very write gets its reply; any other use of the spent token is refused.
  CHECK(f.hold("u1", "k3", seats({"A-1-1"}), token).value->reservation.id() ==
        held.value->reservation.id());
  CHECK(f.hold("u1", "k4", seats({"A-1-2"}), token).code() == errc::forbidden);
  auto late = f.admitted("u3");
  f.advance(31s); // past queue.token_ttl_seconds' default of 30 s
  CHECK(f.hold("u3", "k5", seats({"A-1-3"}), late).code() == errc::forbidden);
}

TEST_CASE("a token for one event does not open another") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(10, 10)).ok());
  REQUIRE(f.define(queued_concert(10, 10, "concert-2")).ok());
  auto token = f.admitted("u1");
  auto req = f.create_of("u1", "k1", seats({"A-1-1"}), 0, "concert-2");
  req.reservation_token = token;
  CHECK(f.ask<reservation_reply>(std::move(req)).code() == errc::forbidden);
}

TEST_CASE("a hold refused for want of seats leaves the admission usable") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(10, 10)).ok());
  auto first = f.admitted("u1");
  auto second = f.admitted("u2");
  REQUIRE(f.hold("u1", "k1", seats({"A-1-1"}), first).ok());
  CHECK(f.hold("u2", "k2", seats({"A-1-1"}), second).code() == errc::inventory_conflict);
  CHECK(f.hold("u2", "k3", seats({"A-1-2"}), second).ok());
}

TEST_CASE("a hold that ends frees its admission's slot at once, not at the backstop") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(10, 1)).ok()); // one active user at a time
  auto first = f.admitted("u1");
  auto held = f.hold("u1", "k1", seats({"A-1-1"}), first);
  REQUIRE(held.ok());
  auto next = f.join("u2").value->token;
  f.advance(5s); // the inlet has credit, but u1 still holds: u2 waits
  CHECK(f.status(next).value->position.status == domain::entry_status::waiting);
  REQUIRE(f.cancel(held.value->reservation.id, "u1", "k2").ok());
  f.advance(500ms); // far below reservation.max_hold_lifetime (the backstop)
  CHECK(f.status(next).value->position.status == domain::entry_status::ready);
}

TEST_CASE("a user who leaves stops counting, positions close up") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(1, 1)).ok());
  REQUIRE(f.join("u1").ok());
  auto b = f.join("u2").value->token;
  auto c = f.join("u3").value->token;
  auto before = f.status(c).value->position.position;
  REQUIRE(f.ask<entry_reply>(entry_request{b, entry_action::leave}).ok());
  CHECK(f.status(b).code() == errc::not_found);
  CHECK(f.status(c).value->position.position == before - 1);
  auto stats = f.ask<queue_stats_answer>(queue_stats_query{});
  REQUIRE(stats.ok());
  REQUIRE(stats.value->rooms.size() == 1);
  CHECK(stats.value->rooms[0].stats.waiting + stats.value->rooms[0].stats.ready +
            stats.value->rooms[0].stats.admitted ==
        2);
}

TEST_CASE("STOP_ADMISSIONS freezes the inlet until resumed, maintenance refuses joins") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(10, 10)).ok());
  REQUIRE(f.ask<admission_controlled>(admission_control{admission_switch::stop, {}}).ok());
  auto token = f.join("u1").value->token;
  f.advance(2s);
  CHECK(f.status(token).value->position.status == domain::entry_status::waiting);
  REQUIRE(f.ask<admission_controlled>(
               admission_control{admission_switch::resume, event_id{"concert-1"}})
              .ok());
  f.advance(200ms);
  CHECK(f.status(token).value->position.status != domain::entry_status::waiting);
  REQUIRE(
      f.ask<admission_controlled>(admission_control{admission_switch::maintenance_on, {}}).ok());
  CHECK(f.join("u2").code() == errc::unavailable);
  REQUIRE(
      f.ask<admission_controlled>(admission_control{admission_switch::maintenance_off, {}}).ok());
  CHECK(f.join("u2").ok());
}

TEST_CASE("a watched entry is pushed each change of its place, then ready, and nothing more") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(1, 10)).ok());
  REQUIRE(f.ask<admission_controlled>(admission_control{admission_switch::stop, {}}).ok());
  REQUIRE(f.join("u1").ok());
  REQUIRE(f.join("u2").ok());
  auto token = f.join("u3").value->token;
  auto seen = std::make_shared<std::vector<queue_changed>>();
  auto subscriber = f.recorder(seen);
  auto now = f.ask<entry_reply>(queue_watch{token, subscriber});
  REQUIRE(now.ok());
  CHECK(now.value->position.position == 3);
  CHECK(f.ask<entry_reply>(queue_watch{waiting_token_id{"w-nope"}, subscriber}).code() ==
        errc::invalid_argument);
  REQUIRE(f.ask<admission_controlled>(admission_control{admission_switch::resume, {}}).ok());
  for (int i = 0; i < 100 && (seen->empty() ||
                              seen->back().entry.position.status == domain::entry_status::waiting);
       ++i)
    f.advance(100ms);
  REQUIRE(!seen->empty());
  CHECK(seen->back().entry.position.status != domain::entry_status::waiting);
  CHECK_FALSE(seen->back().gone);
  std::vector<uint64_t> places;
  for (const auto& c : *seen)
    if (c.entry.position.status == domain::entry_status::waiting)
      places.push_back(c.entry.position.position);
  REQUIRE(!places.empty());
  CHECK(std::is_sorted(places.rbegin(), places.rend())); // only forward
  CHECK(places.back() == 1);
  auto pushed = seen->size();
  f.advance(2s);
  CHECK(seen->size() == pushed); // the ready push was the last
}

TEST_CASE("a watched entry that leaves is pushed as gone") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(1, 10)).ok());
  REQUIRE(f.ask<admission_controlled>(admission_control{admission_switch::stop, {}}).ok());
  auto token = f.join("u1").value->token;
  auto seen = std::make_shared<std::vector<queue_changed>>();
  auto subscriber = f.recorder(seen);
  REQUIRE(f.ask<entry_reply>(queue_watch{token, subscriber}).ok());
  REQUIRE(f.ask<entry_reply>(entry_request{token, entry_action::leave}).ok());
  f.advance(200ms);
  REQUIRE(seen->size() == 1);
  CHECK(seen->front().gone);
}

/// Pays for `held`'s hold (APPROVE) and lets the payment settle: the seats are sold.
void sell(queue_fixture& f, const reservation_reply& held, const std::string& user) {
  const auto& r = held.reservation;
  auto intent = f.ask<payment_reply>(
      payment_create_request{r.id,
                             f.scope_of(user, "pay-" + r.id(), "pay-" + r.id()),
                             r.total,
                             1,
                             domain::payment_scenario::approve,
                             {}});
  REQUIRE_MESSAGE(intent.ok(), caf::to_string(intent.error));
  REQUIRE(f.ask<payment_reply>(
               payment_process{intent.value->payment.id,
                               f.scope_of("", "process-" + r.id(), "process-" + r.id())})
              .ok());
}

/// One hold through the waiting room on each of `seat_ids`, for buyer-<first>, buyer-<first+1>...
std::vector<std::pair<std::string, reservation_reply>>
hold_through_room(queue_fixture& f, std::vector<const char*> seat_ids, int first = 1) {
  std::vector<std::pair<std::string, reservation_reply>> out;
  for (const char* seat : seat_ids) {
    auto user = "buyer-" + std::to_string(first++);
    auto held = f.hold(user, "k-" + user, seats({seat}), f.admitted(user));
    REQUIRE(held.ok());
    out.emplace_back(user, *held.value);
  }
  return out;
}

TEST_CASE("with every seat held the line pauses, and moves again when a hold ends") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(10, 100)).ok());
  auto holds = hold_through_room(f, {"A-1-1", "A-1-2", "A-1-3", "A-1-4", "B-1-1", "B-1-2"});
  auto token = f.join("late").value->token;
  auto seen = std::make_shared<std::vector<queue_changed>>();
  REQUIRE(f.ask<entry_reply>(queue_watch{token, f.recorder(seen)}).ok());
  f.advance(2s); // the inlet has credit and room under max_active: only the pause holds it
  auto waiting = f.status(token);
  CHECK(waiting.value->position.status == domain::entry_status::waiting);
  CHECK(waiting.value->position.halt == domain::line_halt::all_held);
  REQUIRE(f.cancel(holds.front().second.reservation.id, holds.front().first, "c1").ok());
  f.advance(200ms);
  CHECK(f.status(token).value->position.status == domain::entry_status::ready);
  REQUIRE(!seen->empty());
  CHECK(seen->back().entry.position.status == domain::entry_status::ready);
}

TEST_CASE("a sell-out reaches every watched entry, and a ready entry is not admitted") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(10, 100)).ok());
  auto holds = hold_through_room(f, {"A-1-1", "A-1-2", "A-1-3", "A-1-4", "B-1-1"});
  auto early = f.join("early").value->token; // ready while a seat is left, and not claiming
  f.advance(200ms);
  REQUIRE(f.status(early).value->position.status == domain::entry_status::ready);
  auto last = hold_through_room(f, {"B-1-2"}, 6);
  holds.push_back(last.front());
  auto watched = f.join("watcher").value->token;
  auto seen = std::make_shared<std::vector<queue_changed>>();
  REQUIRE(f.ask<entry_reply>(queue_watch{watched, f.recorder(seen)}).ok());
  f.advance(1s);
  CHECK(f.status(watched).value->position.halt == domain::line_halt::all_held);
  for (const auto& [user, held] : holds)
    sell(f, held, user);
  f.advance(f.config->payment.settle_delay + 1s);
  auto sold = f.status(watched);
  CHECK(sold.value->position.halt == domain::line_halt::sold_out);
  CHECK(sold.value->position.status == domain::entry_status::waiting);
  REQUIRE(!seen->empty());
  CHECK(seen->back().entry.position.halt == domain::line_halt::sold_out);
  CHECK(f.admit(early, "early").code() == errc::insufficient_inventory);
}

TEST_CASE("maintenance reaches the line: watched entries are told when it starts and ends") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(1, 10)).ok());
  REQUIRE(f.ask<admission_controlled>(admission_control{admission_switch::stop, {}}).ok());
  auto token = f.join("u1").value->token;
  auto seen = std::make_shared<std::vector<queue_changed>>();
  REQUIRE(f.ask<entry_reply>(queue_watch{token, f.recorder(seen)}).ok());
  CHECK(f.status(token).value->position.halt == domain::line_halt::stopped);
  REQUIRE(
      f.ask<admission_controlled>(admission_control{admission_switch::maintenance_on, {}}).ok());
  REQUIRE(!seen->empty());
  CHECK(seen->back().entry.maintenance);
  CHECK(f.status(token).value->maintenance);
  REQUIRE(
      f.ask<admission_controlled>(admission_control{admission_switch::maintenance_off, {}}).ok());
  CHECK_FALSE(seen->back().entry.maintenance);
}

TEST_CASE("events without a waiting room take holds without a token") {
  queue_fixture f;
  REQUIRE(f.define(concert()).ok());
  CHECK(f.hold("u1", "k1", seats({"A-1-1"}), "").ok());
  CHECK(f.join("u1").code() == errc::not_found);
}

TEST_CASE("negative control: with the admission check off, a tokenless hold gets through") {
  unsafe_switches unsafe;
  unsafe.skip_admission_check = true;
  queue_fixture f{unsafe};
  REQUIRE(f.define(queued_concert()).ok());
  CHECK(f.hold("u1", "k1", seats({"A-1-1"}), "").ok());
}

} // namespace tt::actors::testing
