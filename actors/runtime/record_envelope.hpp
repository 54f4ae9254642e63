#pragma once
/// The envelope every stored value travels in (tt.internal.v1.SnapshotEnvelope: format version,
/// entity type and id, the state as an Any), and reading records back out of the store. Shared by
/// the event's records (event_records) and the waiting room's (room_records).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/common/result.hpp"
#include "actors/runtime/errors.hpp"
#include "proto/tt/internal/v1/snapshots.pb.h"
#include "storage/snapshot_store.hpp"

namespace tt::actors {

/// The snapshot format the writers write; recovery refuses records of a newer one.
constexpr uint32_t snapshot_format_version = 1;

/// `state` in an envelope of the current format, serialized.
std::string envelope(const char* type, const std::string& id,
                     const google::protobuf::Message& state);

/// The state inside a stored envelope, or why it cannot be read.
template <class Record>
result<Record> open_envelope(std::string_view key, std::string_view bytes) {
  tt::internal::v1::SnapshotEnvelope e;
  Record out;
  if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return fail(errc::data_corruption, "stored record " + std::string(key) + " does not parse");
  if (e.format_version() > snapshot_format_version)
    return fail(errc::data_corruption, "stored record " + std::string(key) +
                                           " was written by a newer version (format " +
                                           std::to_string(e.format_version()) + ")");
  if (!e.state().UnpackTo(&out))
    return fail(errc::data_corruption,
                "stored record " + std::string(key) + " holds an unexpected type");
  return out;
}

/// Visits every record of `kind` under `prefix`, decoded as `Record`; stops at the first error.
template <class Record, class Visit>
result<void> scan_records(const storage::snapshot_store& store, storage::entity_kind kind,
                          const std::string& prefix, Visit visit) {
  std::optional<failure> bad;
  auto err = store.scan(kind, prefix, [&](std::string_view key, std::string_view value) {
    auto record = open_envelope<Record>(key, value);
    if (!record) {
      bad = record.error();
      return false;
    }
    visit(*record);
    return true;
  });
  if (err)
    return storage_failure(*err);
  if (bad)
    return *bad;
  return {};
}

} // namespace tt::actors
