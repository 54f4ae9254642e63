// Waiting rooms on a real RocksDB store (settled_store), restarted the way tacosd restarts:
// a second actor system on the same directory, plan_recovery, then define_catalog. What a user
// was told (a token and a place, an admission, a spent token, a leave) is still true afterwards.
#include <doctest/doctest.h>

#include "actors/runtime/recovery.hpp"
#include "actors/runtime/room_records.hpp"
#include "tests/actors/runtime/queue_fixture.hpp"
#include "tests/actors/runtime/settled_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace tt::actors::testing {

namespace {

struct stored_queue_node : queue_fixture {
  explicit stored_queue_node(std::shared_ptr<settled_store> s,
                             std::chrono::milliseconds start = 0ms, unsafe_switches unsafe = {})
      : queue_fixture(unsafe, s, start), store(std::move(s)) {}

  /// Start-up with `catalog` (by default the queued concert at 1 admission/s).
  recovery_summary recover(std::vector<domain::event_definition> catalog = {queued_concert()}) {
    recovery_summary summary;
    auto plan = plan_recovery(*store, std::move(catalog), clock->now(), summary);
    REQUIRE(plan);
    REQUIRE(ask<catalog_defined>(std::move(*plan)).ok());
    return summary;
  }

  std::optional<recovered_room> stored_room() const {
    auto room = load_room(*store, event_id{"concert-1"});
    REQUIRE(room);
    return *room;
  }

  std::shared_ptr<settled_store> store;
};

} // namespace

TEST_CASE_FIXTURE(store_fixture,
                  "after a restart every place, admission and spent token is as it was told") {
  waiting_token_id waiting;
  std::string spent_token, unused_token;
  reservation_reply held;
  {
    stored_queue_node node{store};
    node.recover();
    spent_token = node.admitted("u1");
    auto reply = node.hold("u1", "k1", seats({"A-1-1"}), spent_token);
    REQUIRE(reply.ok());
    held = *reply.value;
    unused_token = node.admitted("u2");
    waiting = node.join("u3").value->token;
    node.join("u4");
    CHECK(node.status(waiting).value->position.position == 1);
    auto stored = node.stored_room();
    REQUIRE(stored);
    CHECK(stored->entries.size() == 4);
  }
  stored_queue_node again{store, 5s};
  auto summary = again.recover();
  CHECK(summary.queue_entries == 4);
  // u3 keeps its token and its place ahead of u4; joining again names the same entry.
  CHECK(again.join("u3").value->token == waiting);
  auto place = again.status(waiting);
  REQUIRE(place.ok());
  CHECK(place.value->position.status == domain::entry_status::waiting);
  CHECK(place.value->position.position == 1);
  // u1's token stays spent: a second hold is refused, the retry of the first gets its reply.
  CHECK(again.hold("u1", "k2", seats({"A-1-2"}), spent_token).code() == errc::forbidden);
  auto retry = again.hold("u1", "k1", seats({"A-1-1"}), spent_token);
  REQUIRE(retry.ok());
  CHECK(retry.value->reservation.id == held.reservation.id);
  // u2's admission survived: its token opens one hold.
  REQUIRE(again.hold("u2", "k3", seats({"A-1-3"}), unused_token).ok());
  CHECK(again.hold("u2", "k4", seats({"A-1-4"}), unused_token).code() == errc::forbidden);
  // And the line moves on from where it was: u3 is admitted before u4.
  for (int i = 0;
       i < 30 && again.status(waiting).value->position.status == domain::entry_status::waiting; ++i)
    again.advance(100ms);
  CHECK(again.status(waiting).value->position.status == domain::entry_status::ready);
}

TEST_CASE_FIXTURE(store_fixture, "a leave is stored: the entry does not come back") {
  waiting_token_id left, stays;
  {
    stored_queue_node node{store};
    node.recover();
    left = node.join("u1").value->token;
    stays = node.join("u2").value->token;
    REQUIRE(node.ask<entry_reply>(entry_request{left, entry_action::leave}).ok());
  }
  stored_queue_node again{store, 1s};
  CHECK(again.recover().queue_entries == 1);
  CHECK(again.status(left).code() == errc::not_found);
  CHECK(again.status(stays).value->position.position == 1);
}

TEST_CASE_FIXTURE(store_fixture, "a join the store refuses is unavailable and leaves no entry") {
  stored_queue_node node{store};
  node.recover();
  store->refuse_writes = true;
  CHECK(node.join("u1").code() == errc::unavailable);
  store->refuse_writes = false;
  auto joined = node.join("u2");
  REQUIRE(joined.ok());
  CHECK(joined.value->position.position == 1); // the refused join holds no place
  REQUIRE(node.join("u1").ok());
  CHECK(node.stored_room()->entries.size() == 2);
}

TEST_CASE_FIXTURE(store_fixture,
                  "a new definition keeps the line; one without a waiting room deletes it") {
  stored_queue_node node{store};
  node.recover();
  auto first = node.join("u1").value->token;
  node.join("u2");
  REQUIRE(node.define(queued_concert(5, 10)).ok()); // no reservations: replaced
  CHECK(node.status(first).value->position.position == 1);
  CHECK(node.stored_room()->entries.size() == 2);
  REQUIRE(node.define(concert()).ok()); // no waiting room any more
  CHECK_FALSE(node.stored_room());
  CHECK(node.create("u9", "k9", seats({"A-1-1"})).ok()); // and holds need no token
}

TEST_CASE_FIXTURE(store_fixture, "a repeated join is answered only once the first is durable") {
  // Two joins of one member while the store holds the first one's commit (a slow fsync): is
  // either answered before that commit is durable? Both must name the same entry in the end.
  auto answered_early = [&](const std::string& user, unsafe_switches unsafe) {
    stored_queue_node node{store, 0ms, unsafe};
    node.recover();
    store->hold_commits = true;
    auto join_of = [&] {
      return join_request{event_id{"concert-1"}, user_id{user}, session_id{"s"}};
    };
    auto first = node.send<entry_reply>(node.region, join_of());
    node.run();
    auto again = node.send<entry_reply>(node.region, join_of());
    node.run();
    bool early = first->done || again->done;
    store->release_held();
    node.run();
    REQUIRE(first->ok());
    REQUIRE(again->ok());
    CHECK(again->value->token == first->value->token);
    return early;
  };
  CHECK_FALSE(answered_early("u1", {}));
  // Negative control: with repeats answered from memory, the second join beats the fsync.
  unsafe_switches unsafe;
  unsafe.answer_repeats_at_once = true;
  CHECK(answered_early("u2", unsafe));
}

TEST_CASE_FIXTURE(store_fixture, "STOP_ADMISSIONS is stored with the room") {
  waiting_token_id token;
  {
    stored_queue_node node{store};
    node.recover();
    token = node.join("u1").value->token;
    REQUIRE(node.ask<admission_controlled>(
                    admission_control{admission_switch::stop, event_id{"concert-1"}})
                .ok());
  }
  stored_queue_node again{store, 1s};
  again.recover();
  again.advance(2s);
  CHECK(again.status(token).value->position.status == domain::entry_status::waiting);
}

} // namespace tt::actors::testing
