#pragma once
/// The record format of every value the snapshot store writes. The store wraps the caller's
/// payload (a serialized tt.internal.v1.SnapshotEnvelope, whose own format_version versions the
/// state schema) in a small binary header, so that the TTL compaction filter can read an expiry
/// without parsing protobuf and so that the storage layout itself is versioned.
///
/// Format version 1, byte by byte:
///   [0]     format_version = 1
///   [1]     flags: bit 0 = an expiry follows; bits 1..7 must be 0
///   [2..9]  expires_at_ms, int64 little-endian (milliseconds since the Unix epoch), iff bit 0
///   [...]   payload, opaque, possibly empty
/// A reader keeps a decoder for every version it ever wrote; a version above the newest known is
/// refused with unsupported_version (written by a newer build), never misread.
///
/// Pure functions, thread-safe; decoding never throws or crashes on arbitrary bytes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "storage/errc.hpp"

namespace tt::storage {

/// The version encode_record writes.
inline constexpr uint8_t record_format_version = 1;

/// A decoded record; `payload` points into the decoded bytes.
struct record_view {
  std::string_view payload;
  std::optional<int64_t> expires_at_ms;
};

std::string encode_record(std::string_view payload, std::optional<int64_t> expires_at_ms);

/// corruption for truncated or malformed bytes, unsupported_version for an unknown version.
std::variant<record_view, storage_error> decode_record(std::string_view bytes);

/// True when the record has an expiry at or before `now_ms`.
inline bool is_expired(const record_view& record, int64_t now_ms) noexcept {
  return record.expires_at_ms && *record.expires_at_ms <= now_ms;
}

} // namespace tt::storage
