#pragma once
/// shard_region: the node's entry point to the reservation path. Knows every event actor of the
/// node by event id and routes each request to the owner: by `event_id`, or by the event a
/// minted reservation id carries. Requests are forwarded with `delegate`, so the owner answers
/// the caller directly. Adds and replaces events (catalog), gathers a user's reservations
/// across the node's events for listing, and remembers which event each (user, idempotency key)
/// was used for, so that a key reused on another event is a conflict, not a second execution.
/// Events with a waiting room get an admission actor beside their event actor: queue requests
/// go to it, and so do the event's holds, which it gates by reservation token
/// (admission_actor.hpp). Keeps the node's emergency switches (domain/emergency.hpp: maintenance,
/// STOP_ADMISSIONS for all, which rooms created later inherit, and the circuit breakers, which it
/// applies to every client write it routes), stored so that a restart keeps them.

#include <caf/typed_actor.hpp>

#include "actors/runtime/message_types.hpp"
#include "actors/runtime/runtime_config.hpp"

namespace tt::actors {

using shard_region =
    caf::typed_actor<caf::replies_to<availability_query>::with<availability_answer>,
                     caf::replies_to<status_query>::with<status_answer>,
                     caf::replies_to<create_request>::with<reservation_reply>,
                     caf::replies_to<reservation_get>::with<reservation_reply>,
                     caf::replies_to<reservation_confirm>::with<reservation_reply>,
                     caf::replies_to<reservation_cancel>::with<reservation_reply>,
                     caf::replies_to<reservation_extend>::with<reservation_reply>,
                     caf::replies_to<reservation_release>::with<reservation_reply>,
                     caf::replies_to<list_query>::with<list_answer>,
                     caf::replies_to<define_event>::with<event_defined>,
                     caf::replies_to<define_catalog>::with<catalog_defined>,
                     caf::replies_to<release_shards>::with<shards_released>,
                     caf::replies_to<payment_create_request>::with<payment_reply>,
                     caf::replies_to<payment_get>::with<payment_reply>,
                     caf::replies_to<payment_process>::with<payment_reply>,
                     caf::replies_to<payment_cancel>::with<payment_reply>,
                     caf::replies_to<payment_list_query>::with<payment_list_answer>,
                     caf::reacts_to<sweep_atom>, caf::reacts_to<persisted>,
                     caf::replies_to<effect_request>::with<effect_reply>,
                     caf::replies_to<join_request>::with<entry_reply>,
                     caf::replies_to<entry_request>::with<entry_reply>,
                     caf::replies_to<queue_watch>::with<entry_reply>,
                     caf::replies_to<admission_request>::with<admission_reply>,
                     caf::replies_to<queue_stats_query>::with<queue_stats_answer>,
                     caf::replies_to<admission_control>::with<admission_controlled>,
                     caf::replies_to<breaker_control>::with<breaker_state>,
                     caf::replies_to<cancel_holds>::with<holds_cancelled>,
                     caf::replies_to<room_settings_update>::with<room_settings_updated>,
                     caf::replies_to<queue_drain>::with<queue_drained>,
                     caf::replies_to<cache_clear>::with<cache_cleared>>;

shard_region spawn_shard_region(caf::actor_system& sys,
                                std::shared_ptr<const runtime_config> config);

/// Largest page ListReservations returns.
constexpr int32_t max_page_size = 100;

} // namespace tt::actors
