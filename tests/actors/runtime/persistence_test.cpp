// Durable before acknowledged, and recovery: the reservation path's actors on a real RocksDB
// store (settled_store), restarted by building a second actor system on the same directory and
// recovering from it the way tacosd does (plan_recovery, then define_catalog).
#include <doctest/doctest.h>

#include <future>

#include "actors/runtime/event_records.hpp"
#include "actors/runtime/recovery.hpp"
#include "actors/runtime/reservation_codec.hpp"
#include "tests/actors/runtime/runtime_fixture.hpp"
#include "tests/actors/runtime/settled_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tt;
using namespace tt::actors;
using namespace tt::actors::testing;

namespace {

struct stored_node : runtime_fixture {
  explicit stored_node(std::shared_ptr<settled_store> s, std::chrono::milliseconds start = 0ms)
      : runtime_fixture({}, s, start), store(std::move(s)) {}

  /// Start-up: what the store holds plus the catalog's concert-1, defined before any request.
  recovery_summary recover() {
    recovery_summary summary;
    auto plan = plan_recovery(*store, {concert()}, clock->now(), summary);
    REQUIRE(plan);
    auto defined = ask<catalog_defined>(std::move(*plan));
    REQUIRE(defined.ok());
    CHECK(defined.value->kept.empty());
    advance(0ms); // timers that are already due (holds that lapsed while down) fire now
    return summary;
  }

  recovered_event stored_state() const {
    auto state = load_event_state(*store, event_id{"concert-1"});
    REQUIRE(state);
    return *state;
  }

  std::shared_ptr<settled_store> store;
};

std::string reply_bytes(const reservation_reply& r) {
  return encode_reply(r);
}

} // namespace

TEST_CASE_FIXTURE(store_fixture, "an acknowledged hold is stored with its idempotency record") {
  stored_node node{store};
  node.recover();
  auto held = node.create("user-1", "k1", seats({"A-1-1", "A-1-2"}));
  REQUIRE(held.ok());
  auto stored = node.stored_state();
  REQUIRE(stored.reservations.size() == 1);
  CHECK(stored.reservations[0].id == held.value->reservation.id);
  CHECK(stored.reservations[0].status == domain::reservation_status::hold);
  CHECK(stored.reservations[0].seats == seats({"A-1-1", "A-1-2"}));
  REQUIRE(stored.journal.size() == 1);
  CHECK(stored.journal[0].key() == "k1");
  CHECK(stored.journal[0].reply == reply_bytes(*held.value));
}

TEST_CASE_FIXTURE(store_fixture, "after a restart holds, seats and replies are back") {
  reservation_reply first;
  {
    stored_node node{store};
    node.recover();
    auto held = node.create("user-1", "k1", seats({"A-1-1", "A-1-2"}));
    REQUIRE(held.ok());
    first = *held.value;
    REQUIRE(node.extend(first.reservation.id, "user-1", "e1", 10s).ok());
  }
  stored_node again{store, 5s};
  auto summary = again.recover();
  CHECK(summary.events == 1);
  CHECK(summary.reservations == 1);
  CHECK(summary.live_holds == 1);
  CHECK(summary.idempotency_records == 2);

  auto got = again.get(first.reservation.id, "user-1");
  REQUIRE(got.ok());
  CHECK(got.value->reservation.status == domain::reservation_status::hold);
  CHECK(got.value->reservation.hold_expires_at == t0 + 70s);
  CHECK(again.status().totals.held == 2);
  // Someone else cannot take the recovered seats.
  CHECK(again.create("user-2", "k2", seats({"A-1-2"})).code() == errc::inventory_conflict);
  // The retry of the acknowledged create gets the identical reply and creates nothing.
  auto retry = again.create("user-1", "k1", seats({"A-1-1", "A-1-2"}));
  REQUIRE(retry.ok());
  CHECK(reply_bytes(*retry.value) == reply_bytes(first));
  CHECK(again.status().totals.held == 2);
  // The recovered hold still expires at its (extended) deadline.
  again.advance(66s);
  CHECK(again.get(first.reservation.id, "user-1").value->reservation.status ==
        domain::reservation_status::expired);
  CHECK(again.status().totals.held == 0);
}

TEST_CASE_FIXTURE(store_fixture,
                  "a hold that lapsed while the node was down is released at start") {
  reservation_id id;
  {
    stored_node node{store};
    node.recover();
    auto held = node.create("user-1", "k1", seats({"A-1-3"}));
    REQUIRE(held.ok());
    id = held.value->reservation.id;
  }
  stored_node again{store, 2min};
  auto summary = again.recover();
  CHECK(summary.lapsed_holds == 1);
  CHECK(again.status().totals.held == 0);
  CHECK(again.get(id, "user-1").value->reservation.status == domain::reservation_status::expired);
  // The expiry is stored too, so the next start does not see a hold.
  REQUIRE(again.stored_state().reservations.size() == 1);
  CHECK(again.stored_state().reservations[0].status == domain::reservation_status::expired);
}

TEST_CASE_FIXTURE(store_fixture, "a cancel is stored, and its seats stay free after a restart") {
  reservation_id id;
  {
    stored_node node{store};
    node.recover();
    auto held = node.create("user-1", "k1", seats({"B-1-1", "B-1-2"}));
    REQUIRE(held.ok());
    id = held.value->reservation.id;
    REQUIRE(node.cancel(id, "user-1", "c1").ok());
  }
  stored_node again{store, 1s};
  again.recover();
  CHECK(again.get(id, "user-1").value->reservation.status == domain::reservation_status::cancelled);
  CHECK(again.status().totals.held == 0);
  CHECK(again.create("user-2", "k2", seats({"B-1-1", "B-1-2"})).ok());
}

TEST_CASE_FIXTURE(store_fixture, "a write the store refuses is unavailable and leaves nothing") {
  stored_node node{store};
  node.recover();
  store->refuse_writes = true;
  auto refused = node.create("user-1", "k1", seats({"A-1-1"}));
  CHECK(refused.code() == errc::unavailable);
  // The hold was undone: the seat is free, and the key is not used up by the failure.
  CHECK(node.status().totals.held == 0);
  store->refuse_writes = false;
  auto held = node.create("user-1", "k1", seats({"A-1-1"}));
  REQUIRE(held.ok());

  store->refuse_writes = true;
  auto cancel = node.cancel(held.value->reservation.id, "user-1", "c1");
  CHECK(cancel.code() == errc::unavailable);
  CHECK(node.get(held.value->reservation.id, "user-1").value->reservation.status ==
        domain::reservation_status::hold);
  CHECK(node.status().totals.held == 1);
  store->refuse_writes = false;
  CHECK(node.cancel(held.value->reservation.id, "user-1", "c1").ok());
  CHECK(node.status().totals.held == 0);
}

TEST_CASE_FIXTURE(store_fixture, "an expiry the store refuses is tried again until it is stored") {
  stored_node node{store};
  node.recover();
  auto held = node.create("user-1", "k1", seats({"A-1-4"}));
  REQUIRE(held.ok());
  store->refuse_writes = true;
  node.advance(61s);
  CHECK(node.get(held.value->reservation.id, "user-1").value->reservation.status ==
        domain::reservation_status::hold);
  store->refuse_writes = false;
  node.advance(1s);
  CHECK(node.get(held.value->reservation.id, "user-1").value->reservation.status ==
        domain::reservation_status::expired);
  CHECK(node.stored_state().reservations[0].status == domain::reservation_status::expired);
}

TEST_CASE_FIXTURE(store_fixture, "an event defined at run time is stored and comes back") {
  {
    stored_node node{store};
    node.recover();
    REQUIRE(node.define(concert("gala-7", "Gala")).ok());
  }
  stored_node again{store};
  auto summary = again.recover();
  CHECK(summary.events == 2);
  CHECK(again.status("gala-7").name == "Gala");
}

TEST_CASE_FIXTURE(store_fixture,
                  "a payment that completed just before a crash confirms its hold at start") {
  // What a crash right after the payment's change was stored leaves behind: the payment is
  // completed, its reservation still held. Recovery must finish the job, exactly once.
  reservation_reply held;
  domain::payment_state paid;
  {
    stored_node node{store};
    node.recover();
    auto a = node.create("user-1", "k1", seats({"B-1-1"}));
    REQUIRE(a.ok());
    held = *a.value;
    paid.id = payment_intent_id{"p-0000-concert-1-01HF7YAT00F591JD2DPHAAK6A4"};
    paid.reservation = held.reservation.id;
    paid.owner = user_id{"user-1"};
    paid.amount = held.reservation.total;
    paid.status = domain::payment_status::completed;
    paid.created_at = paid.updated_at = t0;
    paid.expires_at = t0 + 10min;
    std::promise<std::optional<storage::storage_error>> done;
    auto stored = done.get_future();
    store->commit({payment_mutation(event_id{"concert-1"}, paid)},
                  [&](std::optional<storage::storage_error> e) { done.set_value(e); });
    REQUIRE_FALSE(stored.get());
  }
  stored_node again{store, 1s};
  again.recover();
  auto got = again.get(held.reservation.id, "user-1");
  REQUIRE(got.ok());
  CHECK(got.value->reservation.status == domain::reservation_status::confirmed);
  CHECK(got.value->reservation.payment_intent_id == paid.id());
  CHECK(again.status().totals.sold == 1);
  // And the confirmation is stored: the next start finds it confirmed without redoing anything.
  auto stored = again.stored_state();
  REQUIRE(stored.reservations.size() == 1);
  CHECK(stored.reservations[0].status == domain::reservation_status::confirmed);
}
