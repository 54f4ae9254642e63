#pragma once
/// The user update hub's pushes as gateway.v1 stream responses (StreamReservationUpdates,
/// StreamPaymentUpdates); the stream stamps an update's correlation_id with its trace id, as
/// StreamQueueUpdates does. A SendMessage message rides on either stream as type
/// EVENT_TYPE_MESSAGE: the responses have no message body of their own, so the update's `message`
/// string carries it as a JSON object (message_id, type, priority, title, content, data) and
/// `correlation_id` is the message_id SendMessage answered (README, design notes).

#include "actors/runtime/user_update_protocol.hpp"
#include "proto/gateway/v1/websocket.pb.h"

namespace tt::adapters::rpc {

void to_proto(const actors::reservation_update& u,
              gateway::v1::StreamReservationUpdatesResponse& out);
void to_proto(const actors::payment_update& u, gateway::v1::StreamPaymentUpdatesResponse& out);
void to_proto(const actors::user_message& m, gateway::v1::StreamReservationUpdatesResponse& out);
void to_proto(const actors::user_message& m, gateway::v1::StreamPaymentUpdatesResponse& out);

/// The JSON text a message travels as (invalid UTF-8 is replaced, never thrown on).
std::string message_json(const actors::user_message& m);

} // namespace tt::adapters::rpc
