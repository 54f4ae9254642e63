// TriggerOperation's actor side (issue #31), through the shard region: DRAIN_QUEUE admitting or
// releasing everyone waiting (streams and status polls told, new joins refused, a dry run
// changing nothing), CAPACITY_CHANGED reaching watched entries when the inlet changes or
// CANCEL_RESERVATIONS puts seats back, and CLEAR_CACHE passivating idle reservation actors on a
// real RocksDB store without losing one.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "actors/runtime/recovery.hpp"
#include "tests/actors/runtime/queue_fixture.hpp"
#include "tests/actors/runtime/settled_store.hpp"

namespace tt::actors::testing {

namespace {

answer<queue_drained> drain(queue_fixture& f, drain_action action, bool dry_run = false) {
  return f.ask<queue_drained>(queue_drain{event_id{"concert-1"}, action, dry_run});
}

/// A room with admissions stopped and `users` waiting, the last one watched into `seen`.
std::vector<waiting_token_id> waiting_line(queue_fixture& f, int users,
                                           std::shared_ptr<std::vector<queue_changed>> seen) {
  REQUIRE(f.define(queued_concert(1, 10)).ok());
  REQUIRE(f.ask<admission_controlled>(admission_control{admission_switch::stop, {}}).ok());
  std::vector<waiting_token_id> out;
  for (int n = 1; n <= users; ++n)
    out.push_back(f.join("u" + std::to_string(n)).value->token);
  REQUIRE(f.ask<entry_reply>(queue_watch{out.back(), f.recorder(seen)}).ok());
  return out;
}

} // namespace

TEST_CASE("DRAIN_QUEUE release: everyone waiting is released and told, joins are refused") {
  queue_fixture f;
  auto seen = std::make_shared<std::vector<queue_changed>>();
  auto tokens = waiting_line(f, 3, seen);
  auto dry = drain(f, drain_action::release, true);
  REQUIRE(dry.ok());
  CHECK(dry.value->released == 3);
  CHECK(f.status(tokens.back()).value->position.position == 3); // the dry run changed nothing
  REQUIRE(f.join("u4").ok());
  tokens.push_back(f.join("u4").value->token);

  auto done = drain(f, drain_action::release);
  REQUIRE(done.ok());
  CHECK(done.value->released == 4);
  CHECK(done.value->admitted == 0);
  CHECK(done.value->joins_closed);
  REQUIRE(!seen->empty());
  CHECK(seen->back().gone);
  CHECK(seen->back().entry.notice == line_notice::released);
  CHECK(seen->back().entry.notice_text.find("DRAIN_QUEUE") != std::string::npos);
  auto polled = f.status(tokens.front());
  CHECK(polled.code() == errc::failed_precondition);
  CHECK(caf::to_string(polled.error).find("released") != std::string::npos);
  CHECK(f.join("u9").code() == errc::failed_precondition);
  auto stats = f.ask<queue_stats_answer>(queue_stats_query{event_id{"concert-1"}});
  REQUIRE(stats.ok());
  CHECK(stats.value->rooms.front().stats.waiting == 0);
  CHECK(stats.value->rooms.front().stats.joins_closed);

  REQUIRE(drain(f, drain_action::reopen).ok());
  CHECK(f.join("u9").ok());
}

TEST_CASE("DRAIN_QUEUE admit: everyone waiting is ready at once, past the stopped inlet") {
  queue_fixture f;
  auto seen = std::make_shared<std::vector<queue_changed>>();
  auto tokens = waiting_line(f, 3, seen);
  auto done = drain(f, drain_action::admit);
  REQUIRE(done.ok());
  CHECK(done.value->admitted == 3);
  for (const auto& token : tokens)
    CHECK(f.status(token).value->position.status == domain::entry_status::ready);
  REQUIRE(!seen->empty());
  CHECK(seen->back().entry.position.status == domain::entry_status::ready);
  CHECK(f.admit(tokens.back(), "u3").ok());
  CHECK(f.join("u4").code() == errc::failed_precondition);
}

TEST_CASE("DRAIN_QUEUE names an event without a waiting room as not found") {
  queue_fixture f;
  REQUIRE(f.define(concert()).ok());
  CHECK(drain(f, drain_action::release).code() == errc::not_found);
}

TEST_CASE("a capacity change through UpdateConfig reaches every watched entry once") {
  queue_fixture f;
  auto seen = std::make_shared<std::vector<queue_changed>>();
  waiting_line(f, 2, seen);
  auto pushed = seen->size();
  domain::room_settings_change change;
  change.admissions_per_second = 25;
  REQUIRE(f.ask<room_settings_updated>(room_settings_update{event_id{"concert-1"}, change}).ok());
  f.run();
  REQUIRE(seen->size() == pushed + 1);
  CHECK(seen->back().entry.notice == line_notice::capacity_changed);
  CHECK(seen->back().entry.notice_text.find("admissions per second 1 -> 25") != std::string::npos);
  f.advance(1s);
  for (size_t i = pushed + 1; i < seen->size(); ++i)
    CHECK(seen->at(i).entry.notice == line_notice::none); // said once
  // The same numbers again: nothing to tell.
  REQUIRE(f.ask<room_settings_updated>(room_settings_update{event_id{"concert-1"}, change}).ok());
  f.run();
  for (size_t i = pushed + 1; i < seen->size(); ++i)
    CHECK(seen->at(i).entry.notice == line_notice::none);
}

TEST_CASE("CANCEL_RESERVATIONS tells a line paused by holds, which then moves again") {
  queue_fixture f;
  REQUIRE(f.define(queued_concert(10, 100)).ok());
  auto held =
      f.hold("buyer", "k-buyer", seats({"A-1-1", "A-1-2", "A-1-3", "A-1-4", "B-1-1", "B-1-2"}),
             f.admitted("buyer"));
  REQUIRE(held.ok());
  auto token = f.join("late").value->token;
  auto seen = std::make_shared<std::vector<queue_changed>>();
  REQUIRE(f.ask<entry_reply>(queue_watch{token, f.recorder(seen)}).ok());
  f.advance(1s);
  REQUIRE(f.status(token).value->position.halt == domain::line_halt::all_held);
  auto done = f.ask<holds_cancelled>(cancel_holds{event_id{"concert-1"}, "test", "trace-1"});
  REQUIRE(done.ok());
  CHECK(done.value->cancelled == 1);
  f.run();
  auto told = std::count_if(seen->begin(), seen->end(), [](const queue_changed& c) {
    return c.entry.notice == line_notice::capacity_changed &&
           c.entry.notice_text.find("cancelled 1 hold(s) of event concert-1") != std::string::npos;
  });
  CHECK(told == 1);
  f.advance(200ms);
  CHECK(f.status(token).value->position.status == domain::entry_status::ready);
}

TEST_CASE("CANCEL_RESERVATIONS with nothing to cancel tells the line nothing") {
  queue_fixture f;
  auto seen = std::make_shared<std::vector<queue_changed>>();
  waiting_line(f, 1, seen);
  auto done = f.ask<holds_cancelled>(cancel_holds{event_id{"concert-1"}, "test", "trace-1"});
  REQUIRE(done.ok());
  CHECK(done.value->cancelled == 0);
  f.run();
  CHECK(seen->empty());
}

TEST_CASE_FIXTURE(store_fixture,
                  "CLEAR_CACHE passivates idle reservations, and each comes back from the store") {
  runtime_fixture node{{}, store};
  recovery_summary summary;
  auto plan = plan_recovery(*store, {concert()}, node.clock->now(), summary);
  REQUIRE(plan);
  REQUIRE(node.ask<catalog_defined>(std::move(*plan)).ok());
  auto held = node.create("user-1", "k1", seats({"A-1-1", "A-1-2"}));
  REQUIRE(held.ok());
  auto ended = node.create("user-2", "k2", seats({"A-1-3"}));
  REQUIRE(ended.ok());
  REQUIRE(node.cancel(ended.value->reservation.id, "user-2", "c2").ok());
  auto running = node.sys.registry().running();

  auto dry = node.ask<cache_cleared>(cache_clear{true});
  REQUIRE(dry.ok());
  CHECK(dry.value->passivated == 1);
  CHECK(dry.value->kept == 1); // the hold keeps its actor: it owns the expiry
  CHECK(node.sys.registry().running() == running);

  auto done = node.ask<cache_cleared>(cache_clear{false});
  REQUIRE(done.ok());
  CHECK(done.value->events == 1);
  CHECK(done.value->passivated == 1);
  node.run();
  CHECK(node.sys.registry().running() == running - 1);
  auto again = node.ask<cache_cleared>(cache_clear{true});
  CHECK(again.value->already_passivated == 1);

  auto back = node.get(ended.value->reservation.id, "user-2");
  REQUIRE(back.ok());
  CHECK(back.value->reservation.status == domain::reservation_status::cancelled);
  CHECK(back.value->seats.size() == 1);
  auto hold = node.get(held.value->reservation.id, "user-1");
  REQUIRE(hold.ok());
  CHECK(hold.value->reservation.status == domain::reservation_status::hold);
  // The hold acknowledged before CLEAR_CACHE is still confirmable: paid for, then confirmed.
  const auto& r = held.value->reservation;
  auto intent =
      node.ask<payment_reply>(payment_create_request{r.id,
                                                     node.scope_of("user-1", "pay-1", "pay-1"),
                                                     r.total,
                                                     1,
                                                     domain::payment_scenario::approve,
                                                     {}});
  REQUIRE_MESSAGE(intent.ok(), caf::to_string(intent.error));
  REQUIRE(node.ask<payment_reply>(payment_process{intent.value->payment.id,
                                                  node.scope_of("", "process-1", "process-1")})
              .ok());
  node.advance(node.config->payment.settle_delay + 1s);
  CHECK(node.get(r.id, "user-1").value->reservation.status ==
        domain::reservation_status::confirmed);
}

} // namespace tt::actors::testing
