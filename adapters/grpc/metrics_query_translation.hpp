#pragma once
/// AdminService/GetMetrics <-> the node's metrics registry (adapters/metrics/node_metrics.hpp,
/// docs/operations.md "Metrics"). The registry keeps current values only, so a time range is
/// honoured by whether the collection time falls inside it; the reply's `error` (code
/// UNSPECIFIED) says what was not honoured.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "actors/common/result.hpp"
#include "proto/common/v1/admin.pb.h"

namespace tt::adapters::rpc {

struct metrics_query {
  /// Empty: every service. Else the MetricData.service to keep.
  std::string service;
  std::optional<prometheus::MetricType> type;
  std::optional<std::chrono::system_clock::time_point> from;
  std::optional<std::chrono::system_clock::time_point> until;
};

/// The query a request asks; INVALID_ARGUMENT naming the field for an over-long service, a
/// metric_type other than counter, gauge, histogram or summary (any case, or the MetricType enum
/// names), a malformed timestamp, start_time after end_time, or an aggregation other than none.
result<metrics_query> to_metrics_query(const common::v1::GetMetricsRequest& request);

/// The service a family's series belongs to: its `service` label (the gRPC service, for the
/// tt_rpc_* families), else the word after "tt_" in its name (`events`, `kafka`, `storage`...).
std::string service_of(const prometheus::MetricFamily& family,
                       const prometheus::ClientMetric& metric);

/// Fills `out` with the series of `families` that `q` selects, as of `now`. A histogram gives
/// `<name>_count`, `<name>_sum`, `<name>_bucket` (label `le`, cumulative) and `<name>` with label
/// `quantile` = 0.5, 0.9, 0.99 (interpolated within buckets, as Prometheus'
/// histogram_quantile does).
void fill(common::v1::GetMetricsResponse& out,
          const std::vector<prometheus::MetricFamily>& families, const metrics_query& q,
          std::chrono::system_clock::time_point now);

/// The φ-quantile of a cumulative histogram (`bounds[i]` paired with `counts[i]`, the last bound
/// +Inf), interpolated linearly within its bucket; 0 with no observations.
double bucket_quantile(double phi, const std::vector<prometheus::ClientMetric::Bucket>& buckets);

} // namespace tt::adapters::rpc
