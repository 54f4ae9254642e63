#include "adapters/auth/jwt.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "actors/common/base64url.hpp"
#include "actors/common/hmac.hpp"

namespace tt::adapters::auth {

struct jwt_verifier::rsa_key {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, &EVP_PKEY_free};
};

namespace {

using json = nlohmann::json;

failure rejected(std::string reason) {
  return fail(errc::unauthenticated, "invalid token: " + reason);
}

/// A base64url part that must hold a JSON object; null json when it does not.
json decode_object(std::string_view part) {
  auto text = base64url_decode(part);
  if (!text)
    return json{};
  auto parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_object() ? parsed : json{};
}

bool rs256_signature_valid(EVP_PKEY* key, std::string_view signed_part,
                           std::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1)
    return false;
  return EVP_DigestVerify(
             ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
             reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
}

/// A NumericDate (seconds since the epoch, possibly fractional) as a timestamp; nullopt when it
/// is not a number or lies outside what milliseconds in 64 bits can hold.
std::optional<timestamp> numeric_date(const json& value) {
  if (!value.is_number())
    return std::nullopt;
  double ms = std::floor(value.get<double>() * 1000.0);
  constexpr double limit = 9.0e15; // ~285,000 years: beyond any real date, far inside int64
  if (!std::isfinite(ms) || ms < -limit || ms > limit)
    return std::nullopt;
  return from_epoch_ms(static_cast<int64_t>(ms));
}

result<std::vector<std::string>> audience_of(const json& payload) {
  auto it = payload.find("aud");
  if (it == payload.end())
    return std::vector<std::string>{};
  if (it->is_string())
    return std::vector<std::string>{it->get<std::string>()};
  if (!it->is_array())
    return rejected("malformed aud claim");
  std::vector<std::string> out;
  for (const auto& entry : *it) {
    if (!entry.is_string())
      return rejected("malformed aud claim");
    out.push_back(entry.get<std::string>());
  }
  return out;
}

/// The optional NumericDate claim `name`: absent is fine, present but not a date is malformed.
result<std::optional<timestamp>> optional_date(const json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end())
    return std::optional<timestamp>{};
  auto date = numeric_date(*it);
  if (!date)
    return rejected(std::string{"malformed "} + name + " claim");
  return std::optional<timestamp>{date};
}

void append_words(const std::string& text, std::vector<std::string>& out) {
  size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string::npos)
      end = text.size();
    if (end > start)
      out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

result<std::vector<std::string>> roles_of(const json& payload) {
  std::vector<std::string> out;
  if (auto it = payload.find("roles"); it != payload.end()) {
    if (it->is_string()) {
      append_words(it->get<std::string>(), out);
    } else if (it->is_array()) {
      for (const auto& entry : *it) {
        if (!entry.is_string())
          return rejected("malformed roles claim");
        out.push_back(entry.get<std::string>());
      }
    } else {
      return rejected("malformed roles claim");
    }
  }
  if (auto it = payload.find("role"); it != payload.end()) {
    if (!it->is_string())
      return rejected("malformed role claim");
    out.push_back(it->get<std::string>());
  }
  return out;
}

result<void> read_times(const json& payload, const jwt_config& config, timestamp now,
                        jwt_claims& claims) {
  auto exp = payload.find("exp");
  if (exp == payload.end())
    return rejected("missing exp claim");
  auto expires_at = numeric_date(*exp);
  if (!expires_at)
    return rejected("malformed exp claim");
  claims.expires_at = *expires_at;
  if (now >= claims.expires_at + config.leeway)
    return rejected("expired");
  auto nbf = optional_date(payload, "nbf");
  if (!nbf)
    return std::move(nbf).error();
  auto iat = optional_date(payload, "iat");
  if (!iat)
    return std::move(iat).error();
  claims.not_before = *nbf;
  claims.issued_at = *iat;
  if (claims.not_before && now + config.leeway < *claims.not_before)
    return rejected("not valid yet (nbf)");
  return {};
}

result<void> read_identity(const json& payload, const jwt_config& config, jwt_claims& claims) {
  if (auto it = claims.string_claims.find("iss"); it != claims.string_claims.end())
    claims.issuer = it->second;
  if (!config.issuer.empty() && claims.issuer != config.issuer)
    return rejected("wrong issuer");
  auto audience = audience_of(payload);
  if (!audience)
    return std::move(audience).error();
  claims.audience = std::move(*audience);
  if (!config.audience.empty() && std::find(claims.audience.begin(), claims.audience.end(),
                                            config.audience) == claims.audience.end())
    return rejected("wrong audience");
  if (auto it = claims.string_claims.find("sub"); it != claims.string_claims.end())
    claims.subject = it->second;
  if (claims.subject.empty())
    return rejected("missing sub claim");
  return {};
}

} // namespace

jwt_verifier::jwt_verifier(jwt_config config, std::shared_ptr<const rsa_key> key)
    : config_(std::move(config)), rs256_key_(std::move(key)) {}

result<jwt_verifier> jwt_verifier::create(jwt_config config) {
  if (config.hs256_secret.empty() && config.rs256_public_key_pem.empty())
    return fail(errc::invalid_argument, "JWT validation needs an HS256 secret or an RS256 key");
  std::shared_ptr<const rsa_key> key;
  if (!config.rs256_public_key_pem.empty()) {
    auto& pem = config.rs256_public_key_pem;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free};
    auto parsed = std::make_shared<rsa_key>();
    if (bio)
      parsed->key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!parsed->key || EVP_PKEY_base_id(parsed->key.get()) != EVP_PKEY_RSA)
      return fail(errc::invalid_argument, "rs256_public_key_pem is not a PEM RSA public key");
    key = std::move(parsed);
  }
  return jwt_verifier{std::move(config), std::move(key)};
}

result<void> jwt_verifier::check_signature(const std::string& alg, std::string_view signed_part,
                                           std::string_view signature) const {
  if (alg == "HS256") {
    if (config_.hs256_secret.empty())
      return rejected("alg HS256 is not configured");
    if (!constant_time_equal(signature, to_bytes(hmac_sha256(config_.hs256_secret, signed_part))))
      return rejected("bad signature");
    return {};
  }
  if (alg == "RS256") {
    if (!rs256_key_)
      return rejected("alg RS256 is not configured");
    if (!rs256_signature_valid(rs256_key_->key.get(), signed_part, signature))
      return rejected("bad signature");
    return {};
  }
  if (alg == "none")
    return rejected("alg none is not accepted");
  return rejected("unsupported alg " + alg.substr(0, 16));
}

result<jwt_claims> jwt_verifier::verify(std::string_view token, timestamp now) const {
  if (token.empty())
    return rejected("empty");
  if (token.size() > max_jwt_length)
    return rejected("longer than " + std::to_string(max_jwt_length) + " bytes");
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return rejected("malformed: expected header.payload.signature");
  auto header = decode_object(token.substr(0, first));
  auto alg = header.find("alg");
  if (header.is_null() || alg == header.end() || !alg->is_string())
    return rejected("malformed header");
  auto signature = base64url_decode(token.substr(second + 1));
  if (!signature)
    return rejected("malformed signature");
  // Nothing in the payload is read before the signature holds.
  if (auto ok = check_signature(alg->get<std::string>(), token.substr(0, second), *signature); !ok)
    return std::move(ok).error();
  auto payload = decode_object(token.substr(first + 1, second - first - 1));
  if (payload.is_null())
    return rejected("malformed payload");
  jwt_claims claims;
  for (const auto& [key, value] : payload.items())
    if (value.is_string())
      claims.string_claims.emplace(key, value.get<std::string>());
  if (auto ok = read_times(payload, config_, now, claims); !ok)
    return std::move(ok).error();
  if (auto ok = read_identity(payload, config_, claims); !ok)
    return std::move(ok).error();
  auto roles = roles_of(payload);
  if (!roles)
    return std::move(roles).error();
  claims.roles = std::move(*roles);
  return claims;
}

} // namespace tt::adapters::auth
