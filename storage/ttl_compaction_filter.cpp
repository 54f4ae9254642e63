#include "storage/ttl_compaction_filter.hpp"

#include <utility>

#include "storage/snapshot_codec.hpp"

namespace tt::storage {

ttl_compaction_filter::ttl_compaction_filter(now_ms_fn now_ms) : now_ms_(std::move(now_ms)) {}

bool ttl_compaction_filter::Filter(int /*level*/, const rocksdb::Slice& /*key*/,
                                   const rocksdb::Slice& existing_value, std::string* /*new_value*/,
                                   bool* /*value_changed*/) const {
  auto decoded = decode_record(std::string_view(existing_value.data(), existing_value.size()));
  auto* record = std::get_if<record_view>(&decoded);
  return record != nullptr && is_expired(*record, now_ms_());
}

} // namespace tt::storage
