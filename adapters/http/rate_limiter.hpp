#pragma once
/// Per-caller request rate limit for the HTTP gateway: a token bucket per key (the user id of a
/// verified token, else the client's IP address), `rate` tokens a second up to `burst`.
/// Buckets idle long enough to be full again are forgotten, so memory follows the callers active
/// in the last few seconds. Thread-safe; the caller passes the time, so tests need no clock.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tt::adapters::http {

class rate_limiter {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// `rate` <= 0 switches the limit off.
  rate_limiter(double rate, double burst) : rate_(rate), burst_(burst < 1.0 ? 1.0 : burst) {}

  /// True when `key` may make one more request at `now` (and takes its token).
  bool allow(const std::string& key, time_point now);

  size_t tracked() const;

 private:
  struct bucket {
    double tokens = 0;
    time_point last;
  };
  /// Drops every bucket that has refilled completely by `now`.
  void forget_full(time_point now);

  double rate_;
  double burst_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
  size_t sweep_at_ = 1024;
};

} // namespace tt::adapters::http
