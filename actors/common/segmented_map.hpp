#pragma once
/// A hash map split into a fixed number of std::unordered_maps by key hash, so that growing it
/// rehashes one segment at a time. A std::unordered_map rehashes all of its elements at once
/// when it grows; at a million idempotency keys that walk held the actor owning the table for
/// tens of milliseconds (`perf` put the stalls of open-loop CreateReservation in `_M_rehash` of
/// the idempotency tables). With 64 segments each rehash moves a 64th of the elements, for the
/// same total work.
///
/// Elements stay put as segments rehash (node-based) and when the map is moved, so pointers to
/// them stay valid until they are erased, as deadline_index and the waiting room's indexes need.
/// Lookups return pointers, not iterators: an iterator would have to carry its segment.

#include <array>
#include <cstddef>
#include <functional>
#include <unordered_map>
#include <utility>

namespace tt {

template <class Key, class T, class Hash = std::hash<Key>, std::size_t Segments = 64>
class segmented_map {
 public:
  using segment = std::unordered_map<Key, T, Hash>;
  using value_type = typename segment::value_type;

  value_type* find(const Key& key) {
    auto& s = segment_of(key);
    auto it = s.find(key);
    return it == s.end() ? nullptr : &*it;
  }
  const value_type* find(const Key& key) const {
    const auto& s = segments_[index_of(key)];
    auto it = s.find(key);
    return it == s.end() ? nullptr : &*it;
  }

  /// The element of `key`, made with `args` if there was none; and whether it was made.
  template <class... Args>
  std::pair<value_type*, bool> try_emplace(Key key, Args&&... args) {
    auto& s = segment_of(key);
    auto [it, made] = s.try_emplace(std::move(key), std::forward<Args>(args)...);
    size_ += made ? 1 : 0;
    return {&*it, made};
  }

  std::size_t erase(const Key& key) {
    auto erased = segment_of(key).erase(key);
    size_ -= erased;
    return erased;
  }

  bool contains(const Key& key) const { return find(key) != nullptr; }

  /// The element of `key`, which must be there (std::out_of_range otherwise).
  T& at(const Key& key) { return segment_of(key).at(key); }
  const T& at(const Key& key) const { return segments_[index_of(key)].at(key); }

  /// Calls `visit(element)` for every element, in no particular order.
  template <class Visit>
  void for_each(Visit visit) {
    for (auto& s : segments_)
      for (auto& e : s)
        visit(e);
  }
  template <class Visit>
  void for_each(Visit visit) const {
    for (const auto& s : segments_)
      for (const auto& e : s)
        visit(e);
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  std::size_t index_of(const Key& key) const { return Hash{}(key) % Segments; }
  segment& segment_of(const Key& key) { return segments_[index_of(key)]; }

  std::array<segment, Segments> segments_;
  std::size_t size_ = 0;
};

} // namespace tt
