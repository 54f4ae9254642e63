#pragma once
/// HMAC-SHA256 (RFC 2104) and a constant-time comparison: the primitives behind every signed value
/// we hand out and take back (admission tokens, HS256 JWTs, signed webhooks). Thin wrappers over
/// OpenSSL's libcrypto, kept general so each caller chooses its own message layout. Safe to call
/// from any thread.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tt {

inline constexpr std::size_t sha256_digest_length = 32;
using sha256_digest = std::array<uint8_t, sha256_digest_length>;

/// HMAC-SHA256 of `message` under `key` (any length, empty allowed). OpenSSL fails here only when
/// it cannot allocate, which is reported like any allocation failure: std::bad_alloc.
sha256_digest hmac_sha256(std::string_view key, std::string_view message);

/// The same digest as 64 lower-case hex characters, the usual form in headers and logs.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// The digest's bytes as a string, for encoders that take bytes (base64url).
std::string to_bytes(const sha256_digest& digest);

/// Lower-case hex of arbitrary bytes.
std::string to_hex(std::string_view bytes);

/// True when `a` and `b` hold the same bytes. The time taken depends only on the lengths, never on
/// where the first difference is, so comparing a received signature with the expected one does not
/// tell an attacker how many leading bytes they guessed right.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

} // namespace tt
