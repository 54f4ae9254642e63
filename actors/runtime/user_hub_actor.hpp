#pragma once
/// user_hub_actor: the node's one user update hub (StreamReservationUpdates,
/// StreamPaymentUpdates, SendMessage). It keeps `user -> open streams` (each stream is one
/// subscriber actor, monitored: a closed stream's subscriber stops and the hub forgets it) and
/// pushes each change the node's event feed reports to the streams of the change's owner that
/// follow it. The feed is the Kafka lifecycle, payment and expiry topics read by every node
/// (adapters/kafka/update_feed.hpp), so a stream sees its user's changes whichever node made them.
///
/// It also tracks every live hold it heard of (owner and deadline) to push EXPIRING_SOON
/// `expiring_soon` before the deadline if the hold is still held then (an extension moves it),
/// and the last status of every open payment intent (the old_status of the next change).
/// Persists nothing: a restarted node's streams are new connections anyway. Logs its stream
/// count when it changes (`user streams: <n> open`).

#include <chrono>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/typed_actor.hpp>

#include "actors/common/clock.hpp"
#include "actors/runtime/message_types.hpp"

namespace tt::actors {

using user_hub_actor =
    caf::typed_actor<caf::replies_to<user_watch>::with<user_watching>,
                     caf::replies_to<message_delivery>::with<message_delivered>,
                     caf::reacts_to<reservation_seen>, caf::reacts_to<payment_seen>,
                     caf::reacts_to<hold_due>, caf::reacts_to<due_atom>>;

struct user_hub_settings {
  std::shared_ptr<const clock> time = std::make_shared<system_clock_source>();
  /// EXPIRING_SOON this long before a hold's deadline; zero: never.
  std::chrono::milliseconds expiring_soon{std::chrono::seconds{10}};
  /// A hold whose end the feed never reported is forgotten this long after its deadline (its
  /// lifecycle event normally comes within the expiry backstop).
  std::chrono::milliseconds forget_after{std::chrono::minutes{1}};
};

user_hub_actor spawn_user_hub(caf::actor_system& sys, user_hub_settings settings);

} // namespace tt::actors
