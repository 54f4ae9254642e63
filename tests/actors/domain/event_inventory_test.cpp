#include "actors/domain/event_inventory.hpp"

#include "inventory_fixture.hpp"

using namespace tt::domain;
using namespace tt::domain::testing;
using strings = std::vector<std::string>;

TEST_CASE("a new inventory has every seat available except the blocked ones") {
  auto inv = make_inventory();
  CHECK(inv.capacity() == 14);
  auto c = inv.totals(t0);
  CHECK(c.total == 14);
  CHECK(c.available == 13);
  CHECK(c.blocked == 1);
  CHECK(inv.check_invariants().has_value());
  auto b = inv.section("B", t0);
  REQUIRE(b.has_value());
  CHECK(b->counts.available == 3);
  CHECK(b->price.amount == 80'000);
  CHECK(b->price.currency == "KRW");
  CHECK(inv.section("Z", t0).error().code == tt::errc::not_found);
}

TEST_CASE("given free seats, when held explicitly, then exactly those are held") {
  auto inv = make_inventory();
  auto events = run(inv, hold_explicit("r1", seats({"A-1-1", "B-1-2"})));
  REQUIRE(events.size() == 1);
  CHECK(std::get<seats_held>(events[0]).until == t0 + 60s);
  CHECK(held_by(inv, "r1") == strings{"A-1-1", "B-1-2"});
  CHECK(inv.total_of(tt::reservation_id{"r1"}).amount == 230'000);
  CHECK(inv.totals(t0).held == 2);
  CHECK(inv.section("A", t0)->counts.held == 1);
}

TEST_CASE("all-or-nothing: one unavailable seat fails the whole hold, listing each culprit") {
  auto inv = make_inventory();
  run(inv, hold_explicit("r1", seats({"A-1-1", "A-1-2"})));
  auto before = fingerprint(inv);
  auto r = decide(inv, hold_explicit("r2", seats({"A-1-2", "A-1-3", "B-1-4"})), t0);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == tt::errc::inventory_conflict);
  REQUIRE(r.error().details.size() == 2);
  CHECK(r.error().details[0].value == "A-1-2");
  CHECK(r.error().details[0].reason == "held");
  CHECK(r.error().details[1].value == "B-1-4");
  CHECK(r.error().details[1].reason == "blocked");
  CHECK(fingerprint(inv) == before);
  CHECK(inv.seat(tt::seat_id{"A-1-3"}, t0)->status == seat_status::available);
}

TEST_CASE("malformed holds are rejected with the offending field, changing nothing") {
  auto inv = make_inventory();
  auto before = fingerprint(inv);
  auto field = [&](const hold_seats& cmd, tt::errc code, tt::timestamp now = t0) {
    auto r = decide(inv, cmd, now);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == code);
    return r.error().details.empty() ? std::string{} : r.error().details.at(0).field;
  };
  auto both = hold_explicit("r1", seats({"A-1-1"}));
  both.quantity = 1;
  CHECK(field(both, tt::errc::invalid_argument) == "seat_ids");
  CHECK(field(hold_quantity("r1", 0), tt::errc::invalid_argument) == "quantity");
  CHECK(field(hold_quantity("r1", -1), tt::errc::invalid_argument) == "quantity");
  CHECK(field(hold_quantity("r1", 11), tt::errc::invalid_argument) == "quantity");
  std::vector<tt::seat_id> eleven(11, tt::seat_id{"A-1-1"});
  CHECK(field(hold_explicit("r1", eleven), tt::errc::invalid_argument) == "seat_ids");
  CHECK(field(hold_explicit("r1", seats({"A-1-1", "A-1-1"})), tt::errc::invalid_argument) ==
        "seat_ids");
  CHECK(field(hold_explicit("", seats({"A-1-1"})), tt::errc::invalid_argument) == "reservation_id");
  CHECK(field(hold_explicit("r1", seats({"A-1-1"}), t0), tt::errc::invalid_argument) ==
        "hold_expires_at");
  CHECK(field(hold_quantity("r1", 1, "Z"), tt::errc::not_found) == "section");
  auto unknown = decide(inv, hold_explicit("r1", seats({"Z-1-1", "A-1-1", "A-9-9"})), t0);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().code == tt::errc::not_found);
  REQUIRE(unknown.error().details.size() == 2);
  CHECK(unknown.error().details[1].value == "A-9-9");
  // Outside the sale window.
  CHECK(field(hold_explicit("r1", seats({"A-1-1"}), t0 + 2h), tt::errc::failed_precondition,
              t0 + 1h) == "");
  CHECK(fingerprint(inv) == before);
  run(inv, hold_quantity("r1", 1));
  CHECK(field(hold_quantity("r1", 1), tt::errc::already_exists) == "");
}

TEST_CASE("best available: adjacent in one row, best tier first, then one section, then any") {
  auto inv = make_inventory();
  run(inv, hold_explicit("r1", seats({"A-1-3"})));
  // Row A-1 has no run of five, row A-2 has.
  run(inv, hold_quantity("q1", 5));
  CHECK(held_by(inv, "q1") == strings{"A-2-1", "A-2-2", "A-2-3", "A-2-4", "A-2-5"});
  // No run of three left in A (1,2 | 4,5), so adjacency wins over tier: B-1-1..3.
  run(inv, hold_quantity("q2", 3));
  CHECK(held_by(inv, "q2") == strings{"B-1-1", "B-1-2", "B-1-3"});
  // Four in A exist but not adjacent: same section beats splitting.
  run(inv, hold_quantity("q3", 4));
  CHECK(held_by(inv, "q3") == strings{"A-1-1", "A-1-2", "A-1-4", "A-1-5"});
  auto none = decide(inv, hold_quantity("q4", 1), t0);
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().code == tt::errc::insufficient_inventory);
  CHECK(none.error().details.at(0).field == "quantity");
}

TEST_CASE("best available spans sections, best tier first, when no section has enough") {
  auto inv = make_inventory();
  run(inv, hold_explicit("r1", seats({"A-1-1", "A-1-2", "A-1-3", "A-1-4", "A-1-5", "A-2-1", "A-2-2",
                                      "A-2-3", "A-2-4"})));
  run(inv, hold_explicit("r2", seats({"B-1-2", "B-1-3"})));
  run(inv, hold_quantity("q", 2));
  CHECK(held_by(inv, "q") == strings{"A-2-5", "B-1-1"});
}

TEST_CASE("best available honours a requested section") {
  auto inv = make_inventory();
  run(inv, hold_quantity("q", 2, "B"));
  CHECK(held_by(inv, "q") == strings{"B-1-1", "B-1-2"});
  CHECK(decide(inv, hold_quantity("q2", 2, "B"), t0).error().code ==
        tt::errc::insufficient_inventory);
}

TEST_CASE("lazy expiry: a lapsed hold is free, and taking it expires the whole lapsed hold") {
  auto inv = make_inventory();
  run(inv, hold_explicit("r1", seats({"A-1-1", "A-1-2"})));
  CHECK(inv.totals(t0 + 59s).held == 2);
  CHECK(inv.totals(t0 + 60s).held == 0);
  CHECK(inv.totals(t0 + 60s).available == 13);
  CHECK(inv.seat(tt::seat_id{"A-1-1"}, t0 + 60s)->status == seat_status::available);
  CHECK(decide(inv, hold_explicit("r2", seats({"A-1-1"})), t0 + 59s).error().code ==
        tt::errc::inventory_conflict);

  auto events = run(inv, hold_explicit("r2", seats({"A-1-1"}), t0 + 120s), t0 + 60s);
  REQUIRE(events.size() == 2);
  auto& expired = std::get<hold_expired>(events[0]);
  CHECK(expired.reservation == tt::reservation_id{"r1"});
  CHECK(expired.seats.size() == 2);
  CHECK(held_by(inv, "r1").empty());
  CHECK(held_by(inv, "r2") == strings{"A-1-1"});
  CHECK(inv.seat(tt::seat_id{"A-1-2"}, t0 + 60s)->status == seat_status::available);
}

TEST_CASE("commit sells a reservation's held seats, only before expiry, only once") {
  auto inv = make_inventory();
  run(inv, hold_explicit("r1", seats({"A-1-1", "A-1-2"})));
  auto before = fingerprint(inv);
  CHECK(decide(inv, commit_seats{tt::reservation_id{"r1"}}, t0 + 60s).error().code ==
        tt::errc::reservation_expired);
  CHECK(decide(inv, commit_seats{tt::reservation_id{"nobody"}}, t0).error().code ==
        tt::errc::not_found);
  CHECK(fingerprint(inv) == before);
  run(inv, commit_seats{tt::reservation_id{"r1"}}, t0 + 59s);
  CHECK(inv.totals(t0 + 1000s).sold == 2);
  CHECK(decide(inv, commit_seats{tt::reservation_id{"r1"}}, t0).error().code ==
        tt::errc::failed_precondition);
  CHECK(decide(inv, release_seats{tt::reservation_id{"r1"}}, t0).error().code ==
        tt::errc::failed_precondition);
  // Sold seats never lapse, and the sweep leaves them alone.
  CHECK(run(inv, expire_holds{}, t0 + 1000s).empty());
  CHECK(decide(inv, hold_explicit("r2", seats({"A-1-1"}), t0 + 2000s), t0 + 1000s).error().code ==
        tt::errc::inventory_conflict);
}

TEST_CASE("release and refund put seats back on sale") {
  auto inv = make_inventory();
  run(inv, hold_explicit("r1", seats({"A-1-1"})));
  run(inv, hold_explicit("r2", seats({"A-1-2"})));
  CHECK(decide(inv, return_seats{tt::reservation_id{"r1"}}, t0).error().code ==
        tt::errc::failed_precondition);
  run(inv, release_seats{tt::reservation_id{"r1"}});
  CHECK(decide(inv, release_seats{tt::reservation_id{"r1"}}, t0).error().code ==
        tt::errc::not_found);
  run(inv, commit_seats{tt::reservation_id{"r2"}});
  run(inv, return_seats{tt::reservation_id{"r2"}});
  CHECK(inv.totals(t0).available == 13);
}

TEST_CASE("the sweep expires exactly the holds whose deadline passed") {
  auto inv = make_inventory();
  run(inv, hold_explicit("r1", seats({"A-1-1"}), t0 + 10s));
  run(inv, hold_explicit("r2", seats({"A-1-2", "A-1-3"}), t0 + 20s));
  CHECK(run(inv, expire_holds{}, t0 + 9s).empty());
  auto events = run(inv, expire_holds{}, t0 + 15s);
  REQUIRE(events.size() == 1);
  CHECK(std::get<hold_expired>(events[0]).reservation == tt::reservation_id{"r1"});
  CHECK(run(inv, expire_holds{}, t0 + 20s).size() == 1);
  CHECK(inv.totals(t0).available == 13);
}

TEST_CASE("availability of listed seats") {
  auto inv = make_inventory();
  run(inv, hold_explicit("r1", seats({"A-1-1"})));
  auto report = inv.availability_of(seats({"A-1-1", "A-1-2", "B-1-4"}), t0);
  REQUIRE(report.has_value());
  REQUIRE(report->available.size() == 1);
  CHECK(report->available[0].id == tt::seat_id{"A-1-2"});
  CHECK(report->available[0].row == "1");
  CHECK(report->available[0].number == "2");
  CHECK(report->available[0].price.amount == 150'000);
  CHECK(report->unavailable == seats({"A-1-1", "B-1-4"}));
  CHECK(inv.availability_of(seats({"A-1-1", "X-1-1"}), t0).error().code == tt::errc::not_found);
  CHECK(inv.availability_of({}, t0).error().code == tt::errc::invalid_argument);
  std::vector<tt::seat_id> many(101, tt::seat_id{"A-1-1"});
  CHECK(inv.availability_of(many, t0).error().code == tt::errc::invalid_argument);
}

TEST_CASE("prolonging a hold moves every seat's deadline and the sweep's") {
  auto inv = make_inventory();
  run(inv, hold_explicit("r1", seats({"A-1-1", "A-1-2"})));
  auto before = fingerprint(inv);
  CHECK(decide(inv, prolong_hold{tt::reservation_id{"r1"}, t0 + 30s}, t0).error().code ==
        tt::errc::invalid_argument);
  CHECK(decide(inv, prolong_hold{tt::reservation_id{"r1"}, t0 + 90s}, t0 + 60s).error().code ==
        tt::errc::reservation_expired);
  CHECK(decide(inv, prolong_hold{tt::reservation_id{"r9"}, t0 + 90s}, t0).error().code ==
        tt::errc::not_found);
  CHECK(fingerprint(inv) == before);
  run(inv, prolong_hold{tt::reservation_id{"r1"}, t0 + 90s}, t0 + 10s);
  CHECK(run(inv, expire_holds{}, t0 + 60s).empty());
  CHECK(decide(inv, hold_explicit("r2", seats({"A-1-2"}), t0 + 120s), t0 + 60s).error().code ==
        tt::errc::inventory_conflict);
  CHECK(run(inv, expire_holds{}, t0 + 90s).size() == 1);
}
