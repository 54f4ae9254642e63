#pragma once
/// The one way an RPC becomes an actor request: a short-lived request actor (one per call, as in
/// YDB) sends the message with the call's time budget and completes the call from the reply, so no
/// gRPC thread ever blocks on an actor. CAF errors (timeout, dead actor, domain rejection) are
/// mapped through status_mapping; the trace id is stamped by the call.

#include <memory>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "adapters/grpc/status_mapping.hpp"

namespace tt::adapters::rpc {

class call_bridge {
 public:
  explicit call_bridge(caf::actor_system& sys) : sys_(sys) {}

  /// Asks `target` with `msg...`; on a `Reply`, calls `on_reply(call, reply)`, which fills the
  /// response and calls `call.reply()` (or `call.fail()` when the reply itself says no).
  template <class Reply, class Call, class Handle, class OnReply, class... Ts>
  void ask(std::shared_ptr<Call> call, const Handle& target, OnReply on_reply, Ts... msg) const {
    sys_.spawn([call = std::move(call), target, on_reply = std::move(on_reply),
                msg...](caf::event_based_actor* self) mutable {
      self->request(target, call->timeout(), std::move(msg)...)
          .then([call, on_reply](Reply& reply) { on_reply(*call, reply); },
                [call](caf::error& err) { call->fail(from_caf_error(err)); });
    });
  }

 private:
  caf::actor_system& sys_;
};

} // namespace tt::adapters::rpc
