#include "actors/common/ids.hpp"

#include <doctest/doctest.h>
#include <set>
#include <string>
#include <unordered_set>

using namespace std::chrono_literals;

TEST_CASE("strong ids compare by value and hash") {
  tt::seat_id a{"A-1-1"};
  CHECK(a == tt::seat_id{"A-1-1"});
  CHECK(a != tt::seat_id{"A-1-2"});
  std::unordered_set<tt::seat_id> seats{a, tt::seat_id{"A-1-1"}};
  CHECK(seats.size() == 1);
}

TEST_CASE("shard_of is FNV-1a 64 modulo the shard count, pinned so it never drifts") {
  // FNV-1a 64("a") = 0xaf63dc4c8601ec8c: the reference value from the FNV specification.
  CHECK(tt::shard_of(tt::event_id{"a"}, tt::max_shard_count) == 0xec8cu);
  CHECK(tt::shard_of(tt::event_id{"a"}, 16) == 0xcu);
  CHECK(tt::shard_of(tt::event_id{"concert-2025"}, 1) == 0u);
  CHECK(tt::shard_of(tt::event_id{"a"}, 0) == 0u);
}

TEST_CASE("ulid_generator is deterministic, ordered and never repeats") {
  tt::ulid_generator g1{42}, g2{42};
  auto t = tt::timestamp{1'700'000'000'000ms};
  auto a = g1.next(t);
  CHECK(a == g2.next(t));
  CHECK(a().size() == tt::ulid_length);
  std::set<std::string> seen{a()};
  std::string previous = a();
  for (int i = 0; i < 1000; ++i) {
    auto next = g1.next(t + std::chrono::milliseconds{i / 100}); // many ids per millisecond
    CHECK(next() > previous);
    CHECK(seen.insert(next()).second);
    previous = next();
  }
  // Time going backwards still yields a larger id.
  CHECK(g1.next(t - 10s)() > previous);
}

TEST_CASE("ulid encodes the millisecond in its first ten characters") {
  tt::ulid_generator g{7};
  CHECK(g.next(tt::timestamp{0ms})().substr(0, 10) == "0000000000");
  tt::ulid_generator h{7};
  CHECK(h.next(tt::timestamp{33ms})().substr(0, 10) == "0000000011");
}

TEST_CASE("minted ids route back to their shard and event, even when the event id has dashes") {
  tt::ulid_generator gen{1};
  tt::event_id event{"bts-world-tour.seoul-2025"};
  auto unique = gen.next(tt::timestamp{1'000ms});
  auto shard = tt::shard_of(event, 64);

  auto r = tt::mint_reservation_id(shard, event, unique);
  CHECK(r().substr(0, 2) == "r-");
  auto route = tt::route_of(r);
  REQUIRE(route.has_value());
  CHECK(route->shard == shard);
  CHECK(route->event == event);

  auto h = tt::route_of(tt::mint_hold_id(0xabcd, event, unique));
  REQUIRE(h.has_value());
  CHECK(h->shard == 0xabcdu);
  auto o = tt::route_of(tt::mint_order_id(3, tt::event_id{"x"}, unique));
  REQUIRE(o.has_value());
  CHECK(o->event == tt::event_id{"x"});
}

TEST_CASE("malformed ids are rejected with the field named, never a crash") {
  tt::ulid_generator gen{1};
  auto good = tt::mint_reservation_id(5, tt::event_id{"ev-1"}, gen.next(tt::timestamp{}))();
  auto bad_ulid = good.substr(0, good.size() - 1) + "U"; // U is not Crockford base32
  auto bad_event = good;
  bad_event[8] = '/';
  std::string huge(1'000'000, 'r');
  for (const std::string& text :
       {std::string{}, std::string{"r-"}, "h" + good.substr(1), "r-00g5" + good.substr(6),
        "r-00A5" + good.substr(6), bad_ulid, bad_event, huge,
        good.substr(0, 7) + good.substr(good.size() - 27),
        good.substr(0, 6) + "x" + good.substr(7)}) {
    auto parsed = tt::parse_routable_id(tt::id_kind::reservation, text);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == tt::errc::invalid_argument);
    REQUIRE(parsed.error().details.size() == 1);
    CHECK(parsed.error().details[0].field == "reservation_id");
    CHECK(parsed.error().details[0].value.size() <= 128);
  }
  CHECK(tt::parse_routable_id(tt::id_kind::reservation, good).has_value());
}

TEST_CASE("event id rules") {
  CHECK(tt::is_valid_event_id("concert_2025.night-1"));
  CHECK_FALSE(tt::is_valid_event_id(""));
  CHECK_FALSE(tt::is_valid_event_id("has space"));
  CHECK_FALSE(tt::is_valid_event_id(std::string(65, 'e')));
  CHECK(tt::is_valid_event_id(std::string(64, 'e')));
}
