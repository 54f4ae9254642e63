#pragma once
/// The user update hub's messages (gateway.v1.WebSocketService StreamReservationUpdates,
/// StreamPaymentUpdates, SendMessage): what the node's event feed tells the hub, how a stream's
/// subscriber signs up, and what the hub pushes to it. Local to a node, like every actor message.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/common/clock.hpp"
#include "actors/common/ids.hpp"
#include "actors/domain/payment.hpp"
#include "actors/domain/reservation.hpp"

namespace tt::actors {

/// What one stream follows.
enum class stream_topic : uint8_t { reservations, payments };

/// Why a reservation update is pushed: its status changed, its hold got a new deadline
/// (ExtendHold), or its hold ends within the configured lead time and it is still held.
enum class reservation_change : uint8_t { status, extended, expiring_soon };

struct reservation_update {
  reservation_id reservation;
  /// The status before: fixed by the state machine (every change but creation leaves HOLD, a
  /// refund leaves CONFIRMED), so the hub needs no memory of it.
  domain::reservation_status old_status = domain::reservation_status::unspecified;
  domain::reservation_status new_status = domain::reservation_status::unspecified;
  timestamp hold_expires_at;
  reservation_change change = reservation_change::status;
  timestamp at;
};

struct payment_update {
  payment_intent_id intent;
  /// unspecified when the hub never saw the intent before (created before the node started).
  domain::payment_status old_status = domain::payment_status::unspecified;
  domain::payment_status new_status = domain::payment_status::unspecified;
  std::string failure_reason;
  timestamp at;
};

/// SendMessage's content, as every stream that takes it receives it.
struct user_message {
  std::string message_id;
  /// The contract's MessageType and MessagePriority numbers.
  int32_t type = 0;
  int32_t priority = 0;
  std::string title;
  std::string content;
  std::map<std::string, std::string> data;
  timestamp sent_at;
};

/// A status change for the subscriber's stream (already filtered to what it follows).
struct update_pushed {
  std::variant<reservation_update, payment_update> update;
};
/// A message for the subscriber's stream; the reply says whether the stream took it.
struct message_pushed {
  user_message message;
};
using user_subscriber =
    caf::typed_actor<caf::reacts_to<update_pushed>, caf::replies_to<message_pushed>::with<bool>>;

/// A stream signs up: from the reply on, `subscriber` is pushed the user's changes of `topic`
/// (only those of `ids`, when not empty) until it is down (the hub monitors it).
struct user_watch {
  user_id user;
  session_id session;
  stream_topic topic = stream_topic::reservations;
  std::vector<std::string> ids;
  user_subscriber subscriber;
};
struct user_watching {
  /// Open streams of the node, this one included.
  size_t streams = 0;
};

/// From the event feed: a reservation's whole record as its lifecycle event carries it (its
/// creation, a new status, or an extension: a hold with a new deadline).
struct reservation_seen {
  domain::reservation_state record;
  timestamp at;
};
/// From the event feed: a payment intent's whole record as its payment event carries it.
struct payment_seen {
  domain::payment_state record;
  timestamp at;
};

/// SendMessage: to every open stream of `user` (only those opened with `session`, if set). The
/// hub mints the message's id and time, unless `message_id` is set: a copy of a message another
/// node of the cluster minted keeps that node's id and `sent_at`.
struct message_delivery {
  user_id user;
  session_id session;
  user_message message;
};
struct message_delivered {
  /// How many streams took it.
  int32_t streams = 0;
  std::string message_id;
  timestamp sent_at;
};

/// The hub's own check of `reservation`'s hold, whose deadline is `expires_at`: its warning, or
/// forgetting it, is due.
struct hold_due {
  reservation_id reservation;
  timestamp expires_at;
};

} // namespace tt::actors
