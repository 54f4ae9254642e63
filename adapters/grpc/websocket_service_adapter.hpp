#pragma once
/// gateway.v1.WebSocketService. Actor entry points: the shard region, which routes a
/// StreamQueueUpdates subscription by the event its waiting token carries to the event's
/// admission actor (actors/runtime/admission_actor.hpp); the node's user update hub
/// (actors/runtime/user_hub_actor.hpp) for StreamReservationUpdates, StreamPaymentUpdates and
/// SendMessage. Each open stream owns one subscriber actor; the room or the hub pushes to it, it
/// pushes to the stream (server_stream.hpp), and the stream's close stops it, which the room or
/// hub sees (they monitor subscribers) and forgets. Queue streams are latest-state-wins (a
/// position is a full state); reservation and payment streams keep every change, up to
/// `max_pending_updates` behind, then end RESOURCE_EXHAUSTED (the client re-reads and reopens).
///
/// In a cluster (`peers` set), SendMessage reaches the user's streams on every node: the node it
/// reaches delivers to its own streams (its hub mints the message's id and time), then sends the
/// same request to every other live node, marked forwarded and carrying that id and time, and
/// each peer delivers to its own streams only. `delivered` says whether any stream on any node
/// took it; a peer that does not answer within the call's budget counts as none.

#include <caf/actor_system.hpp>

#include "actors/runtime/shard_region.hpp"
#include "actors/runtime/user_hub_actor.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/peer_fanout.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "proto/gateway/v1/websocket.pb.h"

namespace tt::adapters::rpc {

class websocket_service_adapter {
 public:
  websocket_service_adapter(rpc_service& service, caf::actor_system& sys, call_bridge bridge,
                            actors::shard_region region, actors::user_hub_actor hub,
                            size_t max_pending_updates, peer_fanout* peers);

 private:
  using queue_stream = server_stream<gateway::v1::StreamQueueUpdatesRequest,
                                     gateway::v1::StreamQueueUpdatesResponse>;
  using reservation_stream = server_stream<gateway::v1::StreamReservationUpdatesRequest,
                                           gateway::v1::StreamReservationUpdatesResponse>;
  using payment_stream = server_stream<gateway::v1::StreamPaymentUpdatesRequest,
                                       gateway::v1::StreamPaymentUpdatesResponse>;
  using message_call =
      unary_call<gateway::v1::SendMessageRequest, gateway::v1::SendMessageResponse>;

  void stream_queue_updates(std::shared_ptr<queue_stream> stream);
  void stream_reservation_updates(std::shared_ptr<reservation_stream> stream);
  void stream_payment_updates(std::shared_ptr<payment_stream> stream);
  void send_message(std::shared_ptr<message_call> call);
  /// Sends what `call` delivered here to the other nodes' streams, then replies.
  void send_to_peers(std::shared_ptr<message_call> call, const actors::message_delivered& sent,
                     std::chrono::steady_clock::time_point until);

  caf::actor_system& sys_;
  call_bridge bridge_;
  actors::shard_region region_;
  actors::user_hub_actor hub_;
  size_t max_pending_updates_;
  peer_fanout* peers_; // not owned; null on a node on its own
};

} // namespace tt::adapters::rpc
