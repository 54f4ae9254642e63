#pragma once
/// The snapshot store's write figures as distributions, for the node's metrics (storage links no
/// metrics library: adapters/node/metrics_sources.cpp turns these into Prometheus histograms and a
/// summary). Counts are since the store opened.

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace tt::storage {

/// Observations counted in fixed buckets, as a Prometheus histogram keeps them.
struct bucket_counts {
  /// Upper bounds, increasing.
  std::vector<double> bounds;
  /// counts[i]: observations in (bounds[i-1], bounds[i]]; one more at the end for those above the
  /// last bound. Not cumulative.
  std::vector<uint64_t> counts;
  double sum = 0;

  explicit bucket_counts(std::vector<double> upper_bounds)
      : bounds(std::move(upper_bounds)), counts(bounds.size() + 1, 0) {}

  void observe(double value) {
    auto at = std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
    ++counts[static_cast<std::size_t>(at)];
    sum += value;
  }
};

/// RocksDB's own timing of its WAL fsyncs (its statistics' WAL_FILE_SYNC_MICROS), in seconds:
/// RocksDB keeps percentiles, not buckets, so this is a summary.
struct fsync_summary {
  uint64_t count = 0;
  double sum = 0;
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
};

struct write_figures {
  /// Seconds per group written (one RocksDB Write of one WriteBatch), synced or not: a synced
  /// group's time includes its WAL fsync.
  bucket_counts synced_write_seconds{latency_bounds()};
  bucket_counts unsynced_write_seconds{latency_bounds()};
  /// Commits per group written (the group commit's batch size).
  bucket_counts group_commits{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}};
  fsync_summary fsyncs;

  /// 10 us to 1 s.
  static std::vector<double> latency_bounds() {
    return {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
            0.005,   0.01,     0.025,   0.05,   0.1,     0.25,   1};
  }
};

} // namespace tt::storage
