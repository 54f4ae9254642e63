#include "adapters/logs/repeat_limiter.hpp"

namespace tt::adapters::logs {

repeat_limiter::repeat_limiter(clock::duration interval, size_t max_keys)
    : interval_(interval), max_keys_(max_keys) {}

repeat_limiter::admission repeat_limiter::admit(const std::string& key, clock::time_point now) {
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    if (windows_.size() < max_keys_)
      windows_.emplace(key, window{now, 0, {}});
    return {true, 0};
  }
  auto& w = it->second;
  if (now - w.started < interval_) {
    ++w.suppressed;
    return {false, 0};
  }
  admission out{true, w.suppressed};
  w = window{now, 0, {}};
  return out;
}

void repeat_limiter::set_sample(const std::string& key, std::string text) {
  if (auto it = windows_.find(key); it != windows_.end())
    it->second.sample = std::move(text);
}

std::vector<repeat_limiter::summary> repeat_limiter::expired(clock::time_point now) {
  std::vector<summary> out;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now - it->second.started < interval_) {
      ++it;
      continue;
    }
    if (it->second.suppressed > 0)
      out.push_back({it->first, it->second.suppressed, std::move(it->second.sample)});
    it = windows_.erase(it);
  }
  return out;
}

} // namespace tt::adapters::logs
