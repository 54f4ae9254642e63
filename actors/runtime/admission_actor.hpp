#pragma once
/// admission_actor: one event's waiting room (domain::waiting_room_state), spawned by the shard
/// region next to the event's actor when the event's catalog entry has an enabled waiting room.
/// It mints waiting tokens (`w-<shard>-<event>-<ulid>`, so every later call routes back here),
/// signs reservation tokens with the node's admission secret, and gates the event's holds: a
/// CreateReservation for the event comes here first, the token is verified and locked, the hold is
/// asked of the event actor, and the token is spent only if the hold succeeded (a hold refused
/// because the seats are gone leaves the admission usable until it expires). A periodic tick
/// (queue.tick_ms) moves the serving counter, expires idle entries and pushes each watched
/// entry's change to its stream's subscriber (queue_watch); the subscriber count is logged when
/// it changes.
///
/// Durable like the event's writes (room_records): a join, a leave, a grant, a spent token and a
/// STOP/RESUME are answered only once stored; expiries, advances and finishes are stored without
/// anyone waiting. A restart brings the room back (recovery) with fresh heartbeats. The shard
/// region owns its lifetime: a replaced definition keeps the room (room_rebind), a definition
/// without one closes it (close_atom: its records are deleted, then it stops). The event actor
/// reports when a reservation stops holding (reservation_ended): the admission it came through
/// stops counting against the cap of active users at once.

#include <caf/typed_actor.hpp>

#include "actors/runtime/event_actor.hpp"
#include "actors/runtime/message_types.hpp"
#include "actors/runtime/room_records.hpp"
#include "actors/runtime/runtime_config.hpp"

namespace tt::actors {

using admission_actor =
    caf::typed_actor<caf::replies_to<join_request>::with<entry_reply>,
                     caf::replies_to<entry_request>::with<entry_reply>,
                     caf::replies_to<queue_watch>::with<entry_reply>,
                     caf::replies_to<admission_request>::with<admission_reply>,
                     caf::replies_to<create_request>::with<reservation_reply>,
                     caf::replies_to<queue_stats_query>::with<room_stats>,
                     caf::replies_to<admission_control>::with<admission_controlled>,
                     caf::replies_to<queue_drain>::with<queue_drained>, caf::reacts_to<tick_atom>,
                     caf::reacts_to<reservation_ended>, caf::reacts_to<stock_report>,
                     caf::reacts_to<room_rebind>, caf::reacts_to<close_atom>,
                     caf::reacts_to<persisted>, caf::reacts_to<operator_notice>>;

/// The room's policy: the node's defaults (config->queue.defaults) with the catalog block's
/// non-zero numbers.
domain::waiting_room_policy policy_of(const domain::waiting_room_settings& settings,
                                      const domain::waiting_room_policy& defaults);

/// `holds` is the event's actor, which the room gates. `stopped`: the room starts with
/// admissions stopped (a node-wide STOP_ADMISSIONS is in force). `stored`: what recovery found
/// for the room, or null for an empty one.
admission_actor spawn_admission(caf::actor_system& sys, event_id event,
                                domain::waiting_room_policy policy, event_actor holds,
                                std::shared_ptr<const runtime_config> config, bool stopped,
                                std::shared_ptr<const recovered_room> stored);

} // namespace tt::actors
