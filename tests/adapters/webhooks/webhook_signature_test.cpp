#include <doctest/doctest.h>

#include "adapters/webhooks/webhook_signature.hpp"

namespace wh = tt::adapters::webhooks;

namespace {

constexpr const char* secret = "whsec-test-0123456789";
constexpr const char* body = R"({"type":"payment.completed"})";
constexpr int64_t t = 1'796'000'000;

} // namespace

TEST_CASE("a signature made by sign verifies, and its header round-trips") {
  auto header = wh::signature_header(secret, t, body);
  auto parsed = wh::parse_signature_header(header);
  REQUIRE(parsed);
  CHECK(parsed->unix_seconds == t);
  CHECK(parsed->v1 == wh::sign(secret, t, body));
  CHECK(wh::verify(secret, t, body, parsed->v1, t + 10));
}

TEST_CASE("forged, tampered and malformed signatures are unauthenticated") {
  auto good = wh::sign(secret, t, body);
  auto other_secret = wh::verify("another-secret-000000", t, body, good, t);
  REQUIRE_FALSE(other_secret);
  CHECK(other_secret.error().code == tt::errc::unauthenticated);
  CHECK_FALSE(wh::verify(secret, t, R"({"type":"payment.failed"})", good, t));
  CHECK_FALSE(wh::verify(secret, t + 1, body, good, t)); // the timestamp is signed too
  CHECK(wh::verify(secret, t, body, good.substr(1), t).error().code == tt::errc::unauthenticated);
  CHECK_FALSE(wh::parse_signature_header("v1=" + good));
  CHECK_FALSE(wh::parse_signature_header("t=12x,v1=" + good));
  CHECK_FALSE(wh::parse_signature_header(""));
}

TEST_CASE("a correctly signed webhook outside the tolerance is stale") {
  auto good = wh::sign(secret, t, body);
  CHECK(wh::verify(secret, t, body, good, t + 300));
  auto late = wh::verify(secret, t, body, good, t + 301);
  REQUIRE_FALSE(late);
  CHECK(late.error().code == tt::errc::failed_precondition);
  CHECK_FALSE(wh::verify(secret, t, body, good, t - 301)); // from the future
}
