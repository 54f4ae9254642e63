#pragma once
/// event_actor: one event. Owns the event's seats (domain::event_inventory_state) and so
/// serialises every seat decision of the event: a hold of several seats is decided and applied in
/// one message, which is what makes it all-or-nothing and oversell impossible. Also owns the
/// event's idempotency records (scoped per user) and spawns one reservation_actor per
/// reservation, to which it routes reservation commands, and tells each live hold's actor when to
/// check its expiry (one timer for the event, not one per reservation). A new reservation is
/// acknowledged only once it and its idempotency record are durable (durable_queue).

#include <caf/typed_actor.hpp>

#include "actors/runtime/message_types.hpp"
#include "actors/runtime/runtime_config.hpp"

namespace tt::actors {

using event_actor =
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
                     caf::replies_to<seat_change>::with<std::vector<domain::seat_view>>,
                     caf::reacts_to<reservation_changed>, caf::reacts_to<listen_for_endings>,
                     caf::reacts_to<sweep_atom>, caf::reacts_to<passivate_atom>,
                     caf::reacts_to<due_atom>, caf::reacts_to<deferred_hold>,
                     caf::reacts_to<persisted>, caf::replies_to<effect_request>::with<effect_reply>,
                     caf::replies_to<payment_create_request>::with<payment_reply>,
                     caf::replies_to<payment_get>::with<payment_reply>,
                     caf::replies_to<payment_process>::with<payment_reply>,
                     caf::replies_to<payment_cancel>::with<payment_reply>,
                     caf::replies_to<payment_list_query>::with<payment_list_answer>,
                     caf::reacts_to<payment_changed>,
                     caf::replies_to<cancel_holds>::with<holds_cancelled>,
                     caf::replies_to<room_settings_update>::with<room_settings_updated>,
                     caf::replies_to<cache_clear>::with<cache_cleared>>;

/// `inventory` was created from a validated definition. `recovered` (may be null) is what the
/// snapshot store held for the event at start-up.
event_actor spawn_event(caf::actor_system& sys, domain::event_definition definition,
                        domain::event_inventory_state inventory,
                        std::shared_ptr<const runtime_config> config,
                        std::shared_ptr<const recovered_event> recovered = nullptr);

} // namespace tt::actors
