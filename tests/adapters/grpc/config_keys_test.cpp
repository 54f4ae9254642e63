#include "adapters/grpc/config_keys.hpp"

#include <doctest/doctest.h>

using namespace tt::adapters::rpc;

TEST_CASE("config keys: an event's inlet settings name the event and the setting") {
  auto rate = parse_event_setting("event.sale-1.queue.admissions_per_second");
  REQUIRE(rate);
  CHECK(rate->event() == "sale-1");
  CHECK(rate->setting == event_setting::admissions_per_second);
  auto cap = parse_event_setting("event.a.b.queue.max_active"); // event ids may hold dots
  REQUIRE(cap);
  CHECK(cap->event() == "a.b");
  CHECK(cap->setting == event_setting::max_active);
}

TEST_CASE("config keys: other keys are not per-event settings") {
  CHECK_FALSE(parse_event_setting("catalog.event"));
  CHECK_FALSE(parse_event_setting("reservation.hold_seconds"));
  CHECK_FALSE(parse_event_setting("event..queue.max_active"));
  CHECK_FALSE(parse_event_setting("event.sale-1.queue.max"));
  CHECK_FALSE(parse_event_setting("events.sale-1.queue.max_active"));
  CHECK_FALSE(parse_event_setting(".queue.max_active"));
}
