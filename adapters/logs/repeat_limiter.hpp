#pragma once
/// Keeps a repeated log line from flooding the output: per key (a line's origin), the first
/// occurrence in an interval is written and the rest are only counted; the count is reported
/// once the interval is over (by `admit` on the key's next occurrence, or by `expired` when none
/// comes). Pure bookkeeping with the time passed in; the caller locks.

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace tt::adapters::logs {

class repeat_limiter {
 public:
  using clock = std::chrono::steady_clock;

  /// Tracks at most `max_keys` keys at once; a key beyond them is always written (a flood of
  /// distinct origins is not what this guards against, and memory stays bounded).
  repeat_limiter(clock::duration interval, size_t max_keys);

  struct admission {
    /// Write this occurrence.
    bool write = false;
    /// Occurrences of this key counted but not written in its previous interval (reported with
    /// this one).
    uint64_t suppressed_before = 0;
  };
  admission admit(const std::string& key, clock::time_point now);

  struct summary {
    std::string key;
    uint64_t suppressed = 0;
    /// The first line of the interval, for the report.
    std::string sample;
  };
  /// Ends every interval that is over at `now`: returns those that suppressed something and
  /// forgets all of them.
  std::vector<summary> expired(clock::time_point now);

  /// Remembers the text of the line `admit` just let through for `key`, for its summary.
  void set_sample(const std::string& key, std::string text);

  clock::duration interval() const noexcept { return interval_; }

 private:
  struct window {
    clock::time_point started;
    uint64_t suppressed = 0;
    std::string sample;
  };
  clock::duration interval_;
  size_t max_keys_;
  std::unordered_map<std::string, window> windows_;
};

} // namespace tt::adapters::logs
