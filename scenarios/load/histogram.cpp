#include "scenarios/load/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace tt::load {

// Values below 2^(sub_bits+1) get one bucket each; above, a value with its highest bit at position
// sub_bits + shift keeps its top sub_bits + 1 bits, so bucket `shift` spans [2^(sub_bits+shift),
// 2^(sub_bits+shift+1)) in 128 equal steps.
size_t latency_histogram::index_of(uint64_t nanos) {
  constexpr uint64_t linear_limit = uint64_t{1} << (sub_bits + 1);
  if (nanos < linear_limit)
    return static_cast<size_t>(nanos);
  int msb = 63 - __builtin_clzll(nanos);
  int shift = std::min(msb - sub_bits, max_shift);
  uint64_t top = std::min(nanos >> shift, (linear_limit - 1));
  return (static_cast<size_t>(shift) << sub_bits) + static_cast<size_t>(top);
}

uint64_t latency_histogram::midpoint_of(size_t index) {
  constexpr size_t linear_limit = size_t{1} << (sub_bits + 1);
  if (index < linear_limit)
    return index;
  size_t shift = (index >> sub_bits) - 1;
  uint64_t top = index - (shift << sub_bits);
  return (top << shift) + ((uint64_t{1} << shift) >> 1);
}

void latency_histogram::record(uint64_t nanos) {
  ++counts_[index_of(nanos)];
  ++count_;
  max_ = std::max(max_, nanos);
  sum_ += static_cast<double>(nanos);
}

void latency_histogram::merge(const latency_histogram& other) {
  for (size_t i = 0; i < buckets; ++i)
    counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

uint64_t latency_histogram::quantile(double q) const {
  if (count_ == 0)
    return 0;
  auto rank =
      static_cast<uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets; ++i) {
    seen += counts_[i];
    if (seen >= rank)
      return std::min(midpoint_of(i), max_);
  }
  return max_;
}

} // namespace tt::load
