#pragma once
/// The shard region's state, shared by its two files: shard_region.cpp (events, reservations,
/// payments) and shard_region_queue.cpp (waiting rooms). Internal to tt_actors.

#include <string>
#include <unordered_map>

#include "actors/common/deadline_index.hpp"
#include "actors/common/segmented_map.hpp"
#include "actors/runtime/admission_actor.hpp"
#include "actors/runtime/durable_queue.hpp"
#include "actors/runtime/event_actor.hpp"
#include "actors/runtime/shard_region.hpp"

namespace tt::actors {

struct key_use {
  event_id event;
  timestamp expires_at;
  /// Entries of shard_region_state::key_deadlines that point here (deadline_index).
  uint32_t deadline_entries = 0;
};

struct shard_region_state {
  static inline const char* name = "shard_region";
  std::unordered_map<event_id, event_actor> events;
  /// The admission actors of the events that have an enabled waiting room.
  std::unordered_map<event_id, admission_actor> rooms;
  /// MAINTENANCE_MODE: new joins are refused with UNAVAILABLE.
  bool maintenance = false;
  /// A node-wide STOP_ADMISSIONS: every room is stopped, and rooms added later start stopped.
  bool all_stopped = false;
  /// "<user length>:<user>/<key>" -> the event the key was used for, for the key's TTL. The event
  /// actors keep the replies; this only keeps a key from running again on another event.
  /// Segmented: rehashing a million keys at once held every request of the node (segmented_map).
  using key_table = segmented_map<std::string, key_use>;
  key_table keys;
  /// The keys' deadlines, for the sweep: this actor routes every request of the node, so a
  /// sweep of the whole table (a million keys in a flash sale) held them all.
  deadline_index<key_table> key_deadlines;
  std::shared_ptr<const runtime_config> config;
  durable_queue durable;
};

using region_pointer = shard_region::stateful_pointer<shard_region_state>;

/// Gives `def`'s event (served by `holds`) the waiting room its definition asks for: a room that
/// already exists keeps its entries and takes the new policy and event actor; a new one starts
/// from `stored` (recovery) or empty; a room the definition no longer has is closed, and its
/// records (or `stored`'s) are deleted.
void add_room(region_pointer self, const domain::event_definition& def, const event_actor& holds,
              std::shared_ptr<const recovered_room> stored);

/// Where a create_request goes: the event's admission actor when it has a waiting room (and the
/// check is not disabled by the negative-control switch), else nowhere (null).
admission_actor gate_of(region_pointer self, const event_id& event);

caf::result<entry_reply> route_join(region_pointer self, join_request req);
caf::result<entry_reply> route_entry(region_pointer self, entry_request req);
caf::result<entry_reply> route_watch(region_pointer self, queue_watch req);
caf::result<admission_reply> route_admission(region_pointer self, admission_request req);
caf::result<queue_stats_answer> gather_stats(region_pointer self, const queue_stats_query& q);
caf::result<admission_controlled> route_control(region_pointer self, const admission_control& c);

} // namespace tt::actors
