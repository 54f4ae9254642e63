#pragma once
/// The one clock: every rule involving time (holds, tokens, idempotency TTL) reads an injected
/// `clock`, so tests step time instead of sleeping. Pure domain code never reads a clock at all: it
/// receives `now` as a parameter from the actor, which reads it here.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace tt {

/// Wall-clock milliseconds since the Unix epoch; the resolution of every timestamp we persist.
using timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

/// A timestamp as the milliseconds since the epoch we persist and send, and back.
inline int64_t to_epoch_ms(timestamp t) noexcept {
  return t.time_since_epoch().count();
}
inline timestamp from_epoch_ms(int64_t ms) noexcept {
  return timestamp{std::chrono::milliseconds{ms}};
}

class clock {
 public:
  virtual ~clock() = default;
  /// Safe to call from any thread.
  virtual timestamp now() const = 0;
};

/// The real clock, used by the node.
class system_clock_source final : public clock {
 public:
  timestamp now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

/// A clock that moves only when told to. Atomic so a test thread may advance it while actors read.
class manual_clock final : public clock {
 public:
  explicit manual_clock(timestamp start = timestamp{}) : ms_(start.time_since_epoch().count()) {}

  timestamp now() const override { return timestamp{std::chrono::milliseconds{ms_.load()}}; }
  void set(timestamp t) { ms_.store(t.time_since_epoch().count()); }
  void advance(std::chrono::milliseconds d) { ms_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> ms_;
};

} // namespace tt
