#include "storage/group_commit.hpp"

#include <utility>

namespace tt::storage {

namespace {

std::size_t size_of(const std::vector<mutation>& mutations) {
  // Per-mutation overhead approximates the WriteBatch record header.
  constexpr std::size_t overhead = 16;
  std::size_t total = 0;
  for (const auto& m : mutations)
    total += overhead + m.key.size() + (m.value ? m.value->size() : 0);
  return total;
}

void notify(const durable_callback& callback, std::optional<storage_error> outcome) {
  if (callback)
    callback(std::move(outcome));
}

} // namespace

group_commit::group_commit(group_commit_options options, sink write)
    : options_(options), write_(std::move(write)), writer_([this] { run(); }) {}

group_commit::~group_commit() {
  stop();
}

void group_commit::submit(std::vector<mutation> mutations, durable_callback on_durable) {
  auto bytes = size_of(mutations);
  std::optional<storage_error> refusal;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (stopping_) {
      refusal = storage_error{errc::shutting_down, "commit refused: the store is closing"};
    } else if (stats_.pending_commits >= options_.max_pending_commits ||
               pending_bytes_ + bytes > options_.max_pending_bytes) {
      refusal = storage_error{errc::queue_full,
                              "commit refused: " + std::to_string(stats_.pending_commits) +
                                  " commits / " + std::to_string(pending_bytes_) +
                                  " bytes already wait for durability"};
    }
    if (refusal) {
      ++stats_.rejected_commits;
    } else {
      bool was_empty = queue_.empty();
      queue_.push_back(commit_request{std::move(mutations), std::move(on_durable), bytes});
      queued_bytes_ += bytes;
      pending_bytes_ += bytes;
      ++stats_.pending_commits;
      // The writer sleeps either on an empty queue or, in batch mode, until the group is full.
      if (was_empty || queued_bytes_ >= options_.max_group_bytes)
        wake_.notify_one();
    }
  }
  if (refusal)
    notify(on_durable, std::move(refusal));
}

void group_commit::stop() {
  std::call_once(stop_once_, [this] {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    writer_.join();
  });
}

store_stats group_commit::stats() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return stats_;
}

write_figures group_commit::figures() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return figures_;
}

std::optional<storage_error> group_commit::last_error() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return last_error_;
}

void group_commit::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty())
      return; // stopping and drained
    gather(lock);
    std::size_t group_bytes = 0;
    auto group = take_group(group_bytes);
    lock.unlock();
    write_group(std::move(group), group_bytes);
    lock.lock();
  }
}

void group_commit::gather(std::unique_lock<std::mutex>& lock) {
  if (options_.sync != sync_policy::batch)
    return;
  auto deadline = std::chrono::steady_clock::now() + options_.max_delay;
  wake_.wait_until(lock, deadline,
                   [this] { return stopping_ || queued_bytes_ >= options_.max_group_bytes; });
}

std::vector<commit_request> group_commit::take_group(std::size_t& group_bytes) {
  std::vector<commit_request> group;
  group_bytes = 0;
  while (!queue_.empty() &&
         (group.empty() || group_bytes + queue_.front().bytes <= options_.max_group_bytes)) {
    group_bytes += queue_.front().bytes;
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  queued_bytes_ -= group_bytes;
  return group;
}

void group_commit::write_group(std::vector<commit_request> group, std::size_t group_bytes) {
  bool sync = options_.sync != sync_policy::none;
  auto start = std::chrono::steady_clock::now();
  auto outcome = write_(group, sync);
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stats_.pending_commits -= group.size();
    pending_bytes_ -= group_bytes;
    if (outcome) {
      stats_.failed_commits += group.size();
    } else {
      stats_.commits += group.size();
      ++stats_.batches_written;
      stats_.bytes_written += group_bytes;
      auto seconds = std::chrono::duration<double>(latency).count();
      (sync ? figures_.synced_write_seconds : figures_.unsynced_write_seconds).observe(seconds);
      figures_.group_commits.observe(static_cast<double>(group.size()));
      if (sync) {
        ++stats_.syncs;
        stats_.last_sync_latency = latency;
      }
    }
    last_error_ = outcome;
  }
  for (auto& request : group)
    notify(request.on_durable, outcome);
}

} // namespace tt::storage
