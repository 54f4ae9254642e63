#include "actors/common/clock.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_CASE("manual_clock moves only when told") {
  tt::manual_clock clock{tt::timestamp{1'000ms}};
  CHECK(clock.now() == tt::timestamp{1'000ms});
  clock.advance(60s);
  CHECK(clock.now() == tt::timestamp{61'000ms});
  clock.set(tt::timestamp{5ms});
  CHECK(clock.now() == tt::timestamp{5ms});
}

TEST_CASE("manual_clock is usable through the clock interface") {
  tt::manual_clock manual;
  const tt::clock& clock = manual;
  CHECK(clock.now() == tt::timestamp{});
  manual.advance(1ms);
  CHECK(clock.now() == tt::timestamp{1ms});
}
