// The per-caller token bucket, at explicit times (no clock read).
#include "adapters/http/rate_limiter.hpp"

#include <doctest/doctest.h>

using tt::adapters::http::rate_limiter;
using namespace std::chrono_literals;

namespace {
const rate_limiter::time_point t0{};
}

TEST_CASE("a caller gets its burst at once, then the rate") {
  rate_limiter limit{2.0, 3.0};
  CHECK(limit.allow("a", t0));
  CHECK(limit.allow("a", t0));
  CHECK(limit.allow("a", t0));
  CHECK_FALSE(limit.allow("a", t0));
  CHECK_FALSE(limit.allow("a", t0 + 400ms)); // 0.8 of a token back
  CHECK(limit.allow("a", t0 + 500ms));
  CHECK_FALSE(limit.allow("a", t0 + 500ms));
  CHECK(limit.allow("a", t0 + 10s)); // refilled, never past the burst
  CHECK(limit.allow("a", t0 + 10s));
  CHECK(limit.allow("a", t0 + 10s));
  CHECK_FALSE(limit.allow("a", t0 + 10s));
}

TEST_CASE("callers are limited apart") {
  rate_limiter limit{1.0, 1.0};
  CHECK(limit.allow("a", t0));
  CHECK_FALSE(limit.allow("a", t0));
  CHECK(limit.allow("b", t0));
}

TEST_CASE("a rate of zero limits nothing") {
  rate_limiter limit{0.0, 1.0};
  for (int i = 0; i < 100; ++i)
    CHECK(limit.allow("a", t0));
  CHECK(limit.tracked() == 0);
}

TEST_CASE("buckets that have refilled are forgotten") {
  rate_limiter limit{1.0, 1.0};
  for (int i = 0; i < 1024; ++i)
    CHECK(limit.allow("caller-" + std::to_string(i), t0));
  CHECK(limit.tracked() == 1024);
  CHECK(limit.allow("late", t0 + 5s)); // the sweep drops the 1,024 full buckets
  CHECK(limit.tracked() == 1);
}
