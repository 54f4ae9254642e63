#include "actors/domain/catalog.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using namespace tt::domain;

namespace {

event_definition small_hall() {
  event_definition def;
  def.id = tt::event_id{"hall-1"};
  def.name = "Spring Concert";
  def.venue = "Small Hall";
  def.sale_starts_at = tt::timestamp{0ms};
  def.sale_ends_at = tt::timestamp{1'000'000ms};
  def.sections = {{"A", "Floor A", 150'000, {{"1", {"1", "2", "3"}}, {"2", {"1", "2"}}}},
                  {"B", "Balcony", 80'000, {{"1", {"1", "2"}}}}};
  def.blocked_seats = {tt::seat_id{"B-1-2"}};
  return def;
}

std::string field_of(const tt::result<void>& r) {
  return r.error().details.at(0).field;
}

} // namespace

TEST_CASE("a well-formed definition validates") {
  CHECK(validate(small_hall()).has_value());
  CHECK(make_seat_id("A", "12", "7") == tt::seat_id{"A-12-7"});
}

TEST_CASE("each malformed part is rejected with its field path") {
  auto def = small_hall();
  def.id = tt::event_id{""};
  CHECK(field_of(validate(def)) == "event_id");

  def = small_hall();
  def.sections[1].price = 0;
  CHECK(field_of(validate(def)) == "sections[1].price");

  def = small_hall();
  def.sections[0].rows[1].seat_numbers = {"1", "1"};
  CHECK(field_of(validate(def)) == "sections[0].rows[1].seat_numbers[1]");

  def = small_hall();
  def.sections[1].section = "A";
  CHECK(field_of(validate(def)) == "sections[1].section");

  def = small_hall();
  def.sections[0].rows[0].row = "1-2"; // a dash would make seat ids ambiguous
  CHECK(field_of(validate(def)) == "sections[0].rows[0].row");

  def = small_hall();
  def.blocked_seats.push_back(tt::seat_id{"Z-9-9"});
  CHECK(field_of(validate(def)) == "blocked_seats[1]");

  def = small_hall();
  def.sale_ends_at = def.sale_starts_at;
  CHECK(field_of(validate(def)) == "sale_ends_at");

  def = small_hall();
  def.currency = "USD";
  CHECK(field_of(validate(def)) == "currency");
}

TEST_CASE("the seat limit is enforced") {
  auto def = small_hall();
  catalog_limits limits;
  limits.max_seats = 6;
  auto r = validate(def, limits);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == tt::errc::invalid_argument);
  CHECK(field_of(r) == "sections");
  limits.max_seats = 7;
  CHECK(validate(def, limits).has_value());
}
