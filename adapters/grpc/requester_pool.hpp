#pragma once
/// A few long-lived actors that make the RPCs' actor requests (see call_bridge). A gRPC thread
/// hands one of them a `request_job`; the actor runs it, which sends the request, and later
/// runs the reply handler the job registered. A short-lived actor per call would cost a spawn
/// and, when it ends, a trip through CAF 0.17's one clock thread: every actor's cleanup queues a
/// "cancel my timeouts" there, whether it set any or not (`perf` of a JoinQueue run put 7 % of
/// the node's CPU in that push and its wake-ups). A pool keeps each actor's outstanding requests
/// few, which matters because CAF 0.17 keeps them in a vector searched on every answer.

#include <atomic>
#include <cstddef>
#include <functional>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>

namespace tt::adapters::rpc {

/// Runs on a pool actor: sends a request with `self` as the requester.
struct request_job {
  std::function<void(caf::event_based_actor* self)> run;
};

class requester_pool {
 public:
  /// Spawns `size` actors (at least one) in `sys`.
  requester_pool(caf::actor_system& sys, size_t size);
  /// Stops the actors: their outstanding requests are dropped (the calls' budgets still end
  /// them), so this comes after the gRPC server drained.
  ~requester_pool();
  requester_pool(const requester_pool&) = delete;
  requester_pool& operator=(const requester_pool&) = delete;

  /// Hands `job` to the next actor, round robin. Any thread.
  void submit(request_job job);

  size_t size() const noexcept { return actors_.size(); }

 private:
  std::vector<caf::actor> actors_;
  std::atomic<size_t> next_{0};
};

} // namespace tt::adapters::rpc

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::adapters::rpc::request_job)
