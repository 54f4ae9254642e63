#pragma once
/// The shard region's operator messages beyond STOP_ADMISSIONS and MAINTENANCE_MODE
/// (queue_protocol.hpp): the circuit breaker (domain/emergency.hpp says what it refuses),
/// CANCEL_RESERVATIONS and UpdateConfig's waiting-room settings, which the region passes to the
/// event's actor.

#include <cstdint>
#include <string>
#include <vector>

#include "actors/common/ids.hpp"
#include "actors/domain/room_settings.hpp"

namespace tt::actors {

enum class breaker_switch : uint8_t { open, close };

/// CIRCUIT_BREAKER for `event`, or for the whole node when `event` is empty.
struct breaker_control {
  breaker_switch action = breaker_switch::open;
  event_id event;
};
/// The breakers after a change, as stored.
struct breaker_state {
  bool node_open = false;
  /// How many events have their own breaker open.
  int32_t events_open = 0;
};

/// CANCEL_RESERVATIONS for `event`: every hold not yet paid for is released for its owner, and
/// the change published like the owner's own release. `trace_id` goes on those events.
struct cancel_holds {
  event_id event;
  std::string reason;
  std::string trace_id;
};
struct holds_cancelled {
  int32_t cancelled = 0;
  /// Holds the release did not end (one lapsing at the same moment, a store failure): each
  /// with its reason in `problems` (the first few).
  int32_t not_cancelled = 0;
  /// Confirmed sales, left as they are.
  int32_t sales_untouched = 0;
  std::vector<std::string> problems;
};

/// TriggerOperation CLEAR_CACHE: every event actor stops the actors of its reservations that
/// hold nothing and have no request in flight, at once rather than after passivate_after. Their
/// state stays in the event's read model, as stored, and the next request spawns them again.
/// A dry run only counts.
struct cache_clear {
  bool dry_run = false;
};
struct cache_cleared {
  int32_t events = 0;
  /// Reservation actors stopped (a dry run: that would be).
  int64_t passivated = 0;
  /// Reservation actors that stay: holds (they own their expiry) and those with work in flight.
  int64_t kept = 0;
  /// Reservations already passivated before the call.
  int64_t already_passivated = 0;
};

/// UpdateConfig of an event's waiting-room inlet: stored with the event's definition, then the
/// room takes the new policy.
struct room_settings_update {
  event_id event;
  domain::room_settings_change change;
};
struct room_settings_updated {
  domain::waiting_room_settings before;
  domain::waiting_room_settings after;
};

} // namespace tt::actors
