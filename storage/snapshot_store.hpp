#pragma once
/// The one interface for durable actor state. Entity actors commit batches of snapshot mutations
/// and reply to their clients only from `on_durable` (durable before acknowledged); recovery reads
/// them back with `get` and `scan`. Implemented by rocksdb_snapshot_store.
///
/// Thread-safety: every member may be called from any number of threads concurrently.
/// Blocking: `commit` never blocks on I/O; `get` and `scan` read RocksDB synchronously (memtable
/// or block cache, occasionally a disk read), so actors call them from a detached actor or at
/// recovery, not in a hot scheduler loop.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "storage/errc.hpp"
#include "storage/types.hpp"

namespace tt::storage {

class snapshot_store {
 public:
  virtual ~snapshot_store() = default;

  /// Queues `batch` to be applied atomically (all mutations or none, across kinds) and calls
  /// `on_durable` exactly once:
  /// - after the batch is durable under the store's sync policy, with nullopt, from the store's
  ///   writer thread (the batch is then visible to get/scan);
  /// - or with the write error from the writer thread (nothing of the batch is visible);
  /// - or, when the batch is refused up front (invalid mutation, queue full, shutting down),
  ///   synchronously on the calling thread before commit returns.
  /// Batches committed by one thread are applied in the order of their commit calls.
  virtual void commit(std::vector<mutation> batch, durable_callback on_durable) = 0;

  /// The current value of `key`, nullopt when absent or expired (TTL kinds). Sees every batch
  /// whose on_durable has run.
  virtual std::variant<std::optional<std::string>, storage_error>
  get(entity_kind kind, std::string_view key) const = 0;

  /// Visits every live record of `kind` whose key starts with `key_prefix`, in key order, until
  /// `visit` returns false. The views are valid only during the call. Returns the first error
  /// (I/O, or a record that does not decode: corruption / unsupported_version naming the key).
  virtual std::optional<storage_error>
  scan(entity_kind kind, std::string_view key_prefix,
       const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;

  virtual store_stats stats() const = 0;

  /// nullopt when writes are succeeding; else the error of the last failed write (sticky until a
  /// write succeeds) or shutting_down once closed. Cheap: no I/O.
  virtual std::optional<storage_error> health() const = 0;
};

} // namespace tt::storage
