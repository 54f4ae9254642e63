#pragma once
/// The envelope every stored value travels in (tt.internal.v1.SnapshotEnvelope: format version,
/// entity type, the state as an Any; the record's key names the entity), and reading records back
/// out of the store. Shared by the event's records (event_records) and the waiting room's
/// (room_records).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/common/result.hpp"
#include "actors/runtime/errors.hpp"
#include "proto/tt/internal/v1/snapshots.pb.h"
#include "storage/snapshot_store.hpp"

namespace tt::actors {

/// The snapshot format the writers write; recovery refuses records of a newer one. Format 2 left
/// out what the key already says (the envelope's entity id, a queue entry's token). Its readers
/// read format 1 too, which only carried those fields twice; a format-1 reader would have read a
/// format-2 queue entry with no token, so 2 is what makes it refuse instead.
constexpr uint32_t snapshot_format_version = 2;

/// `state` in an envelope of the current format, serialized.
std::string envelope(const char* type, const google::protobuf::Message& state);

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

/// Visits every record of `kind` under `prefix` as (key, record decoded as `Record`); stops at the
/// first error.
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
    visit(key, *record);
    return true;
  });
  if (err)
    return storage_failure(*err);
  if (bad)
    return *bad;
  return {};
}

} // namespace tt::actors
