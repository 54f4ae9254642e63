#include "adapters/http/rate_limiter.hpp"

#include <algorithm>

namespace tt::adapters::http {

namespace {

double seconds_between(rate_limiter::time_point from, rate_limiter::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

} // namespace

bool rate_limiter::allow(const std::string& key, time_point now) {
  if (rate_ <= 0.0)
    return true;
  std::lock_guard lock{mutex_};
  if (buckets_.size() >= sweep_at_)
    forget_full(now);
  auto [it, fresh] = buckets_.try_emplace(key, bucket{burst_, now});
  auto& b = it->second;
  if (!fresh && now > b.last) {
    b.tokens = std::min(burst_, b.tokens + seconds_between(b.last, now) * rate_);
    b.last = now;
  }
  if (b.tokens < 1.0)
    return false;
  b.tokens -= 1.0;
  return true;
}

void rate_limiter::forget_full(time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (it->second.tokens + seconds_between(it->second.last, now) * rate_ >= burst_)
      it = buckets_.erase(it);
    else
      ++it;
  }
  // Sweep again only once the map has doubled past what is still live: amortised O(1).
  sweep_at_ = std::max<size_t>(1024, 2 * buckets_.size());
}

size_t rate_limiter::tracked() const {
  std::lock_guard lock{mutex_};
  return buckets_.size();
}

} // namespace tt::adapters::http
