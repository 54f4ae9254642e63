#pragma once
/// The time budgets of the calls in flight, kept by one thread: a call that is not answered by
/// its deadline has its `expire` run there (the call then fails DEADLINE_EXCEEDED). A CAF request
/// timeout per call would instead take two trips through CAF 0.17's one clock thread (set and
/// cancel), waking it on every call, and would make that thread the one that releases each
/// call's actor (see the README's design notes on the clock).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace tt::adapters::rpc {

class call_deadlines {
 public:
  using clock_type = std::chrono::steady_clock;

  call_deadlines();
  /// Stops the thread; budgets still running never expire.
  ~call_deadlines();
  call_deadlines(const call_deadlines&) = delete;
  call_deadlines& operator=(const call_deadlines&) = delete;

  /// Runs `expire` at `deadline` unless `answered` is called first with the returned ticket.
  uint64_t watch(clock_type::time_point deadline, std::function<void()> expire);
  /// The call was answered: its budget is dropped. Harmless after it expired.
  void answered(uint64_t ticket);

  /// Budgets being watched (for tests).
  size_t watched() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  using order_map = std::multimap<clock_type::time_point, uint64_t>;
  struct budget {
    order_map::iterator where;
    std::function<void()> expire;
  };
  /// Deadline order, and the tickets not yet answered or expired.
  order_map order_;
  std::unordered_map<uint64_t, budget> pending_;
  uint64_t last_ticket_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace tt::adapters::rpc
