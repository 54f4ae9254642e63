#include "actors/domain/admission_token.hpp"

#include <cstdint>
#include <optional>

#include "actors/common/base64url.hpp"
#include "actors/common/hmac.hpp"

namespace tt::domain {
namespace {

/// Bumped whenever the payload layout changes, so old tokens fail as malformed, never misread.
constexpr char payload_version = 1;
/// Prefixed to the signed text so a MAC made for another purpose with the same secret (a webhook
/// signature, an HS256 JWT) can never pass as an admission token.
constexpr std::string_view signing_context = "tt.admission-token.v1.";
constexpr std::size_t expiry_bytes = 8;

failure rejected(std::string reason) {
  return fail(errc::forbidden, "reservation token rejected: " + reason);
}

failure invalid(std::string field, std::string reason) {
  std::string message = field + ": " + reason;
  return fail(errc::invalid_argument, std::move(message),
              {error_detail{std::move(field), std::move(reason), ""}});
}

void append_field(std::string& out, std::string_view field) {
  out += static_cast<char>(static_cast<uint8_t>(field.size()));
  out += field;
}

/// version, then each string as one length byte and its bytes, then the expiry as 8 bytes
/// big-endian milliseconds: no separator can be smuggled inside a field.
std::string encode_payload(const admission_claims& claims) {
  std::string out;
  out += payload_version;
  append_field(out, claims.event());
  append_field(out, claims.user());
  append_field(out, claims.nonce());
  auto ms = static_cast<uint64_t>(to_epoch_ms(claims.expires_at));
  for (int shift = 56; shift >= 0; shift -= 8)
    out += static_cast<char>((ms >> shift) & 0xFF);
  return out;
}

class payload_reader {
 public:
  explicit payload_reader(std::string_view bytes) : rest_(bytes) {}

  std::optional<std::string> field() {
    if (rest_.empty())
      return std::nullopt;
    auto length = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    if (rest_.size() < length)
      return std::nullopt;
    std::string out{rest_.substr(0, length)};
    rest_.remove_prefix(length);
    return out;
  }

  std::optional<int64_t> expiry() {
    if (rest_.size() != expiry_bytes)
      return std::nullopt; // also rejects trailing bytes
    uint64_t ms = 0;
    for (char c : rest_)
      ms = (ms << 8) | static_cast<uint8_t>(c);
    rest_ = {};
    return static_cast<int64_t>(ms);
  }

 private:
  std::string_view rest_;
};

std::optional<admission_claims> decode_payload(std::string_view bytes) {
  if (bytes.empty() || bytes.front() != payload_version)
    return std::nullopt;
  payload_reader reader{bytes.substr(1)};
  auto event = reader.field();
  auto user = reader.field();
  auto nonce = reader.field();
  if (!event || !user || !nonce)
    return std::nullopt;
  auto expiry = reader.expiry();
  if (!expiry)
    return std::nullopt;
  return admission_claims{event_id{std::move(*event)}, user_id{std::move(*user)},
                          from_epoch_ms(*expiry), admission_nonce{std::move(*nonce)}};
}

std::string mac_of(std::string_view secret, std::string_view encoded_payload) {
  std::string signed_text{signing_context};
  signed_text += encoded_payload;
  return to_bytes(hmac_sha256(secret, signed_text));
}

} // namespace

result<std::string> sign_admission_token(std::string_view secret, const admission_claims& claims) {
  if (secret.size() < min_admission_secret_length)
    return invalid("admission_secret",
                   "must be at least " + std::to_string(min_admission_secret_length) + " bytes");
  if (!is_valid_event_id(claims.event()))
    return invalid("event_id", "invalid event id");
  if (claims.user().empty() || claims.user().size() > max_admission_user_id_length)
    return invalid("user_id",
                   "must be 1.." + std::to_string(max_admission_user_id_length) + " bytes");
  if (claims.nonce().empty() || claims.nonce().size() > max_admission_nonce_length)
    return invalid("nonce", "must be 1.." + std::to_string(max_admission_nonce_length) + " bytes");
  auto encoded = base64url_encode(encode_payload(claims));
  return encoded + "." + base64url_encode(mac_of(secret, encoded));
}

result<admission_claims> verify_admission_token(std::string_view secret, std::string_view token,
                                                const event_id& expected_event,
                                                const user_id& expected_user, timestamp now) {
  if (token.empty())
    return rejected("malformed: empty");
  if (token.size() > max_admission_token_length)
    return rejected("malformed: longer than " + std::to_string(max_admission_token_length) +
                    " characters");
  auto dot = token.find('.');
  if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos)
    return rejected("malformed: expected payload.signature");
  auto encoded_payload = token.substr(0, dot);
  auto payload = base64url_decode(encoded_payload);
  auto signature = base64url_decode(token.substr(dot + 1));
  if (!payload || !signature)
    return rejected("malformed: not base64url");
  // A short secret is the configuration's fault, but accepting it would make forgery easy.
  if (secret.size() < min_admission_secret_length ||
      !constant_time_equal(*signature, mac_of(secret, encoded_payload)))
    return rejected("bad signature");
  auto claims = decode_payload(*payload);
  if (!claims)
    return rejected("malformed: unreadable payload");
  if (claims->expires_at <= now)
    return rejected("expired");
  if (claims->event != expected_event)
    return rejected("issued for another event");
  if (claims->user != expected_user)
    return rejected("issued for another user");
  return std::move(*claims);
}

} // namespace tt::domain
