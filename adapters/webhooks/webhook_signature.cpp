#include "adapters/webhooks/webhook_signature.hpp"

#include <charconv>
#include <cstdlib>

#include "actors/common/hmac.hpp"

namespace tt::adapters::webhooks {

namespace {

constexpr size_t hex_length = 2 * sha256_digest_length;

std::string signed_message(int64_t unix_seconds, std::string_view body) {
  auto out = std::to_string(unix_seconds);
  out += '.';
  out += body;
  return out;
}

} // namespace

std::string sign(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  return hmac_sha256_hex(secret, signed_message(unix_seconds, body));
}

std::string signature_header(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  return "t=" + std::to_string(unix_seconds) + ",v1=" + sign(secret, unix_seconds, body);
}

result<parsed_signature> parse_signature_header(std::string_view header) {
  parsed_signature out;
  bool have_t = false;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (part.rfind("t=", 0) == 0) {
      auto digits = part.substr(2);
      auto [end, err] =
          std::from_chars(digits.data(), digits.data() + digits.size(), out.unix_seconds);
      have_t = err == std::errc{} && end == digits.data() + digits.size();
    } else if (part.rfind("v1=", 0) == 0) {
      out.v1 = std::string{part.substr(3)};
    }
  }
  if (!have_t || out.v1.size() != hex_length)
    return fail(errc::unauthenticated, "the signature must read t=<unix seconds>,v1=<64 hex>");
  return out;
}

result<void> verify(std::string_view secret, int64_t unix_seconds, std::string_view body,
                    std::string_view signature_hex, int64_t now_seconds,
                    int64_t tolerance_seconds) {
  if (signature_hex.size() != hex_length)
    return fail(errc::unauthenticated, "the signature must be 64 hex characters");
  // Checked before the timestamp: an attacker learns nothing about the clock from a forgery.
  if (!constant_time_equal(sign(secret, unix_seconds, body), signature_hex))
    return fail(errc::unauthenticated, "the signature does not match");
  if (std::llabs(now_seconds - unix_seconds) > tolerance_seconds)
    return fail(errc::failed_precondition,
                "the webhook's timestamp is " + std::to_string(now_seconds - unix_seconds) +
                    " s from now (more than " + std::to_string(tolerance_seconds) +
                    " s): refused as stale");
  return {};
}

} // namespace tt::adapters::webhooks
