#pragma once
/// Values that wait for their due time under one timer, the way the worker keeps jobs until a
/// hold's deadline and the event actor keeps its holds' backstops. A delayed message per value
/// would cost a trip through CAF 0.17's one clock thread each, and a pending one keeps its
/// target alive (README design notes). `add` and `take_due` say when the single timer must be
/// set; the owner sets it with `wake_at` and calls `take_due` when its due_atom arrives.

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>

#include "actors/common/clock.hpp"
#include "actors/runtime/message_types.hpp"

namespace tt::actors {

template <class T>
class due_queue {
 public:
  /// Adds `value`, due at `at`. Returns the time to set the timer for when it must be set now
  /// (none is set, or the one set is later); nullopt when the timer set already comes first.
  std::optional<timestamp> add(timestamp at, T value) {
    waiting_.emplace(at, std::move(value));
    if (timer_at_ && *timer_at_ <= at)
      return std::nullopt;
    timer_at_ = at;
    return at;
  }

  /// The timer fired: hands every value due by `now` to `visit`, earliest first, and returns
  /// when to set the timer next (nullopt when nothing waits).
  template <class Visit>
  std::optional<timestamp> take_due(timestamp now, Visit visit) {
    timer_at_.reset();
    auto it = waiting_.begin();
    for (; it != waiting_.end() && it->first <= now; ++it)
      visit(std::move(it->second));
    waiting_.erase(waiting_.begin(), it);
    if (!waiting_.empty())
      timer_at_ = waiting_.begin()->first;
    return timer_at_;
  }

  size_t size() const noexcept { return waiting_.size(); }

 private:
  std::multimap<timestamp, T> waiting_;
  std::optional<timestamp> timer_at_;
};

/// Has `self` receive a due_atom at `at` (at once if that has passed).
template <class Self>
void wake_at(Self* self, timestamp now, timestamp at) {
  self->delayed_send(self, std::max<timestamp::duration>(at - now, timestamp::duration::zero()),
                     due_atom_v);
}

} // namespace tt::actors
