#pragma once
/// The one conversion from a RocksDB status to storage_error, used at every RocksDB call site.

#include <rocksdb/status.h>
#include <string_view>

#include "storage/errc.hpp"

namespace tt::storage {

/// Precondition: !status.ok(). `context` names the operation ("open /data/db", "write batch").
storage_error from_status(const rocksdb::Status& status, std::string_view context);

} // namespace tt::storage
