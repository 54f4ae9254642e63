#pragma once
/// The reservation token of RequestAdmission: proof that the waiting room let `user` into `event`,
/// valid until `expires_at`. Its text is base64url(payload) "." base64url(HMAC-SHA256), the MAC
/// keyed by the node's admission secret, so any node holding the secret verifies it without asking
/// the waiting room. Single use is not this file's concern: the waiting room tracks consumed
/// nonces (waiting_room.hpp). Pure functions, safe from any thread.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "actors/common/clock.hpp"
#include "actors/common/ids.hpp"
#include "actors/common/result.hpp"

namespace tt::domain {

/// Caps that keep every token short (well under max_admission_token_length) and its payload
/// encodable with one length byte per field.
inline constexpr std::size_t max_admission_user_id_length = 128;
inline constexpr std::size_t max_admission_nonce_length = 64;
inline constexpr std::size_t max_admission_token_length = 512;
/// A shorter HMAC key is guessable; RFC 2104 asks for at least the digest length.
inline constexpr std::size_t min_admission_secret_length = 32;

struct admission_claims {
  event_id event;
  user_id user;
  timestamp expires_at;
  admission_nonce nonce;
};

/// The token for `claims`. Rejections (errc::invalid_argument): a secret shorter than
/// min_admission_secret_length, an invalid event id, an empty or over-long user or nonce.
result<std::string> sign_admission_token(std::string_view secret, const admission_claims& claims);

/// The claims of `token` if it is well formed, signed with `secret`, unexpired at `now` and issued
/// for exactly `expected_event` and `expected_user`. Every rejection is errc::forbidden with a
/// message naming the check that failed (malformed, bad signature, expired, other event, other
/// user); the signature is checked in constant time before the payload is read.
result<admission_claims> verify_admission_token(std::string_view secret, std::string_view token,
                                                const event_id& expected_event,
                                                const user_id& expected_user, timestamp now);

} // namespace tt::domain
