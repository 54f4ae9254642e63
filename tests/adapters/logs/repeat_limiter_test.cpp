// Throttling of repeated lines: given occurrences of keys at chosen times, the first of each
// interval is written, the rest counted, and each count reported once, on the key's next line
// or when the interval is over.
#include "adapters/logs/repeat_limiter.hpp"

#include <doctest/doctest.h>

using namespace tt::adapters::logs;
using namespace std::chrono_literals;

namespace {
const repeat_limiter::clock::time_point t0{1000s};
}

TEST_CASE("one line per key per interval, and the count of the rest with the next one") {
  repeat_limiter limiter{10s, 16};
  auto first = limiter.admit("a", t0);
  CHECK(first.write);
  CHECK(first.suppressed_before == 0);
  for (int i = 1; i <= 500; ++i)
    CHECK_FALSE(limiter.admit("a", t0 + std::chrono::milliseconds{i}).write);
  CHECK(limiter.admit("b", t0 + 1s).write); // another key has its own interval
  auto next = limiter.admit("a", t0 + 10s);
  CHECK(next.write);
  CHECK(next.suppressed_before == 500);
  CHECK_FALSE(limiter.admit("a", t0 + 11s).write);
}

TEST_CASE("an interval that ends without another occurrence is reported once by expired") {
  repeat_limiter limiter{10s, 16};
  limiter.admit("a", t0);
  limiter.set_sample("a", "protobuf: invalid UTF-8");
  for (int i = 0; i < 7; ++i)
    limiter.admit("a", t0 + 1s);
  limiter.admit("quiet", t0);
  CHECK(limiter.expired(t0 + 9s).empty());
  auto ended = limiter.expired(t0 + 10s);
  REQUIRE(ended.size() == 1); // "quiet" suppressed nothing: nothing to say
  CHECK(ended[0].key == "a");
  CHECK(ended[0].suppressed == 7);
  CHECK(ended[0].sample == "protobuf: invalid UTF-8");
  CHECK(limiter.expired(t0 + 30s).empty());
  auto again = limiter.admit("a", t0 + 31s); // a new interval, nothing carried over
  CHECK(again.write);
  CHECK(again.suppressed_before == 0);
}

TEST_CASE("keys beyond the bound are written every time rather than tracked") {
  repeat_limiter limiter{10s, 2};
  CHECK(limiter.admit("a", t0).write);
  CHECK(limiter.admit("b", t0).write);
  CHECK(limiter.admit("c", t0).write);
  CHECK(limiter.admit("c", t0).write);
  CHECK_FALSE(limiter.admit("a", t0).write);
}
