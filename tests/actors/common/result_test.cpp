#include "actors/common/result.hpp"

#include <doctest/doctest.h>
#include <string>

TEST_CASE("result holds a value") {
  tt::result<std::string> r = std::string{"seat"};
  REQUIRE(r.has_value());
  CHECK(*r == "seat");
  CHECK(r->size() == 4);
}

TEST_CASE("result holds a failure with details") {
  tt::result<int> r =
      tt::fail(tt::errc::not_found, "no such seat", {{"seat_ids", "unknown", "Z-1-1"}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == tt::errc::not_found);
  CHECK(r.error().details.at(0).value == "Z-1-1");
}

TEST_CASE("result<void> is ok by default and can carry a failure") {
  tt::result<void> ok;
  CHECK(ok.has_value());
  tt::result<void> bad = tt::fail(tt::errc::forbidden, "no");
  CHECK_FALSE(bad);
  CHECK(bad.error().code == tt::errc::forbidden);
}
