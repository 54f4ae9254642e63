#pragma once
/// JWT validation for GatewayService/ValidateToken: compact JWS tokens signed HS256 (a shared
/// secret) or RS256 (an RSA public key), with exp/nbf/iss/aud checked. The algorithm a token names
/// must be one configured here, and each algorithm only ever uses its own key, so a token cannot
/// pick "none" or have an RSA public key used as an HMAC secret. Every rejection is
/// errc::unauthenticated with a message naming the failed check. A verifier is immutable once
/// created and safe to share between gRPC threads.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/result.hpp"

namespace tt::adapters::auth {

/// Longer tokens are refused before any decoding: no header needs more.
inline constexpr std::size_t max_jwt_length = 8 * 1024;

struct jwt_config {
  /// HS256 key; empty means HS256 tokens are refused.
  std::string hs256_secret;
  /// RS256 key as a PEM "PUBLIC KEY" (SubjectPublicKeyInfo); empty means RS256 tokens are refused.
  std::string rs256_public_key_pem;
  /// When set, `iss` must equal it.
  std::string issuer;
  /// When set, `aud` (a string or an array of strings) must contain it.
  std::string audience;
  /// Clock skew tolerated on exp and nbf.
  std::chrono::seconds leeway{30};
};

struct jwt_claims {
  std::string subject;
  std::string issuer;
  std::vector<std::string> audience;
  timestamp expires_at;
  std::optional<timestamp> not_before;
  std::optional<timestamp> issued_at;
  /// Every top-level claim whose value is a string (sub, iss, and custom ones such as email).
  std::map<std::string, std::string> string_claims;
  /// The `roles` claim (an array of strings, or one space-separated string) and the `role`
  /// claim (a string), together; what admin authorization checks.
  std::vector<std::string> roles;
};

class jwt_verifier {
 public:
  /// Parses the RSA key once. errc::invalid_argument when no key is configured or the PEM is not
  /// an RSA public key.
  static result<jwt_verifier> create(jwt_config config);

  /// The claims of a valid token at `now`. `exp` and `sub` are required.
  result<jwt_claims> verify(std::string_view token, timestamp now) const;

 private:
  struct rsa_key;
  jwt_verifier(jwt_config config, std::shared_ptr<const rsa_key> key);
  /// Ok when `signature` is `alg`'s signature of `signed_part` under this verifier's own key.
  result<void> check_signature(const std::string& alg, std::string_view signed_part,
                               std::string_view signature) const;

  jwt_config config_;
  std::shared_ptr<const rsa_key> rs256_key_; // null when RS256 is not configured
};

} // namespace tt::adapters::auth
