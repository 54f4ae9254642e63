#include "adapters/kafka/offset_tracker.hpp"

namespace tt::adapters::kafka {

void offset_tracker::started(const partition_key& p, int64_t offset) {
  auto& s = partitions_[p];
  s.open.insert(offset);
  if (offset > s.highest_started)
    s.highest_started = offset;
}

void offset_tracker::finished(const partition_key& p, int64_t offset) {
  auto it = partitions_.find(p);
  if (it != partitions_.end())
    it->second.open.erase(offset);
}

std::vector<std::pair<partition_key, int64_t>> offset_tracker::take_commits() {
  std::vector<std::pair<partition_key, int64_t>> out;
  for (auto& [key, s] : partitions_) {
    // Everything below the oldest open offset is finished; with none open, all started ones are.
    int64_t next = s.open.empty() ? s.highest_started + 1 : *s.open.begin();
    if (next > s.committed && next > 0) {
      s.committed = next;
      out.emplace_back(key, next);
    }
  }
  return out;
}

void offset_tracker::forget(const partition_key& p) {
  partitions_.erase(p);
}

bool offset_tracker::handed_out(const partition_key& p, int64_t offset) const {
  auto it = partitions_.find(p);
  return it != partitions_.end() && offset <= it->second.highest_started;
}

size_t offset_tracker::unfinished() const noexcept {
  size_t n = 0;
  for (const auto& [key, s] : partitions_)
    n += s.open.size();
  return n;
}

} // namespace tt::adapters::kafka
