#include "adapters/grpc/requester_pool.hpp"

#include <algorithm>

#include <caf/send.hpp>

namespace tt::adapters::rpc {

namespace {

caf::behavior requester(caf::event_based_actor* self) {
  return {
      [self](request_job& job) { job.run(self); },
  };
}

} // namespace

requester_pool::requester_pool(caf::actor_system& sys, size_t size)
    : actors_(std::max<size_t>(size, 1)) {
  for (auto& a : actors_)
    a = sys.spawn(requester);
}

requester_pool::~requester_pool() {
  for (const auto& a : actors_)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

void requester_pool::submit(request_job job) {
  auto i = next_.fetch_add(1, std::memory_order_relaxed) % actors_.size();
  caf::anon_send(actors_[i], std::move(job));
}

} // namespace tt::adapters::rpc
