#pragma once
/// Writes log lines through a repeat_limiter: per key, one line per interval, and then one line
/// with the count of those left out. A thread of its own reports the counts of intervals that
/// ended without a further occurrence, so a burst that stops is still accounted for; the
/// destructor reports what is pending and joins it. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <spdlog/common.h>

#include "adapters/logs/repeat_limiter.hpp"

namespace tt::adapters::logs {

class throttled_log {
 public:
  /// Writes to spdlog's default logger; tracks at most `max_keys` keys (repeat_limiter).
  explicit throttled_log(std::chrono::milliseconds interval, size_t max_keys = 1024);
  ~throttled_log();
  throttled_log(const throttled_log&) = delete;
  throttled_log& operator=(const throttled_log&) = delete;

  /// Writes `text` at `level` unless a line of `key` was written less than an interval ago. The
  /// calling thread's log_scope applies to the line.
  void write(const std::string& key, spdlog::level::level_enum level, const std::string& text);

  /// A line of another library's own log (protobuf, gRPC core), keyed by the source line that
  /// wrote it: "<library>: <message> [<file>:<line>]".
  void write_from(std::string_view library, const char* file, int line,
                  spdlog::level::level_enum level, std::string_view message);

  /// Reports the intervals that are over now (the reporting thread calls it every interval).
  void report_expired();

 private:
  void report(const repeat_limiter::summary& s) const;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  repeat_limiter limiter_;
  std::thread reporter_;
};

} // namespace tt::adapters::logs
