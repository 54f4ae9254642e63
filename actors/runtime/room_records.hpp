#pragma once
/// How a waiting room is laid out in the snapshot store (README, "Waiting rooms are stored"): one
/// record per entry under "<event_id>/<waiting token>" (queue_entry), and the room's own numbers
/// under "<event_id>/room" (event_counters). Values are SnapshotEnvelopes like the event's records.

#include <optional>
#include <string>
#include <vector>

#include "actors/common/ids.hpp"
#include "actors/common/result.hpp"
#include "actors/domain/waiting_room.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::actors {

/// What the admission actor keeps beside an admission its holder spent: the hold it paid for.
struct spent_admission {
  idempotency_key key;
  reservation_id reservation;
  /// The latest the hold can end; the admission is finished then if its end was never reported.
  timestamp finish_by;
};

struct recovered_entry {
  domain::stored_entry entry;
  std::optional<spent_admission> spent;
};

/// What recovery found for one event's waiting room.
struct recovered_room {
  domain::stored_room numbers;
  std::vector<recovered_entry> entries;
};

storage::mutation entry_mutation(const event_id& event, const domain::stored_entry& entry,
                                 const spent_admission* spent);
storage::mutation entry_deletion(const event_id& event, const waiting_token_id& token);
storage::mutation room_numbers_mutation(const event_id& event, const domain::stored_room& numbers);
/// Everything `room` holds, deleted: for a room that closes.
std::vector<storage::mutation> room_deletion(const event_id& event,
                                             const std::vector<waiting_token_id>& tokens);

/// The event's stored room, nullopt when nothing is stored (blocking: start-up only).
result<std::optional<recovered_room>> load_room(const storage::snapshot_store& store,
                                                const event_id& event);

} // namespace tt::actors
