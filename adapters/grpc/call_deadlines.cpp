#include "adapters/grpc/call_deadlines.hpp"

#include <vector>

namespace tt::adapters::rpc {

call_deadlines::call_deadlines() : thread_([this] { run(); }) {}

call_deadlines::~call_deadlines() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

uint64_t call_deadlines::watch(clock_type::time_point deadline, std::function<void()> expire) {
  bool earliest = false;
  uint64_t ticket = 0;
  {
    std::lock_guard lock{mutex_};
    ticket = ++last_ticket_;
    earliest = order_.empty() || deadline < order_.begin()->first;
    pending_.emplace(ticket, budget{order_.emplace(deadline, ticket), std::move(expire)});
  }
  // Budgets mostly arrive in deadline order (the same default for every call): the thread only
  // needs waking when this one is due before everything it waits for.
  if (earliest)
    wake_.notify_one();
  return ticket;
}

void call_deadlines::answered(uint64_t ticket) {
  std::lock_guard lock{mutex_};
  if (auto found = pending_.find(ticket); found != pending_.end()) {
    order_.erase(found->second.where);
    pending_.erase(found);
  }
}

size_t call_deadlines::watched() const {
  std::lock_guard lock{mutex_};
  return pending_.size();
}

void call_deadlines::run() {
  std::unique_lock lock{mutex_};
  while (!stopping_) {
    if (order_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto next = order_.begin()->first;
    if (clock_type::now() < next) {
      wake_.wait_until(lock, next);
      continue;
    }
    std::vector<std::function<void()>> due;
    auto now = clock_type::now();
    auto it = order_.begin();
    for (; it != order_.end() && it->first <= now; ++it) {
      auto found = pending_.find(it->second);
      due.push_back(std::move(found->second.expire));
      pending_.erase(found);
    }
    order_.erase(order_.begin(), it);
    lock.unlock(); // a callback may take its time (it finishes a gRPC call)
    for (auto& expire : due)
      expire();
    lock.lock();
  }
}

} // namespace tt::adapters::rpc
