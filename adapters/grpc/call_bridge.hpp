#pragma once
/// The one way an RPC becomes an actor request: one of a few long-lived requester actors
/// (requester_pool.hpp says why not one per call) sends the message and completes the call from
/// the reply, so no gRPC thread ever blocks on an actor. The call's time budget is watched by
/// call_deadlines. CAF errors (dead actor, domain rejection) and an expired budget are mapped
/// through status_mapping; the trace id is stamped by the call.

#include <memory>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "adapters/grpc/call_deadlines.hpp"
#include "adapters/grpc/requester_pool.hpp"
#include "adapters/grpc/status_mapping.hpp"

namespace tt::adapters::rpc {

class call_bridge {
 public:
  /// Enough requesters for both scheduler threads of a small machine to stay busy while each
  /// keeps only a handful of requests outstanding at the benchmark's 64 calls in flight.
  static constexpr size_t requesters = 32;

  /// `time` keeps the calls' budgets: the node's one clock.
  call_bridge(caf::actor_system& sys, std::shared_ptr<const clock> time)
      : pool_(std::make_shared<requester_pool>(sys, requesters)),
        deadlines_(std::make_shared<call_deadlines>(std::move(time))) {}

  /// Asks `target` with `msg...`; on a `Reply`, calls `on_reply(call, reply)`, which fills the
  /// response and calls `call.reply()` (or `call.fail()` when the reply itself says no). Past the
  /// call's budget it fails DEADLINE_EXCEEDED, whatever the actor does later.
  template <class Reply, class Call, class Handle, class OnReply, class... Ts>
  void ask(std::shared_ptr<Call> call, const Handle& target, OnReply on_reply, Ts... msg) const {
    auto ticket = deadlines_->watch(call->timeout(), [weak = std::weak_ptr<Call>{call}] {
      if (auto c = weak.lock())
        c->fail(from_caf_error(caf::make_error(caf::sec::request_timeout)));
    });
    // No CAF timeout: the budget is watched above (call_deadlines.hpp says why). The actors
    // always answer, and CAF answers for a dead one, so no request stays outstanding for good.
    pool_->submit({[call = std::move(call), target, on_reply = std::move(on_reply),
                    deadlines = deadlines_, ticket, msg...](caf::event_based_actor* self) mutable {
      self->request(target, caf::infinite, std::move(msg)...)
          .then(
              [call, on_reply, deadlines, ticket](Reply& reply) {
                deadlines->answered(ticket);
                on_reply(*call, reply);
              },
              [call, deadlines, ticket](caf::error& err) {
                deadlines->answered(ticket);
                call->fail(from_caf_error(err));
              });
    }});
  }

 private:
  std::shared_ptr<requester_pool> pool_;
  std::shared_ptr<call_deadlines> deadlines_;
};

} // namespace tt::adapters::rpc
