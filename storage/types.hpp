#pragma once
/// Vocabulary shared by the snapshot store, its group commit and its callers: what kind of entity
/// a record belongs to (one RocksDB column family each), one mutation of a batch, the durability
/// callback, the sync policy and the counters exposed for health and metrics.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "storage/errc.hpp"

namespace tt::storage {

/// One column family per kind. The numeric values are never persisted (column families are
/// opened by name), so kinds may be appended freely.
enum class entity_kind : uint8_t {
  seat,
  reservation,
  event_counters,
  queue_entry,
  payment,
  idempotency,
  outbox,
  meta,
};

inline constexpr std::array<entity_kind, 8> all_entity_kinds = {
    entity_kind::seat,        entity_kind::reservation, entity_kind::event_counters,
    entity_kind::queue_entry, entity_kind::payment,     entity_kind::idempotency,
    entity_kind::outbox,      entity_kind::meta};

/// The column family name ("seat", "reservation", ...); stable, it is the on-disk identity.
std::string_view to_string(entity_kind kind) noexcept;

/// True for the kinds whose records may carry an expiry (dropped by compaction, hidden on read).
bool has_ttl(entity_kind kind) noexcept;

/// True when `kind` is one of all_entity_kinds (guards casts from untrusted integers).
bool is_valid(entity_kind kind) noexcept;

/// One change inside an atomic batch.
struct mutation {
  entity_kind kind = entity_kind::meta;
  /// Non-empty; by convention "<parent id>/<entity id>" so recovery can scan a parent's prefix.
  std::string key;
  /// The serialized snapshot (a tt.internal.v1.SnapshotEnvelope); nullopt deletes the key.
  std::optional<std::string> value;
  /// Milliseconds since the Unix epoch after which the record counts as absent. Only for kinds
  /// with has_ttl(kind) and only with a value.
  std::optional<int64_t> expires_at_ms;
};

/// Called exactly once per commit: nullopt when the whole batch is durable, else the error (and
/// then nothing of the batch is visible). Must not block and must not throw; typically it sends
/// one message to the actor that committed.
using durable_callback = std::function<void(std::optional<storage_error>)>;

/// Current time in milliseconds since the Unix epoch; injectable so TTL tests need no wall clock.
/// Called from RocksDB compaction threads too, so it must be thread-safe.
using now_ms_fn = std::function<int64_t()>;

/// How a group of commits reaches the disk.
enum class sync_policy : uint8_t {
  /// Every group is written with sync=true as soon as the writer picks it up.
  always,
  /// sync=true, but the writer waits up to max_delay for more commits to share the fsync.
  batch,
  /// sync=false: acknowledged once in the OS page cache. Only for benchmarks that say so.
  none,
};

std::string_view to_string(sync_policy policy) noexcept;

/// Counters since open, for health and metrics. A consistent snapshot (taken under one lock).
struct store_stats {
  /// Commits acknowledged as durable.
  uint64_t commits = 0;
  /// Commits accepted but whose write failed (each got the error).
  uint64_t failed_commits = 0;
  /// Commits refused before queueing (invalid, queue full, shutting down).
  uint64_t rejected_commits = 0;
  /// WriteBatches successfully written (one per group).
  uint64_t batches_written = 0;
  /// Of those, the ones written with sync=true (one fsync each).
  uint64_t syncs = 0;
  /// Approximate bytes written: keys, encoded values and a per-record overhead.
  uint64_t bytes_written = 0;
  /// Accepted and not yet acknowledged.
  uint64_t pending_commits = 0;
  /// Duration of the most recent synced write.
  std::chrono::microseconds last_sync_latency{0};
};

} // namespace tt::storage
