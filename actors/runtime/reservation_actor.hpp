#pragma once
/// reservation_actor: one reservation (domain::reservation_state), spawned by its event's actor
/// when seats are held. Owns the reservation's rules: told to check its expiry (expire_atom, from
/// the event actor's backstop timer), it expires a lapsed hold and has the event release the
/// seats. Writes run one at a time (later ones wait in the actor's queue): decide, make the
/// change durable (snapshot + idempotency record in one batch), have the event actor move the
/// seats, then reply. Moves that take seats (commit, prolong) are asked of the event actor before
/// the store; releases go after it, inside the change it then tells the event actor
/// (reservation_changed, sent after every change: the event's read model for listing).

#include <caf/typed_actor.hpp>

#include "actors/runtime/message_types.hpp"
#include "actors/runtime/runtime_config.hpp"

namespace tt::actors {

using reservation_actor =
    caf::typed_actor<caf::replies_to<reservation_get>::with<reservation_reply>,
                     caf::replies_to<reservation_confirm_paid>::with<reservation_reply>,
                     caf::replies_to<reservation_cancel>::with<reservation_reply>,
                     caf::replies_to<reservation_extend>::with<reservation_reply>,
                     caf::replies_to<reservation_release>::with<reservation_reply>,
                     caf::replies_to<reservation_settle>::with<reservation_reply>,
                     caf::replies_to<reservation_refund>::with<reservation_reply>,
                     caf::replies_to<reservation_expire>::with<reservation_reply>,
                     caf::reacts_to<expire_atom>, caf::reacts_to<persisted>>;

/// `event` is the typed handle of the owning event actor (see event_actor.hpp), passed as a
/// plain actor to keep the two headers independent.
reservation_actor spawn_reservation(caf::actor_system& sys, caf::actor event,
                                    domain::reservation_state initial,
                                    std::vector<domain::seat_view> seats,
                                    std::shared_ptr<const runtime_config> config);

} // namespace tt::actors
