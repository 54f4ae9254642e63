#pragma once
/// Drops expired records of a TTL'd column family while RocksDB compacts it, so expiry costs no
/// scan. A record whose header does not decode is kept: compaction must never destroy data that
/// `get` would report as corrupt. Flushes do not run the filter; reads hide expired-but-not-yet-
/// compacted records (snapshot_store::get).
///
/// Thread-safety: one instance serves all compactions of its column family concurrently; it holds
/// no mutable state, and `now_ms` must be thread-safe.

#include <rocksdb/compaction_filter.h>

#include "storage/types.hpp"

namespace tt::storage {

class ttl_compaction_filter final : public rocksdb::CompactionFilter {
 public:
  explicit ttl_compaction_filter(now_ms_fn now_ms);

  /// True (drop) when `existing_value` decodes and has expired at now_ms().
  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& existing_value,
              std::string* new_value, bool* value_changed) const override;

  const char* Name() const override { return "tt.storage.ttl_compaction_filter"; }

 private:
  now_ms_fn now_ms_;
};

} // namespace tt::storage
