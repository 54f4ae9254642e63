#pragma once
/// The node's one metrics registry. Metrics updated on the hot path (RPC counts and latencies,
/// published events) live in a prometheus::Registry as pre-resolved handles; figures another
/// component already keeps (Kafka publisher and consumer, storage, streams) are read from it at
/// collection time through a `source`, so nothing is counted twice and nothing polls.
/// Both the /metrics listener and AdminService/GetMetrics collect from here.
///
/// Thread-safe: `Collect` may run on any thread (the listener's, a gRPC callback's) while
/// sources are added.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

namespace tt::adapters::metrics {

/// Families built fresh at each collection. Runs on the collecting thread: it must not block
/// for long (read atomics or a snapshot, never ask an actor and wait).
using source = std::function<std::vector<prometheus::MetricFamily>()>;

class node_metrics final : public prometheus::Collectable {
 public:
  node_metrics();

  prometheus::Registry& registry() noexcept { return *registry_; }

  /// Adds `s` to every later collection; `s` must stay callable until this object is gone or
  /// `remove_sources` ran.
  void add_source(source s);

  /// Drops every source (at shutdown, before what they read is destroyed).
  void remove_sources();

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  mutable std::mutex mutex_;
  std::vector<source> sources_;
};

/// One sample of a gauge or counter family built by a source.
struct sample {
  prometheus::ClientMetric::Label label; // empty name: no label
  double value = 0;
};

/// A gauge family of `samples` (one per label value).
prometheus::MetricFamily gauge_family(std::string name, std::string help,
                                      const std::vector<sample>& samples);

/// A counter family of `samples`; the values must never go down over a node's life.
prometheus::MetricFamily counter_family(std::string name, std::string help,
                                        const std::vector<sample>& samples);

/// One histogram of a histogram family, as a component counted it: bucket upper bounds, the
/// count in each bucket (not cumulative, one more at the end for above the last bound) and the
/// sum of the observations.
struct histogram_sample {
  prometheus::ClientMetric::Label label; // empty name: no label
  std::vector<double> bounds;
  std::vector<uint64_t> counts;
  double sum = 0;
};

/// A histogram family of `samples`; each bucket's count becomes cumulative, as exposed.
prometheus::MetricFamily histogram_family(std::string name, std::string help,
                                          const std::vector<histogram_sample>& samples);

/// A summary of quantiles a component keeps itself (as (quantile, value) pairs).
struct summary_sample {
  uint64_t count = 0;
  double sum = 0;
  std::vector<std::pair<double, double>> quantiles;
};

prometheus::MetricFamily summary_family(std::string name, std::string help,
                                        const summary_sample& sample);

} // namespace tt::adapters::metrics
