#pragma once
/// The time budgets of the calls in flight, kept by one thread: a call that is not answered
/// within its budget has its `expire` run there (the call then fails DEADLINE_EXCEEDED). A CAF
/// request timeout per call would instead take two trips through CAF 0.17's one clock thread (set
/// and cancel), waking it on every call, and would make that thread the one that releases each
/// call's actor (see the README's design notes on the clock).
///
/// Time is the injected clock's (actors/common/clock.hpp), as for every other rule with a time in
/// it: the node passes its system clock, a test a manual_clock that it advances and then calls
/// `expire_due`, so no test sleeps or races the wall clock.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "actors/common/clock.hpp"

namespace tt::adapters::rpc {

class call_deadlines {
 public:
  explicit call_deadlines(std::shared_ptr<const clock> time);
  /// Stops the thread; budgets still running never expire.
  ~call_deadlines();
  call_deadlines(const call_deadlines&) = delete;
  call_deadlines& operator=(const call_deadlines&) = delete;

  /// Runs `expire` once the clock has moved `budget` (rounded up to the clock's milliseconds) past
  /// its time now, unless `answered` is called first with the returned ticket.
  uint64_t watch(std::chrono::nanoseconds budget, std::function<void()> expire);
  /// The call was answered: its budget is dropped. Harmless after it expired.
  void answered(uint64_t ticket);

  /// Returns once the thread has looked at the clock and run every budget due by then. The thread
  /// sleeps towards the next deadline in real time, so a clock that jumps (a manual_clock) shows
  /// only at its next wake-up, or here. Never call it from an `expire` (it runs on that thread).
  void expire_due();

  /// Budgets being watched (for tests).
  size_t watched() const;

 private:
  void run();
  /// Takes the budgets due by the clock's now and runs them without the lock; false if none were.
  bool expire_now(std::unique_lock<std::mutex>& lock);

  const std::shared_ptr<const clock> time_;
  mutable std::mutex mutex_;
  /// Wakes the thread: an earlier deadline, an `expire_due`, or the stop.
  std::condition_variable wake_;
  /// Tells `expire_due` callers that a look they asked for is done.
  std::condition_variable looked_;
  using order_map = std::multimap<timestamp, uint64_t>;
  struct entry {
    order_map::iterator where;
    std::function<void()> expire;
  };
  /// Deadline order, and the tickets not yet answered or expired.
  order_map order_;
  std::unordered_map<uint64_t, entry> pending_;
  uint64_t last_ticket_ = 0;
  /// Looks asked for by `expire_due`, and the last one the thread has finished.
  uint64_t looks_asked_ = 0;
  uint64_t looks_done_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace tt::adapters::rpc
