#pragma once
/// The waiting room's messages (QueueService, EmergencyAction): what the adapters ask the shard
/// region, which routes them to the event's admission actor by event id or by the event a
/// waiting token carries. Local to a node, like the reservation path's messages.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/typed_actor.hpp>

#include "actors/common/ids.hpp"
#include "actors/domain/waiting_room.hpp"

namespace tt::actors {

/// JoinQueue: idempotent per (event, user, session).
struct join_request {
  event_id event;
  user_id user;
  session_id session;
};

/// GetQueueStatus (which also counts as the client's heartbeat) and LeaveQueue.
enum class entry_action : uint8_t { status, leave };
struct entry_request {
  waiting_token_id token;
  entry_action action = entry_action::status;
};
/// A one-off word from the operator that a stream update carries once (issue #31): the line's
/// capacity changed (UpdateConfig), or a drain released the entry (its last update).
/// capacity_changed also covers the seats an operator's CANCEL_RESERVATIONS put back on sale.
enum class line_notice : uint8_t { none, capacity_changed, released };

/// The entry after the request; `position` is unset (default) once it left.
struct entry_reply {
  waiting_token_id token;
  domain::queue_position position;
  timestamp at;
  /// The node is in maintenance (EmergencyAction MAINTENANCE_MODE): no new joins.
  bool maintenance = false;
  line_notice notice = line_notice::none;
  /// What the notice tells the user; empty without one.
  std::string notice_text{};
};

/// StreamQueueUpdates: from now on `subscriber` gets a queue_changed whenever the entry's
/// position, ETA, readiness, the line's halt (position.halt) or maintenance changes, until the
/// entry is ready or gone (the last push) or the subscriber is down (the room monitors it). The
/// reply is the entry now; while subscribed, the stream counts as the client's heartbeat. `gone`:
/// the entry left or expired (its `entry.position` is unset).
struct queue_changed {
  entry_reply entry;
  bool gone = false;
};
using queue_subscriber = caf::typed_actor<caf::reacts_to<queue_changed>>;
struct queue_watch {
  waiting_token_id token;
  queue_subscriber subscriber;
};

/// RequestAdmission. `stated_event` (may be empty) must be the event the token carries.
struct admission_request {
  waiting_token_id token;
  event_id stated_event;
  user_id user;
};
struct admission_reply {
  std::string reservation_token;
  timestamp valid_until;
  std::chrono::milliseconds ttl{0}; // valid_until - now, as of the grant's reply
};

/// GetQueueStats: one room, or every room of the node when `event` is empty.
struct queue_stats_query {
  event_id event;
};
struct room_stats {
  event_id event;
  domain::waiting_room_stats stats;
  uint32_t max_active = 0;
};
struct queue_stats_answer {
  std::vector<room_stats> rooms;
  timestamp as_of;
};

/// EmergencyAction: STOP_ADMISSIONS and its undo per event (or every room when `event` is
/// empty), MAINTENANCE_MODE on and off (node-wide: new joins are refused).
enum class admission_switch : uint8_t { stop, resume, maintenance_on, maintenance_off };
/// From the shard region to a room whose event got a new definition (and a new event actor).
struct room_rebind {
  caf::actor holds;
  domain::waiting_room_policy policy;
};

struct admission_control {
  admission_switch action = admission_switch::stop;
  event_id event;
};
struct admission_controlled {
  /// How many waiting rooms the action reached.
  int32_t rooms = 0;
};

/// TriggerOperation DRAIN_QUEUE for `event`'s room: new joins stop and everyone waiting is
/// admitted or released (domain::drain_line); `reopen` takes joins again. A dry run decides
/// without applying: it counts and changes nothing.
enum class drain_action : uint8_t { admit, release, reopen };
struct queue_drain {
  event_id event;
  drain_action action = drain_action::release;
  bool dry_run = false;
};
/// From the shard region to an event's room: the operator's word for everyone waiting, said
/// once on their streams (line_notice::capacity_changed).
struct operator_notice {
  std::string text;
};

struct queue_drained {
  uint64_t admitted = 0;
  uint64_t released = 0;
  /// Whether the room refuses new joins afterwards (would, for a dry run).
  bool joins_closed = false;
};

} // namespace tt::actors
