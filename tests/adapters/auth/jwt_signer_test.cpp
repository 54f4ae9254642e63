// Tokens the node signs (jwt_signer), read back by the node's verifier: the claims survive, and
// a token under another key, issuer or audience, or past its lifetime, is refused.
#include "adapters/auth/jwt_signer.hpp"

#include <doctest/doctest.h>

#include "adapters/auth/jwt.hpp"

using namespace tt;
using namespace tt::adapters::auth;
using namespace std::chrono_literals;

namespace {

const timestamp issued{1'700'000'000'000ms};
const std::string key = "signer-test-secret-0123456789abcdef";

issued_claims claims() {
  issued_claims c;
  c.subject = "u-1";
  c.issuer = "traffic-tacos";
  c.audience = "traffic-tacos-api";
  c.issued_at = issued;
  c.lifetime = 24h;
  c.strings = {{"username", "ann"}, {"role", "user"}};
  return c;
}

jwt_verifier verifier(std::string secret, std::string issuer, std::string audience) {
  jwt_config cfg;
  cfg.hs256_secret = std::move(secret);
  cfg.issuer = std::move(issuer);
  cfg.audience = std::move(audience);
  cfg.leeway = 0s;
  return *jwt_verifier::create(std::move(cfg));
}

} // namespace

TEST_CASE("a signed token verifies with its subject, custom claims and a 24 h expiry") {
  auto token = sign_hs256(key, claims());
  auto read = verifier(key, "traffic-tacos", "traffic-tacos-api").verify(token, issued + 1h);
  REQUIRE(read);
  CHECK(read->subject == "u-1");
  CHECK(read->string_claims.at("username") == "ann");
  CHECK(read->string_claims.at("role") == "user");
  CHECK(read->expires_at == issued + 24h);
}

TEST_CASE("a signed token is refused under another key, issuer or audience, or once expired") {
  auto token = sign_hs256(key, claims());
  CHECK_FALSE(verifier("another-secret-0123456789abcdef-xx", "traffic-tacos", "traffic-tacos-api")
                  .verify(token, issued + 1h));
  CHECK_FALSE(verifier(key, "someone-else", "traffic-tacos-api").verify(token, issued + 1h));
  CHECK_FALSE(verifier(key, "traffic-tacos", "another-api").verify(token, issued + 1h));
  CHECK_FALSE(verifier(key, "traffic-tacos", "traffic-tacos-api").verify(token, issued + 25h));
}
