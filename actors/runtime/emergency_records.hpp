#pragma once
/// How the node's emergency switches are stored: one record, "emergency/node" (meta), a
/// SnapshotEnvelope like every other record. Written by the shard region on every change and read
/// when it starts, so a restart keeps maintenance, STOP_ADMISSIONS for all and the breakers.

#include "actors/common/result.hpp"
#include "actors/domain/emergency.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::actors {

storage::mutation emergency_mutation(const domain::emergency_switches& switches);

/// The stored switches, all off when nothing is stored (blocking: start-up only).
result<domain::emergency_switches> load_emergency(const storage::snapshot_store& store);

} // namespace tt::actors
