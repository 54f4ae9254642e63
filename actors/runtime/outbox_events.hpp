#pragma once
/// The domain events actors publish, kept in the outbox until the broker has them (transactional
/// outbox: the rows go into the same atomic batch as the state change they report), and how a
/// consumer reads one back. Lifecycle events carry the reservation's whole record, payment events
/// the intent's, expiry events the deadline: a consumer needs nothing else.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "actors/common/result.hpp"
#include "actors/domain/payment.hpp"
#include "actors/domain/reservation.hpp"
#include "actors/runtime/event_publisher.hpp"
#include "actors/runtime/runtime_config.hpp"

namespace tt::actors {

/// Each builder takes the trace id of the call that caused the event (empty for timers and the
/// worker's effects), so one request can be followed from the RPC into the topics.

/// "reservation.created" for a new hold, else "reservation.<status>".
outbound_event lifecycle_event(const domain::reservation_state& r, const ulid& unique, timestamp at,
                               const std::string& trace_id);
/// "reservation.extended": a hold with a new deadline (the status stays, so lifecycle_event has
/// no name for it); streams learn of extensions from it.
outbound_event extension_event(const domain::reservation_state& r, const ulid& unique, timestamp at,
                               const std::string& trace_id);
/// "hold.expiry": the worker ends the hold at r.hold_expires_at unless it moved on by then.
outbound_event expiry_event(const domain::reservation_state& r, const ulid& unique, timestamp at,
                            const std::string& trace_id);
/// "payment.<status>", keyed by the intent's reservation.
outbound_event payment_event(const domain::payment_state& p, const ulid& unique, timestamp at,
                             const std::string& trace_id);

/// With a publisher configured, adds the outbox rows of `events` (under `owner`'s prefix) to
/// `batch` and returns the events to publish once the batch is durable; without one, none.
std::vector<outbound_event> stage_events(const runtime_config& config, const event_id& owner,
                                         std::vector<outbound_event> events,
                                         std::vector<storage::mutation>& batch);
/// The outbox owner of the worker's dead letters: the node's own, of no event (nor shard).
inline constexpr std::string_view dead_letter_owner = "dead-letters";

/// Adds the outbox rows of `events` under `owner`'s prefix to `batch` (sets each outbox_key).
void add_outbox_rows(const std::string& owner, std::vector<outbound_event>& events,
                     std::vector<storage::mutation>& batch);
/// Hands staged events to the publisher (after their batch is durable).
void publish_staged(const runtime_config& config, std::vector<outbound_event> events);

/// Every event still in the outbox under `owner_prefix` ("<event id>/"; all when empty), in key
/// order (start-up, or a cluster node gaining a shard: blocking).
result<std::vector<outbound_event>> load_outbox(const storage::snapshot_store& store,
                                                std::string_view owner_prefix = {});
/// Deletes the outbox row of an acknowledged event.
storage::mutation outbox_delete(const std::string& outbox_key);

struct hold_expiry_notice {
  reservation_id reservation;
  event_id event;
  timestamp expires_at;
};

/// An event as a consumer reads it.
struct decoded_event {
  std::string event_id;
  std::string event_type;
  timestamp occurred_at;
  std::string trace_id;
  std::variant<domain::reservation_state, domain::payment_state, hold_expiry_notice> body;
};

/// errc::invalid_argument for bytes that are not one of our envelopes (a poison event).
result<decoded_event> decode_event(std::string_view envelope);

} // namespace tt::actors
