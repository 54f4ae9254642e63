// reservation token signing and verification: given claims signed with a secret, when the token is
// verified (possibly altered), then the claims or one named forbidden rejection. Time is explicit.
#include "actors/domain/admission_token.hpp"

#include <doctest/doctest.h>

#include "actors/common/base64url.hpp"
#include "actors/common/hmac.hpp"

using namespace tt;
using namespace tt::domain;
using namespace std::chrono_literals;

namespace {

const timestamp t0{1'700'000'000'000ms};
const std::string secret = "0123456789abcdef0123456789abcdef";
const event_id concert{"concert-1"};
const user_id alice{"alice"};

admission_claims claims_of(timestamp expires_at = t0 + 30s) {
  return {concert, alice, expires_at, admission_nonce{"nonce-1"}};
}

std::string signed_token(const admission_claims& claims = claims_of()) {
  auto token = sign_admission_token(secret, claims);
  REQUIRE_MESSAGE(token, token.error().message);
  return *token;
}

std::string rejection(std::string_view token, timestamp now = t0, const event_id& event = concert,
                      const user_id& user = alice, std::string_view key = secret) {
  auto verified = verify_admission_token(key, token, event, user, now);
  REQUIRE_FALSE(verified);
  CHECK(verified.error().code == errc::forbidden);
  return verified.error().message;
}

/// Flips one bit of the character at `index`, staying inside the base64url alphabet.
std::string altered(std::string token, std::size_t index) {
  token[index] = token[index] == 'A' ? 'B' : 'A';
  return token;
}

} // namespace

TEST_CASE("a signed token verifies back to its claims") {
  auto token = signed_token();
  CHECK(token.size() <= max_admission_token_length);
  auto verified = verify_admission_token(secret, token, concert, alice, t0);
  REQUIRE_MESSAGE(verified, verified.error().message);
  CHECK(verified->event == concert);
  CHECK(verified->user == alice);
  CHECK(verified->expires_at == t0 + 30s);
  CHECK(verified->nonce == admission_nonce{"nonce-1"});
}

TEST_CASE("the longest allowed claims still fit the token cap") {
  admission_claims longest{event_id{std::string(max_event_id_length, 'e')},
                           user_id{std::string(max_admission_user_id_length, 'u')}, t0 + 30s,
                           admission_nonce{std::string(max_admission_nonce_length, 'n')}};
  auto token = signed_token(longest);
  CHECK(token.size() <= max_admission_token_length);
  CHECK(verify_admission_token(secret, token, longest.event, longest.user, t0));
}

TEST_CASE("an altered payload or signature fails the signature check") {
  auto token = signed_token();
  auto dot = token.find('.');
  CHECK(rejection(altered(token, 3)).find("bad signature") != std::string::npos);
  CHECK(rejection(altered(token, dot + 3)).find("bad signature") != std::string::npos);
  // A payload re-encoded for another user, carrying the original signature.
  auto other = sign_admission_token(
      secret, {concert, user_id{"mallory"}, t0 + 30s, admission_nonce{"nonce-1"}});
  REQUIRE(other);
  auto spliced = other->substr(0, other->find('.')) + token.substr(dot);
  CHECK(rejection(spliced, t0, concert, user_id{"mallory"}).find("bad signature") !=
        std::string::npos);
}

TEST_CASE("a token signed with another secret is rejected") {
  auto token = signed_token();
  CHECK(rejection(token, t0, concert, alice, "another-secret-of-thirty-two-byte")
            .find("bad signature") != std::string::npos);
  // A secret too short to trust is refused for signing and for verifying.
  CHECK(sign_admission_token("short", claims_of()).error().code == errc::invalid_argument);
  CHECK(rejection(token, t0, concert, alice, secret.substr(0, 31)).find("bad signature") !=
        std::string::npos);
}

TEST_CASE("a token is valid until, not at, its expiry") {
  auto token = signed_token();
  CHECK(verify_admission_token(secret, token, concert, alice, t0 + 30s - 1ms));
  CHECK(rejection(token, t0 + 30s).find("expired") != std::string::npos);
}

TEST_CASE("a token is bound to its event and its user") {
  auto token = signed_token();
  CHECK(rejection(token, t0, event_id{"concert-2"}).find("another event") != std::string::npos);
  CHECK(rejection(token, t0, concert, user_id{"bob"}).find("another user") != std::string::npos);
}

TEST_CASE("malformed tokens are rejected without reading further") {
  auto token = signed_token();
  CHECK(rejection("").find("malformed") != std::string::npos);
  CHECK(rejection("no-dot-at-all").find("malformed") != std::string::npos);
  CHECK(rejection(token + ".extra").find("malformed") != std::string::npos);
  CHECK(rejection("pay+load.sig").find("not base64url") != std::string::npos);
  CHECK(rejection(token.substr(0, token.find('.')) + ".sig=").find("not base64url") !=
        std::string::npos);
  CHECK(rejection(std::string(max_admission_token_length + 1, 'A')).find("longer than") !=
        std::string::npos);
}

TEST_CASE("a correctly signed but unreadable payload is malformed, not trusted") {
  // What a token from a future payload version looks like to this build.
  auto payload = base64url_encode("\x02garbage");
  auto mac = hmac_sha256(secret, "tt.admission-token.v1." + payload);
  auto token = payload + "." + base64url_encode(to_bytes(mac));
  CHECK(rejection(token).find("unreadable payload") != std::string::npos);
}

TEST_CASE("signing refuses claims that do not fit the payload") {
  auto with = [](std::string event, std::string user, std::string nonce) {
    return sign_admission_token(secret, {event_id{std::move(event)}, user_id{std::move(user)},
                                         t0 + 30s, admission_nonce{std::move(nonce)}});
  };
  CHECK(with("bad event!", "alice", "n").error().code == errc::invalid_argument);
  CHECK(with("concert-1", "", "n").error().code == errc::invalid_argument);
  CHECK(with("concert-1", std::string(max_admission_user_id_length + 1, 'u'), "n").error().code ==
        errc::invalid_argument);
  CHECK(with("concert-1", "alice", "").error().code == errc::invalid_argument);
  CHECK(with("concert-1", "alice", std::string(max_admission_nonce_length + 1, 'n')).error().code ==
        errc::invalid_argument);
}
