#pragma once
/// HS256 JWTs issued by the node itself (the HTTP gateway's login): the counterpart of
/// jwt_verifier for tokens this node signs with its own secret. Pure function over the claims and
/// the key, safe from any thread.

#include <chrono>
#include <map>
#include <string>

#include "actors/common/clock.hpp"

namespace tt::adapters::auth {

struct issued_claims {
  std::string subject;
  std::string issuer;
  std::string audience;
  timestamp issued_at;
  std::chrono::seconds lifetime{0};
  /// Further string claims (username, role).
  std::map<std::string, std::string> strings;
};

/// A compact JWS, {"alg":"HS256","typ":"JWT"}, with sub, iss, aud, iat, exp and `strings`.
std::string sign_hs256(const std::string& secret, const issued_claims& claims);

} // namespace tt::adapters::auth
