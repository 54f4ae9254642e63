#pragma once
/// payment_actor: one payment intent (domain::payment_state), spawned by its event's actor when
/// the intent is created. Owns the intent's rules and its two timers (settlement of a processing
/// payment, expiry of an open intent). Writes run one at a time: decide, make the new state and
/// the write's reply durable in one batch, then apply and reply. After each stored change it tells
/// the event actor (payment_changed) and publishes the change (payment topic), from which the
/// worker settles the reservation.

#include <caf/typed_actor.hpp>

#include "actors/runtime/message_types.hpp"
#include "actors/runtime/runtime_config.hpp"

namespace tt::actors {

using payment_actor = caf::typed_actor<caf::replies_to<payment_get>::with<payment_reply>,
                                       caf::replies_to<payment_process>::with<payment_reply>,
                                       caf::replies_to<payment_cancel>::with<payment_reply>,
                                       caf::reacts_to<settle_atom>, caf::reacts_to<expire_atom>,
                                       caf::reacts_to<persisted>>;

/// `event` is the owning event actor, as a plain actor (see reservation_actor.hpp).
payment_actor spawn_payment(caf::actor_system& sys, caf::actor event, domain::payment_state initial,
                            std::shared_ptr<const runtime_config> config);

} // namespace tt::actors
