#include "actors/domain/room_settings.hpp"

#include <doctest/doctest.h>

using namespace tt::domain;

namespace {

event_definition with_room() {
  event_definition def;
  def.id = tt::event_id{"sale-1"};
  def.name = "Sale";
  def.venue = "Hall";
  def.sale_starts_at = tt::timestamp{std::chrono::milliseconds{0}};
  def.sale_ends_at = tt::timestamp{std::chrono::milliseconds{1'000'000}};
  def.sections = {{"A", "Floor", 100, {{"1", {"1", "2"}}}}};
  def.waiting_room = waiting_room_settings{true, 10, 100};
  return def;
}

} // namespace

TEST_CASE("room settings: a change sets only the values it names") {
  auto changed = with_room_settings(with_room(), {50u, std::nullopt});
  REQUIRE(changed);
  CHECK(changed->waiting_room->admissions_per_second == 50);
  CHECK(changed->waiting_room->max_active == 100);
  changed = with_room_settings(*changed, {std::nullopt, 7u});
  REQUIRE(changed);
  CHECK(changed->waiting_room->admissions_per_second == 50);
  CHECK(changed->waiting_room->max_active == 7);
}

TEST_CASE("room settings: an event without a waiting room has nothing to change") {
  auto def = with_room();
  def.waiting_room.reset();
  CHECK(with_room_settings(def, {5u, std::nullopt}).error().code == tt::errc::failed_precondition);
  def.waiting_room = waiting_room_settings{false, 1, 1};
  CHECK(with_room_settings(def, {5u, std::nullopt}).error().code == tt::errc::failed_precondition);
}

TEST_CASE("room settings: values beyond the catalog's limits are refused") {
  catalog_limits limits;
  auto too_fast = with_room_settings(with_room(), {limits.max_admissions_per_second + 1, {}});
  REQUIRE_FALSE(too_fast);
  CHECK(too_fast.error().code == tt::errc::invalid_argument);
}
