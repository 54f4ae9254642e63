#include "actors/domain/rank_index.hpp"

namespace tt::domain {
namespace {

constexpr uint64_t lowbit(uint64_t i) noexcept {
  return i & (~i + 1);
}

} // namespace

void rank_index::insert(uint64_t key) {
  grow_to(key);
  add(key, 1);
  ++size_;
}

void rank_index::erase(uint64_t key) {
  add(key, -1);
  --size_;
}

uint64_t rank_index::rank(uint64_t key) const noexcept {
  return static_cast<uint64_t>(prefix(key));
}

void rank_index::add(uint64_t key, int32_t delta) noexcept {
  for (uint64_t i = key; i < tree_.size(); i += lowbit(i))
    tree_[i] += delta;
}

int64_t rank_index::prefix(uint64_t key) const noexcept {
  if (key >= tree_.size())
    key = tree_.size() - 1;
  int64_t sum = 0;
  for (uint64_t i = key; i > 0; i -= lowbit(i))
    sum += tree_[i];
  return sum;
}

void rank_index::grow_to(uint64_t key) {
  // A new node i covers (i - lowbit(i), i]: everything in it but i itself already exists, so its
  // count is a difference of two prefixes over the built part.
  while (tree_.size() <= key) {
    uint64_t i = tree_.size();
    tree_.push_back(static_cast<int32_t>(prefix(i - 1) - prefix(i - lowbit(i))));
  }
}

} // namespace tt::domain
