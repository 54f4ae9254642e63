#pragma once
/// The shard region's state, shared by its files: shard_region.cpp (routing by event_id, the
/// idempotency keys' claims), shard_region_catalog.cpp (defining events) and
/// shard_region_queue.cpp (waiting rooms, maintenance). Internal to tt_actors.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "actors/domain/emergency.hpp"
#include "actors/domain/idempotency.hpp"
#include "actors/runtime/admission_actor.hpp"
#include "actors/runtime/durable_queue.hpp"
#include "actors/runtime/event_actor.hpp"
#include "actors/runtime/shard_region.hpp"

namespace tt::actors {

struct shard_region_state;
using region_pointer = shard_region::stateful_pointer<shard_region_state>;

/// Where a create_request goes: the event's admission actor when it has a waiting room, else
/// nowhere (null). gate_of, or the negative control's no_gate (negative_controls.cpp); chosen when
/// the region starts.
using gate_finder = admission_actor (*)(region_pointer, const event_id&);

struct shard_region_state {
  static inline const char* name = "shard_region";
  std::unordered_map<event_id, event_actor> events;
  /// The admission actors of the events that have an enabled waiting room.
  std::unordered_map<event_id, admission_actor> rooms;
  /// MAINTENANCE_MODE, STOP_ADMISSIONS for all, the circuit breakers; stored on every change.
  domain::emergency_switches emergency;
  /// The event each (user, key) was used for: the event actors keep the replies; this only keeps
  /// a key from running again on another event.
  domain::key_claims keys;
  std::shared_ptr<const runtime_config> config;
  durable_queue durable;
  gate_finder gate = nullptr;
};

// -- shard_region_catalog.cpp -------------------------------------------------------------------

/// Adds `d.definition`, or replaces the event of the same id if it has no reservations.
caf::result<event_defined> define(region_pointer self, const define_event& d);
/// Defines every event of a catalog; events that have reservations keep their definition.
caf::result<catalog_defined> define_all(region_pointer self, const define_catalog& c);
/// UpdateConfig's waiting-room settings: the event's actor stores them, then the room takes them.
caf::result<room_settings_updated> change_room(region_pointer self, const room_settings_update& u);
/// Stops the events of shards the cluster moved away, with their waiting rooms.
shards_released release(region_pointer self, const release_shards& r);

// -- shard_region_queue.cpp: waiting rooms, and the node's maintenance mode ---------------------

/// Gives `def`'s event (served by `holds`) the waiting room its definition asks for: a room that
/// already exists keeps its entries and takes the new policy and event actor; a new one starts
/// from `stored` (recovery) or empty; a room the definition no longer has is closed, and its
/// records (or `stored`'s) are deleted.
void add_room(region_pointer self, const domain::event_definition& def, const event_actor& holds,
              std::shared_ptr<const recovered_room> stored);

/// The guarded gate_finder: holds on an event with a waiting room need its admission.
admission_actor gate_of(region_pointer self, const event_id& event);

caf::result<entry_reply> route_join(region_pointer self, join_request req);
caf::result<entry_reply> route_entry(region_pointer self, entry_request req);
caf::result<entry_reply> route_watch(region_pointer self, queue_watch req);
caf::result<admission_reply> route_admission(region_pointer self, admission_request req);
caf::result<queue_stats_answer> gather_stats(region_pointer self, const queue_stats_query& q);
caf::result<admission_controlled> route_control(region_pointer self, const admission_control& c);
/// DRAIN_QUEUE: to the event's room.
caf::result<queue_drained> route_drain(region_pointer self, queue_drain d);

// -- shard_region_emergency.cpp: the circuit breakers, CANCEL_RESERVATIONS, stored switches ----

/// Reads the stored switches into the state (blocking, once, as the region starts).
void restore_switches(region_pointer self);
/// Stores the current switches, then runs `then` with the failure if the store refused them.
void store_switches(region_pointer self, std::function<void(std::optional<failure>)> then);
caf::result<breaker_state> switch_breaker(region_pointer self, const breaker_control& c);
caf::result<holds_cancelled> route_cancel_holds(region_pointer self, cancel_holds c);
/// CLEAR_CACHE: every event actor's answer, added up.
caf::result<cache_cleared> clear_caches(region_pointer self, const cache_clear& c);

// -- negative_controls.cpp ----------------------------------------------------------------------

/// Negative control only (unsafe_switches::skip_admission_check): holds bypass the rooms.
admission_actor no_gate(region_pointer self, const event_id& event);

/// Asks each of `targets` `msg` (each within `timeout`) and adds every answer to `init` with
/// `add`; the complete sum answers, or the first failure does.
template <class Answer, class Part, class Target, class Message, class Add>
caf::result<Answer> gather_from(region_pointer self, const std::vector<Target>& targets,
                                caf::timespan timeout, Message msg, Answer init, Add add) {
  if (targets.empty())
    return init;
  struct gather {
    Answer out;
    size_t pending = 0;
    bool failed = false;
  };
  auto g = std::make_shared<gather>(gather{std::move(init), targets.size(), false});
  auto promise = self->make_response_promise<Answer>();
  for (const auto& target : targets)
    self->request(target, timeout, msg)
        .then(
            [=](Part& part) mutable {
              add(g->out, part);
              if (--g->pending == 0 && !g->failed)
                promise.deliver(g->out);
            },
            [=](caf::error& err) mutable {
              if (!g->failed) { // the first failure answers
                g->failed = true;
                promise.deliver(err);
              }
            });
  return promise;
}

} // namespace tt::actors
