#include "adapters/auth/jwt_signer.hpp"

#include <nlohmann/json.hpp>

#include "actors/common/base64url.hpp"
#include "actors/common/hmac.hpp"

namespace tt::adapters::auth {

std::string sign_hs256(const std::string& secret, const issued_claims& claims) {
  nlohmann::json payload = nlohmann::json::object();
  for (const auto& [name, value] : claims.strings)
    payload[name] = value;
  payload["sub"] = claims.subject;
  payload["iss"] = claims.issuer;
  payload["aud"] = claims.audience;
  auto iat = to_epoch_ms(claims.issued_at) / 1000;
  payload["iat"] = iat;
  payload["exp"] = iat + claims.lifetime.count();
  auto signed_part =
      base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url_encode(payload.dump());
  return signed_part + "." + base64url_encode(to_bytes(hmac_sha256(secret, signed_part)));
}

} // namespace tt::adapters::auth
