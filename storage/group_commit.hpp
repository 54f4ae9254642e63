#pragma once
/// Group commit: any number of submitting threads, one writer thread. The writer takes every
/// queued commit (up to max_group_bytes), hands them to the sink as ONE group (the store turns it
/// into one WriteBatch, so the group is atomic and costs one fsync), then runs each commit's
/// callback with the group's outcome, in submission order.
///
/// Queue bound: at most max_pending_commits commits / max_pending_bytes bytes accepted and not yet
/// acknowledged; beyond that submit refuses with queue_full instead of growing memory.
///
/// Lifetime: the writer starts in the constructor and stops in stop() (or the destructor), which
/// first drains and acknowledges everything accepted. submit after stop refuses with
/// shutting_down. Never call stop() from a callback (it runs on the writer thread).
///
/// Thread-safety: submit, stats and last_error from any thread; stop from any thread but the
/// writer.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "storage/errc.hpp"
#include "storage/types.hpp"
#include "storage/write_figures.hpp"

namespace tt::storage {

struct group_commit_options {
  sync_policy sync = sync_policy::batch;
  /// For sync_policy::batch: how long the writer may hold a group open to gather more commits.
  std::chrono::microseconds max_delay{200};
  std::size_t max_pending_commits = 65'536;
  std::size_t max_pending_bytes = std::size_t{256} << 20;
  /// Upper bound of one group's size (at least one commit is always taken).
  std::size_t max_group_bytes = std::size_t{16} << 20;
};

/// One accepted commit waiting in the queue.
struct commit_request {
  std::vector<mutation> mutations;
  durable_callback on_durable;
  std::size_t bytes = 0;
};

class group_commit {
 public:
  /// Writes one group atomically; `sync` says whether to fsync. Called on the writer thread only.
  using sink = std::function<std::optional<storage_error>(const std::vector<commit_request>& group,
                                                          bool sync)>;

  group_commit(group_commit_options options, sink write);
  group_commit(const group_commit&) = delete;
  group_commit& operator=(const group_commit&) = delete;
  ~group_commit();

  /// Queues the mutations; see snapshot_store::commit for the callback contract.
  void submit(std::vector<mutation> mutations, durable_callback on_durable);

  /// Drains, acknowledges and joins the writer. Idempotent; concurrent callers all return after
  /// the drain.
  void stop();

  store_stats stats() const;

  /// The last write's error, cleared by the next successful write.
  std::optional<storage_error> last_error() const;

  /// The successful groups' write times and sizes (a copy, taken under the lock).
  write_figures figures() const;

 private:
  void run();
  void gather(std::unique_lock<std::mutex>& lock);
  std::vector<commit_request> take_group(std::size_t& group_bytes);
  void write_group(std::vector<commit_request> group, std::size_t group_bytes);

  const group_commit_options options_;
  const sink write_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<commit_request> queue_;
  /// Bytes in queue_ (not yet taken by the writer).
  std::size_t queued_bytes_ = 0;
  /// Accepted and not yet acknowledged, including the group being written: the queue bound.
  std::size_t pending_bytes_ = 0;
  bool stopping_ = false;
  store_stats stats_;
  write_figures figures_;
  std::optional<storage_error> last_error_;

  std::once_flag stop_once_;
  /// Declared last: starts after every member above is initialized.
  std::thread writer_;
};

} // namespace tt::storage
