// shard_region: routing to the owning event actor, defining and replacing events, and listing a
// user's reservations across the node's events, on the deterministic scheduler.
#include <doctest/doctest.h>

#include "tests/actors/runtime/runtime_fixture.hpp"

using namespace tt;
using namespace tt::actors;
using namespace tt::actors::testing;

namespace {

struct region_fixture : runtime_fixture {
  region_fixture() { REQUIRE(define(concert()).ok()); }

  answer<list_answer> list(const std::string& user, int32_t page_size, std::string after = {},
                           domain::reservation_status status = {}, std::string event = {}) {
    return ask<list_answer>(list_of(user, page_size, std::move(after), status, std::move(event)));
  }
};

std::vector<reservation_id> ids_of(const list_answer& a) {
  std::vector<reservation_id> out;
  for (const auto& r : a.items)
    out.push_back(r.id);
  return out;
}

} // namespace

TEST_CASE_FIXTURE(runtime_fixture, "define_event adds a new event and reports its capacity") {
  auto a = define(concert());
  REQUIRE_MESSAGE(a.ok(), caf::to_string(a.error));
  CHECK(a.value->event == event_id{"concert-1"});
  CHECK(a.value->change == definition_change::added);
  CHECK(a.value->capacity == 6);
  CHECK(status().totals.total == 6);
}

TEST_CASE_FIXTURE(runtime_fixture, "define_event with an invalid definition is invalid_argument") {
  auto def = concert();
  def.sale_ends_at = def.sale_starts_at;
  CHECK(define(def).code() == errc::invalid_argument);
  CHECK(ask<status_answer>(status_of("concert-1")).code() == errc::not_found);
}

TEST_CASE_FIXTURE(region_fixture, "define_event replaces an event without reservations") {
  auto a = define(concert("concert-1", "Concert, second night"));
  REQUIRE_MESSAGE(a.ok(), caf::to_string(a.error));
  CHECK(a.value->change == definition_change::replaced);
  CHECK(a.value->capacity == 6);
  CHECK(status().name == "Concert, second night");
  // The new actor serves the event.
  CHECK(create("user-1", "k1", seats({"A-1-1"})).ok());
}

TEST_CASE_FIXTURE(region_fixture,
                  "define_event over an event with a reservation is failed_precondition") {
  REQUIRE(create("user-1", "k1", seats({"A-1-1"})).ok());
  auto a = define(concert("concert-1", "Replacement"));
  CHECK_FALSE(a.ok());
  CHECK(a.code() == errc::failed_precondition);
  // The event keeps its definition and its hold.
  auto now = status();
  CHECK(now.name == "Concert");
  CHECK(now.totals.held == 1);
}

TEST_CASE_FIXTURE(region_fixture, "requests for an unknown event are not_found") {
  CHECK(ask<reservation_reply>(create_of("user-1", "k1", seats({"A-1-1"}), 0, "nope")).code() ==
        errc::not_found);
  CHECK(ask<status_answer>(status_of("nope")).code() == errc::not_found);
  CHECK(ask<availability_answer>(availability_of({}, 1, {}, "nope")).code() == errc::not_found);
  CHECK(list("user-1", 10, {}, {}, "nope").code() == errc::not_found);
}

TEST_CASE_FIXTURE(region_fixture, "a malformed reservation id is invalid_argument") {
  for (const char* text :
       {"", "garbage", "r-zz-concert-1-x", "o-0001-concert-1-01HZZZZZZZZZZZZZZZZZZZZZZZ"}) {
    CAPTURE(text);
    CHECK(get(reservation_id{text}, "user-1").code() == errc::invalid_argument);
  }
}

TEST_CASE_FIXTURE(region_fixture, "a well-formed reservation id nobody minted is not_found") {
  auto unique = ulid_generator{7}.next(t0);
  SUBCASE("its event is not on this node") {
    auto id = mint_reservation_id(shard_of(event_id{"other"}, config->shard_count),
                                  event_id{"other"}, unique);
    CHECK(get(id, "user-1").code() == errc::not_found);
  }
  SUBCASE("its event is here, the reservation is not") {
    auto id = mint_reservation_id(shard_of(event_id{"concert-1"}, config->shard_count),
                                  event_id{"concert-1"}, unique);
    CHECK(get(id, "user-1").code() == errc::not_found);
  }
}

TEST_CASE_FIXTURE(region_fixture, "list pages a user's reservations newest first with a cursor") {
  REQUIRE(define(concert("concert-2")).ok());
  std::vector<reservation_id> made; // oldest first
  auto hold = [&](const char* key, const char* seat, const std::string& event) {
    auto a = ask<reservation_reply>(create_of("user-1", key, seats({seat}), 0, event));
    REQUIRE_MESSAGE(a.ok(), caf::to_string(a.error));
    made.push_back(a.value->reservation.id);
    advance(1s);
  };
  hold("k1", "A-1-1", "concert-1");
  hold("k2", "A-1-1", "concert-2");
  hold("k3", "A-1-2", "concert-1");
  REQUIRE(create("user-2", "k4", seats({"B-1-1"})).ok()); // someone else's

  auto page1 = list("user-1", 2);
  REQUIRE_MESSAGE(page1.ok(), caf::to_string(page1.error));
  CHECK(page1.value->total == 3);
  CHECK(ids_of(*page1.value) == std::vector<reservation_id>{made[2], made[1]});
  REQUIRE_FALSE(page1.value->next.empty());

  auto page2 = list("user-1", 2, page1.value->next);
  REQUIRE_MESSAGE(page2.ok(), caf::to_string(page2.error));
  CHECK(ids_of(*page2.value) == std::vector<reservation_id>{made[0]});
  CHECK(page2.value->next.empty());

  auto one_event = list("user-1", 10, {}, {}, "concert-1");
  REQUIRE(one_event.ok());
  CHECK(ids_of(*one_event.value) == std::vector<reservation_id>{made[2], made[0]});
}

TEST_CASE_FIXTURE(region_fixture, "list filters by status as the reservations change") {
  auto a = create("user-1", "k1", seats({"A-1-1"}));
  REQUIRE(a.ok());
  advance(1s);
  auto b = create("user-1", "k2", seats({"A-1-2"}));
  REQUIRE(b.ok());
  REQUIRE(cancel(b.value->reservation.id, "user-1", "c1").ok());

  auto cancelled = list("user-1", 10, {}, domain::reservation_status::cancelled);
  REQUIRE(cancelled.ok());
  CHECK(ids_of(*cancelled.value) == std::vector<reservation_id>{b.value->reservation.id});

  advance(60s); // a's hold (t0 + 60 s) has run out
  auto expired = list("user-1", 10, {}, domain::reservation_status::expired);
  REQUIRE(expired.ok());
  CHECK(ids_of(*expired.value) == std::vector<reservation_id>{a.value->reservation.id});
  CHECK(list("user-1", 10, {}, domain::reservation_status::hold).value->items.empty());
}

TEST_CASE_FIXTURE(region_fixture, "list refuses a malformed cursor or page size") {
  CHECK(list("user-1", 10, "not-a-cursor").code() == errc::invalid_argument);
  CHECK(list("user-1", 0).code() == errc::invalid_argument);
  CHECK(list("user-1", max_page_size + 1).code() == errc::invalid_argument);
  auto empty = list("user-1", max_page_size);
  REQUIRE(empty.ok());
  CHECK(empty.value->items.empty());
  CHECK(empty.value->total == 0);
}
