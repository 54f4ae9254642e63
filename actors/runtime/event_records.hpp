#pragma once
/// How an event's durable state is laid out in the snapshot store: reservation records, payment
/// intents and completed idempotency records under the event's key prefix ("<event_id>/..."), and
/// the event's definition under "event/<event_id>" (meta). Every value is a
/// tt.internal.v1.SnapshotEnvelope with format_version = snapshot_format_version. Seats are not
/// stored: they follow from the live reservations at recovery.

#include <string>
#include <vector>

#include "actors/common/result.hpp"
#include "actors/runtime/event_protocol.hpp"
#include "actors/runtime/payment_protocol.hpp"
#include "actors/runtime/record_envelope.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::actors {

/// A completed write, as kept for its idempotency key.
struct journal_entry {
  user_id user;
  idempotency_key key;
  uint64_t fingerprint = 0;
  std::string reply;
  timestamp expires_at;
};

/// The record of `scope`'s write answered with `reply` (encoded), kept until `expires_at`.
journal_entry journal_entry_of(const write_scope& scope, std::string reply, timestamp expires_at);

/// What recovery found for one event.
struct recovered_event {
  std::vector<domain::reservation_state> reservations;
  std::vector<domain::payment_state> payments;
  std::vector<journal_entry> journal;
};

storage::mutation reservation_mutation(const domain::reservation_state& state);
storage::mutation journal_mutation(const event_id& event, const journal_entry& entry);
storage::mutation payment_mutation(const event_id& event, const domain::payment_state& state);
storage::mutation event_mutation(const domain::event_definition& definition);

/// Every event definition stored (blocking: start-up only).
result<std::vector<domain::event_definition>> load_events(const storage::snapshot_store& store);

/// An event's reservations and live idempotency records (blocking: start-up only).
result<recovered_event> load_event_state(const storage::snapshot_store& store,
                                         const event_id& event);

} // namespace tt::actors
