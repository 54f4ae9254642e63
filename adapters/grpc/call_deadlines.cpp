#include "adapters/grpc/call_deadlines.hpp"

#include <utility>
#include <vector>

namespace tt::adapters::rpc {

call_deadlines::call_deadlines(std::shared_ptr<const clock> time)
    : time_(std::move(time)), thread_([this] { run(); }) {}

call_deadlines::~call_deadlines() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

uint64_t call_deadlines::watch(std::chrono::nanoseconds budget, std::function<void()> expire) {
  auto deadline = time_->now() + std::chrono::ceil<std::chrono::milliseconds>(budget);
  bool earliest = false;
  uint64_t ticket = 0;
  {
    std::lock_guard lock{mutex_};
    ticket = ++last_ticket_;
    earliest = order_.empty() || deadline < order_.begin()->first;
    pending_.emplace(ticket, entry{order_.emplace(deadline, ticket), std::move(expire)});
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

void call_deadlines::expire_due() {
  std::unique_lock lock{mutex_};
  auto look = ++looks_asked_;
  wake_.notify_one();
  looked_.wait(lock, [&] { return looks_done_ >= look || stopping_; });
}

size_t call_deadlines::watched() const {
  std::lock_guard lock{mutex_};
  return pending_.size();
}

void call_deadlines::run() {
  std::unique_lock lock{mutex_};
  while (!stopping_) {
    // A look asked for before this pass read the clock is answered by it.
    auto look = looks_asked_;
    bool ran = expire_now(lock);
    if (looks_done_ != look) {
      looks_done_ = look;
      looked_.notify_all();
    }
    if (ran)
      continue; // the callbacks took time: look again before sleeping
    if (order_.empty())
      wake_.wait(lock);
    else
      wake_.wait_for(lock, order_.begin()->first - time_->now());
  }
  looked_.notify_all();
}

bool call_deadlines::expire_now(std::unique_lock<std::mutex>& lock) {
  auto now = time_->now();
  std::vector<std::function<void()>> due;
  auto it = order_.begin();
  for (; it != order_.end() && it->first <= now; ++it) {
    auto found = pending_.find(it->second);
    due.push_back(std::move(found->second.expire));
    pending_.erase(found);
  }
  if (due.empty())
    return false;
  order_.erase(order_.begin(), it);
  lock.unlock(); // a callback may take its time (it finishes a gRPC call)
  for (auto& expire : due)
    expire();
  lock.lock();
  return true;
}

} // namespace tt::adapters::rpc
