#pragma once
/// An entity actor's writes, one at a time. A write that has to wait (for the snapshot store, or
/// for another actor) marks the queue busy with `start`; writes arriving meanwhile wait in arrival
/// order, and `done` runs the next. So each write is decided against the state the previous one
/// left, and two writes never decide on the same state. Single-threaded: owned by one actor.

#include <deque>
#include <utility>

namespace tt::actors {

template <class Job>
class serial_jobs {
 public:
  /// Queues `job` and runs what can run now through `run(Job)`.
  template <class Run>
  void push(Job job, Run&& run) {
    waiting_.push_back(std::move(job));
    pump(run);
  }

  /// The running job waits for something: later jobs wait for it.
  void start() { busy_ = true; }

  /// The running job is over: runs the next ones.
  template <class Run>
  void done(Run&& run) {
    busy_ = false;
    pump(run);
  }

 private:
  template <class Run>
  void pump(Run& run) {
    while (!busy_ && !waiting_.empty()) {
      auto next = std::move(waiting_.front());
      waiting_.pop_front();
      run(std::move(next));
    }
  }

  bool busy_ = false;
  std::deque<Job> waiting_;
};

} // namespace tt::actors
