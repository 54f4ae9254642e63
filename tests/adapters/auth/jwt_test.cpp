// JWT validation: given tokens built here (HS256 with a known secret, RS256 with a key pair made
// for the test run), when verified at explicit times, then the claims or one named rejection.
#include "adapters/auth/jwt.hpp"

#include <doctest/doctest.h>

#include <memory>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "actors/common/base64url.hpp"
#include "actors/common/hmac.hpp"

using namespace tt;
using namespace tt::adapters::auth;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

const timestamp now{1'700'000'000'000ms};
const int64_t now_s = 1'700'000'000;
const std::string secret = "gateway-test-secret-of-some-length";

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

/// One RSA key pair per test run (generation is the slow part).
EVP_PKEY* test_rsa_key() {
  static pkey_ptr key{EVP_RSA_gen(2048), &EVP_PKEY_free};
  REQUIRE(key);
  return key.get();
}

std::string public_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()), &BIO_free};
  REQUIRE(PEM_write_bio_PUBKEY(bio.get(), key) == 1);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string rs256_sign(EVP_PKEY* key, std::string_view text) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1);
  std::size_t length = 0;
  auto data = reinterpret_cast<const unsigned char*>(text.data());
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &length, data, text.size()) == 1);
  std::string out(length, '\0');
  REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, data,
                         text.size()) == 1);
  out.resize(length);
  return out;
}

json standard_claims() {
  return {{"sub", "user-1"},          {"iss", "traffic-tacos"}, {"aud", "gateway"},
          {"exp", now_s + 300},       {"nbf", now_s - 60},      {"iat", now_s - 60},
          {"email", "u1@example.com"}};
}

/// header.payload signed by `alg`: HS256 with `secret`, RS256 with the test key, anything else
/// (none) with an empty signature.
std::string make_token(const std::string& alg, const json& claims) {
  auto signed_part = base64url_encode(json{{"alg", alg}, {"typ", "JWT"}}.dump()) + "." +
                     base64url_encode(claims.dump());
  std::string signature;
  if (alg == "HS256")
    signature = to_bytes(hmac_sha256(secret, signed_part));
  else if (alg == "RS256")
    signature = rs256_sign(test_rsa_key(), signed_part);
  return signed_part + "." + base64url_encode(signature);
}

jwt_config full_config() {
  return {secret, public_pem(test_rsa_key()), "traffic-tacos", "gateway", 30s};
}

jwt_verifier verifier(const jwt_config& config = full_config()) {
  auto created = jwt_verifier::create(config);
  REQUIRE_MESSAGE(created, created.error().message);
  return *created;
}

std::string rejection(const jwt_verifier& v, std::string_view token, timestamp at = now) {
  auto verified = v.verify(token, at);
  REQUIRE_FALSE(verified);
  CHECK(verified.error().code == errc::unauthenticated);
  return verified.error().message;
}

bool mentions(const std::string& message, const char* what) {
  return message.find(what) != std::string::npos;
}

} // namespace

TEST_CASE("a valid HS256 token yields its claims") {
  auto claims = verifier().verify(make_token("HS256", standard_claims()), now);
  REQUIRE_MESSAGE(claims, claims.error().message);
  CHECK(claims->subject == "user-1");
  CHECK(claims->issuer == "traffic-tacos");
  CHECK(claims->audience == std::vector<std::string>{"gateway"});
  CHECK(claims->expires_at == now + 300s);
  CHECK(claims->not_before == now - 60s);
  CHECK(claims->issued_at == now - 60s);
  CHECK(claims->string_claims.at("email") == "u1@example.com");
  CHECK(claims->string_claims.count("exp") == 0); // numbers are not string claims
}

TEST_CASE("a valid RS256 token yields its claims") {
  auto claims = verifier().verify(make_token("RS256", standard_claims()), now);
  REQUIRE_MESSAGE(claims, claims.error().message);
  CHECK(claims->subject == "user-1");
}

TEST_CASE("alg none and algorithms without a configured key are refused") {
  auto v = verifier();
  CHECK(mentions(rejection(v, make_token("none", standard_claims())), "alg none"));
  CHECK(mentions(rejection(v, make_token("HS512", standard_claims())), "unsupported alg"));
  auto hs_only = verifier({secret, "", "", "", 30s});
  CHECK(mentions(rejection(hs_only, make_token("RS256", standard_claims())),
                 "RS256 is not configured"));
  auto rs_only = verifier({"", public_pem(test_rsa_key()), "", "", 30s});
  CHECK(mentions(rejection(rs_only, make_token("HS256", standard_claims())),
                 "HS256 is not configured"));
}

TEST_CASE("an RSA public key is never used as an HMAC secret") {
  // The classic confusion attack: HS256 "signed" with the public key the server publishes.
  auto pem = public_pem(test_rsa_key());
  auto rs_only = verifier({"", pem, "", "", 30s});
  auto signed_part = base64url_encode(json{{"alg", "HS256"}}.dump()) + "." +
                     base64url_encode(standard_claims().dump());
  auto forged = signed_part + "." + base64url_encode(to_bytes(hmac_sha256(pem, signed_part)));
  CHECK(mentions(rejection(rs_only, forged), "HS256 is not configured"));
}

TEST_CASE("a tampered payload or signature fails, for both algorithms") {
  auto v = verifier();
  for (const char* alg : {"HS256", "RS256"}) {
    auto token = make_token(alg, standard_claims());
    auto other = standard_claims();
    other["sub"] = "admin";
    auto forged_payload = make_token(alg, other);
    auto first = token.find('.');
    auto second = token.rfind('.');
    // The other token's payload with this token's signature.
    auto spliced = token.substr(0, first) +
                   forged_payload.substr(first, forged_payload.rfind('.') - first) +
                   token.substr(second);
    CHECK(mentions(rejection(v, spliced), "bad signature"));
    auto flipped = token;
    flipped[second + 5] = flipped[second + 5] == 'A' ? 'B' : 'A';
    CHECK(mentions(rejection(v, flipped), "bad signature"));
  }
  auto wrong_secret = verifier({"another-secret", "", "", "", 30s});
  CHECK(mentions(rejection(wrong_secret, make_token("HS256", standard_claims())), "bad signature"));
}

TEST_CASE("exp and nbf are enforced with the configured leeway") {
  auto v = verifier();
  auto token = make_token("HS256", standard_claims());
  CHECK(v.verify(token, now + 300s + 29s));
  CHECK(mentions(rejection(v, token, now + 300s + 30s), "expired"));
  auto early = standard_claims();
  early["nbf"] = now_s + 100;
  auto future = make_token("HS256", early);
  CHECK(mentions(rejection(v, future), "not valid yet"));
  CHECK(v.verify(future, now + 70s));
  auto no_exp = standard_claims();
  no_exp.erase("exp");
  CHECK(mentions(rejection(v, make_token("HS256", no_exp)), "missing exp"));
  auto text_exp = standard_claims();
  text_exp["exp"] = "tomorrow";
  CHECK(mentions(rejection(v, make_token("HS256", text_exp)), "malformed exp"));
}

TEST_CASE("iss and aud must match the configuration") {
  auto v = verifier();
  auto claims = standard_claims();
  claims["iss"] = "someone-else";
  CHECK(mentions(rejection(v, make_token("HS256", claims)), "wrong issuer"));
  claims = standard_claims();
  claims["aud"] = json::array({"billing", "gateway"});
  CHECK(v.verify(make_token("HS256", claims), now));
  claims["aud"] = json::array({"billing"});
  CHECK(mentions(rejection(v, make_token("HS256", claims)), "wrong audience"));
  claims.erase("aud");
  CHECK(mentions(rejection(v, make_token("HS256", claims)), "wrong audience"));
  claims["aud"] = 7;
  CHECK(mentions(rejection(v, make_token("HS256", claims)), "malformed aud"));
  // Without a configured issuer or audience, any is accepted.
  auto lenient = verifier({secret, "", "", "", 30s});
  claims = standard_claims();
  claims["iss"] = "someone-else";
  claims["aud"] = "elsewhere";
  CHECK(lenient.verify(make_token("HS256", claims), now));
}

TEST_CASE("malformed tokens are rejected with their own messages") {
  auto v = verifier();
  CHECK(mentions(rejection(v, ""), "empty"));
  CHECK(mentions(rejection(v, "a.b"), "header.payload.signature"));
  CHECK(mentions(rejection(v, "a.b.c.d"), "header.payload.signature"));
  CHECK(mentions(rejection(v, std::string(max_jwt_length + 1, 'a')), "longer than"));
  CHECK(mentions(rejection(v, "%%%.e30.sig"), "malformed header"));
  CHECK(mentions(rejection(v, base64url_encode("[1]") + ".e30.sig"), "malformed header"));
  auto token = make_token("HS256", standard_claims());
  CHECK(mentions(rejection(v, token + "="), "malformed signature"));
  auto no_sub = standard_claims();
  no_sub.erase("sub");
  CHECK(mentions(rejection(v, make_token("HS256", no_sub)), "missing sub"));
  // A payload that is not JSON, correctly signed: malformed, not a crash.
  auto signed_part =
      base64url_encode(json{{"alg", "HS256"}}.dump()) + "." + base64url_encode("not json");
  auto garbage = signed_part + "." + base64url_encode(to_bytes(hmac_sha256(secret, signed_part)));
  CHECK(mentions(rejection(v, garbage), "malformed payload"));
}

TEST_CASE("a verifier needs a key, and a PEM that is an RSA public key") {
  CHECK(jwt_verifier::create({}).error().code == errc::invalid_argument);
  CHECK(jwt_verifier::create({"", "not a pem", "", "", 30s}).error().code ==
        errc::invalid_argument);
}

TEST_CASE("roles come from the roles and role claims, and a malformed one is refused") {
  auto claims = standard_claims();
  SUBCASE("an array of roles and a role") {
    claims["roles"] = {"viewer", "admin"};
    claims["role"] = "operator";
    auto verified = verifier().verify(make_token("HS256", claims), now);
    REQUIRE_MESSAGE(verified, verified.error().message);
    CHECK(verified->roles == std::vector<std::string>{"viewer", "admin", "operator"});
  }
  SUBCASE("a space-separated string") {
    claims["roles"] = "viewer  admin";
    auto verified = verifier().verify(make_token("HS256", claims), now);
    REQUIRE_MESSAGE(verified, verified.error().message);
    CHECK(verified->roles == std::vector<std::string>{"viewer", "admin"});
  }
  SUBCASE("none") {
    auto verified = verifier().verify(make_token("HS256", claims), now);
    REQUIRE_MESSAGE(verified, verified.error().message);
    CHECK(verified->roles.empty());
  }
  SUBCASE("roles holding a number") {
    claims["roles"] = {"admin", 7};
    CHECK(mentions(rejection(verifier(), make_token("HS256", claims)), "malformed roles"));
  }
  SUBCASE("role that is not a string") {
    claims["role"] = json::array({"admin"});
    CHECK(mentions(rejection(verifier(), make_token("HS256", claims)), "malformed role claim"));
  }
}
