// The shard region's emergency switches: the circuit breaker refuses writes and lets reads
// through, CANCEL_RESERVATIONS releases every hold and leaves ended reservations alone, and the
// switches come back after a restart (a real RocksDB store, a second actor system on it).
#include <doctest/doctest.h>

#include "actors/runtime/recovery.hpp"
#include "tests/actors/runtime/runtime_fixture.hpp"
#include "tests/actors/runtime/settled_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tt;
using namespace tt::actors;
using namespace tt::actors::testing;

namespace {

const event_id concert_1{"concert-1"};

struct defined : runtime_fixture {
  explicit defined(std::shared_ptr<storage::snapshot_store> store = nullptr)
      : runtime_fixture({}, std::move(store)) {}
  answer<breaker_state> breaker(breaker_switch action, const std::string& event = "concert-1") {
    return ask<breaker_state>(breaker_control{action, event_id{event}});
  }
  answer<holds_cancelled> cancel_all(const std::string& event = "concert-1") {
    return ask<holds_cancelled>(cancel_holds{event_id{event}, "by operator", "trace-1"});
  }
};

struct stored_node : defined {
  explicit stored_node(std::shared_ptr<settled_store> s) : defined(s), store(std::move(s)) {
    recovery_summary summary;
    auto plan = plan_recovery(*store, {concert()}, clock->now(), summary);
    REQUIRE(plan);
    REQUIRE(ask<catalog_defined>(std::move(*plan)).ok());
  }
  std::shared_ptr<settled_store> store;
};

} // namespace

TEST_CASE_FIXTURE(defined, "an event's breaker refuses holds and cancels but answers reads") {
  REQUIRE(define(concert()).ok());
  auto held = create("user-1", "k1", seats({"A-1-1"}));
  REQUIRE(held.ok());
  auto opened = breaker(breaker_switch::open);
  REQUIRE(opened.ok());
  CHECK(opened.value->events_open == 1);
  CHECK_FALSE(opened.value->node_open);

  auto refused = create("user-2", "k2", seats({"A-1-2"}));
  CHECK(refused.code() == errc::unavailable);
  auto f = to_failure(refused.error);
  REQUIRE(f);
  REQUIRE_FALSE(f->details.empty());
  CHECK(f->details[0].field == "retry_after");
  CHECK(cancel(held.value->reservation.id, "user-1", "c1").code() == errc::unavailable);

  auto read = ask<availability_answer>(availability_of(seats({"A-1-1", "A-1-2"})));
  REQUIRE(read.ok());
  CHECK(read.value->unavailable == seats({"A-1-1"}));
  CHECK(get(held.value->reservation.id, "user-1").ok());
  CHECK(status().totals.held == 1);

  REQUIRE(breaker(breaker_switch::close).ok());
  CHECK(create("user-2", "k3", seats({"A-1-2"})).ok());
}

TEST_CASE_FIXTURE(defined, "the node's breaker refuses writes to every event") {
  REQUIRE(define(concert()).ok());
  REQUIRE(define(concert("concert-2")).ok());
  auto opened = breaker(breaker_switch::open, "");
  REQUIRE(opened.ok());
  CHECK(opened.value->node_open);
  CHECK(create("user-1", "k1", seats({"A-1-1"})).code() == errc::unavailable);
  CHECK(
      ask<reservation_reply>(create_of("user-1", "k2", seats({"A-1-1"}), 0, "concert-2")).code() ==
      errc::unavailable);
  REQUIRE(breaker(breaker_switch::close, "").ok());
  CHECK(create("user-1", "k1", seats({"A-1-1"})).ok());
}

TEST_CASE_FIXTURE(defined, "a breaker for an unknown event is not found") {
  CHECK(breaker(breaker_switch::open, "nope").code() == errc::not_found);
  CHECK(cancel_all("nope").code() == errc::not_found);
}

TEST_CASE_FIXTURE(defined, "cancel-all releases every hold and leaves ended reservations alone") {
  REQUIRE(define(concert()).ok());
  auto first = create("user-1", "k1", seats({"A-1-1", "A-1-2"}));
  auto second = create("user-2", "k2", seats({"B-1-1"}));
  auto ended = create("user-3", "k3", seats({"A-1-3"}));
  REQUIRE((first.ok() && second.ok() && ended.ok()));
  REQUIRE(cancel(ended.value->reservation.id, "user-3", "c3").ok());
  CHECK(status().totals.held == 3);

  auto done = cancel_all();
  REQUIRE(done.ok());
  CHECK(done.value->cancelled == 2);
  CHECK(done.value->not_cancelled == 0);
  CHECK(done.value->sales_untouched == 0);
  CHECK(status().totals.held == 0);
  CHECK(get(first.value->reservation.id, "user-1").value->reservation.status ==
        domain::reservation_status::cancelled);
  CHECK(get(second.value->reservation.id, "user-2").value->reservation.status ==
        domain::reservation_status::cancelled);
  auto free = ask<availability_answer>(availability_of(seats({"A-1-1", "A-1-2", "B-1-1"})));
  REQUIRE(free.ok());
  CHECK(free.value->available);

  auto again = cancel_all(); // nothing left to cancel
  REQUIRE(again.ok());
  CHECK(again.value->cancelled == 0);
}

TEST_CASE_FIXTURE(store_fixture, "the breakers and maintenance come back after a restart") {
  {
    stored_node node{store};
    REQUIRE(node.breaker(breaker_switch::open).ok());
    REQUIRE(node.ask<admission_controlled>(
                    admission_control{admission_switch::maintenance_on, event_id{}})
                .ok());
  }
  {
    stored_node again{store};
    CHECK(again.create("user-1", "k1", seats({"A-1-1"})).code() == errc::unavailable);
    auto joined =
        again.ask<entry_reply>(join_request{concert_1, user_id{"user-1"}, session_id{"s-1"}});
    auto f = to_failure(joined.error);
    REQUIRE(f);
    CHECK(f->code == errc::unavailable);
    CHECK(f->message.find("maintenance") != std::string::npos);
    REQUIRE(again.breaker(breaker_switch::close).ok());
  }
  stored_node third{store};
  CHECK(third.create("user-1", "k1", seats({"A-1-1"})).ok());
}
