#pragma once
/// Exact ranks in a set of growing integer keys (a waiting room's sequence numbers): insert, erase
/// and "how many present keys are <= k" each in O(log n), where a sorted container would need O(n)
/// for the rank. A Fenwick (binary indexed) tree over the keys 1..largest inserted; it grows as
/// keys grow and never shrinks, so it costs 4 bytes per key ever issued (1 million joins: 4 MB).

#include <cstdint>
#include <vector>

namespace tt::domain {

class rank_index {
 public:
  /// Adds `key` (>= 1, not present). Keys may arrive in any order; the tree grows to the largest.
  void insert(uint64_t key);
  /// Removes `key`, which must be present.
  void erase(uint64_t key);
  /// How many present keys are <= `key` (0 for key 0).
  uint64_t rank(uint64_t key) const noexcept;
  uint64_t size() const noexcept { return size_; }

 private:
  void add(uint64_t key, int32_t delta) noexcept;
  /// Sum of the present flags of keys 1..key, key clamped to the tree.
  int64_t prefix(uint64_t key) const noexcept;
  void grow_to(uint64_t key);

  /// tree_[i] holds the count of present keys in (i - lowbit(i), i]; tree_[0] is unused.
  std::vector<int32_t> tree_ = std::vector<int32_t>(1, 0);
  uint64_t size_ = 0;
};

} // namespace tt::domain
