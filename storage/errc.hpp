#pragma once
/// storage's own error codes. Every RocksDB status and every decode failure is converted into one
/// of these where the call is made (see rocksdb_status.hpp, snapshot_codec.hpp); nothing in
/// storage throws on the data plane. Starts at 1, like tt::errc, so a caller may wrap it into a
/// CAF error. The runtime maps these onto tt::errc (unavailable / data_corruption) in one place.

#include <cstdint>
#include <string>
#include <string_view>

namespace tt::storage {

enum class errc : uint8_t {
  /// The disk or filesystem failed an operation (also: permission denied, lock held).
  io_error = 1,
  /// Stored bytes are damaged: RocksDB checksum failure or a record that does not decode.
  corruption,
  /// The filesystem is full; writes fail until space is freed.
  no_space,
  not_found,
  /// The caller passed something the store cannot accept (bad kind, empty key, misplaced TTL).
  invalid_argument,
  /// The store is closing or closed; nothing was written.
  shutting_down,
  /// Too many commits or bytes are waiting for durability; retry later (back-pressure).
  queue_full,
  /// A record was written by a newer format version than this build reads.
  unsupported_version,
  /// In a cluster: this node does not (or no longer) own the shard the batch belongs to, or the
  /// cluster's changelog refused it; nothing of it counts as written. The client retries, and
  /// reaches the shard's owner.
  not_owner,
  /// Any other RocksDB status (not supported, busy, aborted...): a bug or an unexpected state.
  internal,
};

/// Stable lower-case name, for logs.
std::string_view to_string(errc code) noexcept;

/// A storage failure as a value: the code plus a message naming the operation and the cause.
struct storage_error {
  errc code = errc::internal;
  std::string message;
};

/// "<code>: <message>".
std::string to_string(const storage_error& error);

} // namespace tt::storage
