#pragma once
/// How our webhooks are signed, both ways (the scheme Stripe and GitHub use): the sender computes
/// HMAC-SHA256(secret, "<unix seconds>." + body) and sends "t=<unix seconds>,v1=<hex>"; the
/// receiver recomputes it in constant time and refuses a timestamp too far from its clock, so a
/// captured webhook cannot be replayed later (replays inside the window are caught by webhook id).
/// For gRPC receipt, `body` is the deterministic protobuf serialization of the payload message
/// (see WebhookService in README).

#include <cstdint>
#include <string>
#include <string_view>

#include "actors/common/result.hpp"

namespace tt::adapters::webhooks {

/// The hex HMAC of "<unix_seconds>.<body>".
std::string sign(std::string_view secret, int64_t unix_seconds, std::string_view body);

/// "t=<unix_seconds>,v1=<sign(...)>".
std::string signature_header(std::string_view secret, int64_t unix_seconds, std::string_view body);

struct parsed_signature {
  int64_t unix_seconds = 0;
  std::string v1;
};
/// Reads "t=...,v1=..." (order free); errc::unauthenticated when malformed.
result<parsed_signature> parse_signature_header(std::string_view header);

/// Ok when `signature_hex` is sign(secret, unix_seconds, body) and unix_seconds is within
/// `tolerance_seconds` of `now_seconds`. Forged or malformed: errc::unauthenticated. Stale (or
/// from the future): errc::failed_precondition.
result<void> verify(std::string_view secret, int64_t unix_seconds, std::string_view body,
                    std::string_view signature_hex, int64_t now_seconds,
                    int64_t tolerance_seconds = 300);

} // namespace tt::adapters::webhooks
