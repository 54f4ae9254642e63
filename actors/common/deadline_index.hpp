#pragma once
/// The deadlines of a map's entries in the order they were set, so that dropping the lapsed
/// entries costs the entries due, not the whole table. A flash sale at a few thousand writes a
/// second keeps about a million idempotency keys for their 5-minute TTL; a linear sweep of that
/// many every 30 s held the actor doing it for tens of milliseconds, every request behind it too
/// (README, design notes).
///
/// Entries point into the map, so it must be node-based (std::unordered_map: its elements stay
/// put through rehashing) and may erase an element only through `sweep`. The element's mapped
/// value carries `deadline_entries`, the count of entries pointing to it: the element goes when
/// the last one is popped. Every change of a deadline is an `add`, so that last entry carries the
/// latest deadline and the element is due when it pops. Lowering a deadline without `add` (to
/// drop an element early) is allowed: it is then erased at its last deadline. The front is the
/// earliest deadline as long as deadlines are set as "now + one TTL" from one clock; were the
/// clock to step back, an element would only be erased late, never early.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

#include "actors/common/clock.hpp"

namespace tt {

template <class Map>
class deadline_index {
 public:
  using element = typename Map::value_type;

  deadline_index() = default;
  // Entries point into one map: a copied index would point into the original's.
  deadline_index(const deadline_index&) = delete;
  deadline_index& operator=(const deadline_index&) = delete;
  deadline_index(deadline_index&&) noexcept = default;
  deadline_index& operator=(deadline_index&&) noexcept = default;

  /// `e` (an element of the map) is due at `at`, its new deadline.
  void add(timestamp at, element& e) {
    order_.emplace_back(at, &e);
    ++e.second.deadline_entries;
  }

  /// Pops the entries due by `now` and erases from `map` each element whose last entry it popped.
  /// Returns how many it erased.
  std::size_t sweep(Map& map, timestamp now) {
    std::size_t erased = 0;
    while (!order_.empty() && order_.front().first <= now) {
      auto* e = order_.front().second;
      order_.pop_front();
      if (--e->second.deadline_entries == 0) {
        map.erase(e->first);
        ++erased;
      }
    }
    return erased;
  }

  std::size_t size() const noexcept { return order_.size(); }

 private:
  std::deque<std::pair<timestamp, element*>> order_;
};

} // namespace tt
