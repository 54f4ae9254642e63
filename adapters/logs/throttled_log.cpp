#include "adapters/logs/throttled_log.hpp"

#include <spdlog/spdlog.h>

namespace tt::adapters::logs {

namespace {

double seconds(repeat_limiter::clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

} // namespace

throttled_log::throttled_log(std::chrono::milliseconds interval, size_t max_keys)
    : limiter_(interval, max_keys) {
  reporter_ = std::thread([this] {
    std::unique_lock lock{mutex_};
    while (!stopping_) {
      wake_.wait_for(lock, limiter_.interval());
      lock.unlock();
      report_expired();
      lock.lock();
    }
  });
}

throttled_log::~throttled_log() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  reporter_.join();
  // Whatever was counted in the intervals still open is reported now.
  std::vector<repeat_limiter::summary> pending;
  {
    std::lock_guard lock{mutex_};
    pending = limiter_.expired(repeat_limiter::clock::time_point::max());
  }
  for (const auto& s : pending)
    report(s);
}

void throttled_log::write(const std::string& key, spdlog::level::level_enum level,
                          const std::string& text) {
  repeat_limiter::admission admitted;
  {
    std::lock_guard lock{mutex_};
    admitted = limiter_.admit(key, repeat_limiter::clock::now());
    if (admitted.write)
      limiter_.set_sample(key, text);
  }
  if (!admitted.write)
    return;
  if (admitted.suppressed_before == 0)
    spdlog::log(level, "{}", text);
  else
    spdlog::log(level, "{} ({} more like this left out in the {:g} s before)", text,
                admitted.suppressed_before, seconds(limiter_.interval()));
}

void throttled_log::write_from(std::string_view library, const char* file, int line,
                               spdlog::level::level_enum level, std::string_view message) {
  auto key = std::string(file) + ":" + std::to_string(line);
  write(key, level, std::string(library) + ": " + std::string(message) + " [" + key + "]");
}

void throttled_log::report_expired() {
  std::vector<repeat_limiter::summary> ended;
  {
    std::lock_guard lock{mutex_};
    ended = limiter_.expired(repeat_limiter::clock::now());
  }
  for (const auto& s : ended)
    report(s);
}

void throttled_log::report(const repeat_limiter::summary& s) const {
  spdlog::warn("{} (repeated {} more times within {:g} s, left out)", s.sample, s.suppressed,
               seconds(limiter_.interval()));
}

} // namespace tt::adapters::logs
