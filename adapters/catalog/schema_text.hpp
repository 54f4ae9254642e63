#pragma once
/// Text helpers shared by the catalog readers: the one way a catalog field is rejected, UTF-8
/// checks, and the strict scalar grammars (RFC 3339 timestamps, decimal integers). Pure functions,
/// safe on any bytes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/common/clock.hpp"
#include "actors/common/failure.hpp"
#include "actors/common/result.hpp"

namespace tt::adapters::catalog {

/// errc::invalid_argument naming `field` (a path such as "sections[2].rows[1].seats"); the
/// message is "<field>: <reason>" and `value`, if any, is echoed shortened to printable_prefix.
failure invalid_field(std::string field, std::string reason, std::string_view value = {});

/// What every parser checks before parsing: at most `max_bytes`, well-formed UTF-8, no NUL byte
/// (no catalog needs one, and C-string consumers downstream would cut the text there). Fails
/// with field "document".
result<void> check_document(std::string_view text, std::size_t max_bytes);

/// Offset of the first byte that is not well-formed UTF-8 (overlong forms, surrogates and code
/// points past U+10FFFF included), or std::string_view::npos if there is none.
std::size_t first_invalid_utf8(std::string_view text) noexcept;

/// At most `max_bytes` of `text`, cut on a UTF-8 character boundary so an echoed value stays
/// valid UTF-8 (protobuf string fields require it).
std::string printable_prefix(std::string_view text, std::size_t max_bytes = 64);

/// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (RFC 3339; 'T' and 'Z' in either case),
/// fraction truncated to milliseconds. Rejects impossible dates (2027-02-29) and leap seconds,
/// which a millisecond time_point cannot represent.
std::optional<timestamp> parse_rfc3339(std::string_view text) noexcept;

/// "-?[0-9]+" that fits an int64_t; nothing else (no '+', spaces, hex or exponent).
std::optional<int64_t> parse_int64(std::string_view text) noexcept;

} // namespace tt::adapters::catalog
