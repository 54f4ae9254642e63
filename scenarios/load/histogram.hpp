// Latency histogram for the load generator: log-linear buckets (HDR-style), one per polling
// thread so recording never takes a lock; threads' histograms are merged when the run ends.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tt::load {

/// Records durations in nanoseconds with a relative error below 1 % (128 linear sub-buckets per
/// power of two), from 0 up to about 18 minutes (larger values are clamped). Fixed size, no
/// allocation: `record` is a few instructions. Not thread-safe: one instance per thread, `merge`d.
class latency_histogram {
 public:
  /// Adds one sample.
  void record(uint64_t nanos);

  /// Adds every sample of `other`.
  void merge(const latency_histogram& other);

  /// The value at quantile `q` in [0, 1] (the midpoint of its bucket, never above `max()`); 0 when
  /// empty.
  uint64_t quantile(double q) const;

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  uint64_t mean() const { return count_ == 0 ? 0 : static_cast<uint64_t>(sum_ / count_); }

 private:
  static constexpr int sub_bits = 7;   // 128 sub-buckets: bucket width is < 0.8 % of its value
  static constexpr int max_shift = 33; // values up to 2^41 ns
  static constexpr size_t buckets = (max_shift + 2) << sub_bits;

  static size_t index_of(uint64_t nanos);
  static uint64_t midpoint_of(size_t index);

  std::array<uint64_t, buckets> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
  double sum_ = 0; // double: a long run's sum of nanoseconds may pass 2^64
};

} // namespace tt::load
