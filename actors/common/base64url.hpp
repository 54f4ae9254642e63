#pragma once
/// base64url without padding (RFC 4648 section 5, as JWTs and our tokens use it): bytes to text
/// that is safe in URLs, headers and JSON, and back.

#include <optional>
#include <string>
#include <string_view>

namespace tt {

/// Encodes any bytes; never fails.
std::string base64url_encode(std::string_view bytes);

/// Decodes canonical unpadded base64url: only [A-Za-z0-9_-], no '=', a length that is not 1 mod 4,
/// and zero unused trailing bits. Anything else yields nullopt, so each byte string has exactly one
/// accepted encoding and a token cannot be altered without changing what it decodes to.
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace tt
