#pragma once
/// gateway.v1.WebSocketService. Actor entry point: the shard region, which routes a
/// StreamQueueUpdates subscription by the event its waiting token carries to the event's
/// admission actor (actors/runtime/admission_actor.hpp). Each open stream owns one subscriber
/// actor; the room pushes to it, it pushes to the stream (latest state wins, server_stream.hpp),
/// and the stream's close stops it, which the room sees (it monitors subscribers) and forgets.
/// StreamReservationUpdates, StreamPaymentUpdates and SendMessage are not bound yet: they answer
/// UNIMPLEMENTED.

#include <caf/actor_system.hpp>

#include "actors/runtime/shard_region.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "proto/gateway/v1/websocket.pb.h"

namespace tt::adapters::rpc {

class websocket_service_adapter {
 public:
  websocket_service_adapter(rpc_service& service, caf::actor_system& sys,
                            actors::shard_region region);

 private:
  using queue_stream = server_stream<gateway::v1::StreamQueueUpdatesRequest,
                                     gateway::v1::StreamQueueUpdatesResponse>;
  void stream_queue_updates(std::shared_ptr<queue_stream> stream);

  caf::actor_system& sys_;
  actors::shard_region region_;
};

} // namespace tt::adapters::rpc
