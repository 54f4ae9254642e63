#pragma once
/// Which offsets of a partition may be committed: a consumer hands events out concurrently (and
/// an expiry event stays in hand until its deadline), so they finish out of order; the committed
/// offset may only pass events that are all finished. Pure bookkeeping, one consumer thread.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tt::adapters::kafka {

struct partition_key {
  std::string topic;
  int32_t partition = 0;
  bool operator<(const partition_key& o) const noexcept {
    return std::tie(topic, partition) < std::tie(o.topic, o.partition);
  }
};

class offset_tracker {
 public:
  /// `offset` of `p` was handed out.
  void started(const partition_key& p, int64_t offset);
  /// `offset` of `p` is finished (its effect is durable, or it went to the dead-letter topic).
  void finished(const partition_key& p, int64_t offset);
  /// For every partition whose commit point moved since the last call: the offset to commit
  /// (one past the last offset before which everything is finished).
  std::vector<std::pair<partition_key, int64_t>> take_commits();
  /// The partition was revoked: forget it (another consumer resumes from its committed offset).
  void forget(const partition_key& p);
  /// Whether `offset` of `p` (or a later one) was handed out already: a record read again
  /// (after the consumer rejoined its group) that is still in hand or already done.
  bool handed_out(const partition_key& p, int64_t offset) const;
  /// Handed out and not finished yet, over all partitions.
  size_t unfinished() const noexcept;

 private:
  struct partition_state {
    std::set<int64_t> open; // handed out, not finished
    int64_t highest_started = -1;
    int64_t committed = -1; // last offset returned by take_commits, -1 for none
  };
  std::map<partition_key, partition_state> partitions_;
};

} // namespace tt::adapters::kafka
