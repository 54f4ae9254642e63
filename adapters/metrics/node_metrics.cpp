#include "adapters/metrics/node_metrics.hpp"

#include <limits>

namespace tt::adapters::metrics {

namespace {

prometheus::MetricFamily family_of(std::string name, std::string help, prometheus::MetricType type,
                                   const std::vector<sample>& samples) {
  prometheus::MetricFamily f{std::move(name), std::move(help), type, {}};
  for (const auto& s : samples) {
    prometheus::ClientMetric m;
    if (!s.label.name.empty())
      m.label.push_back(s.label);
    if (type == prometheus::MetricType::Counter)
      m.counter.value = s.value;
    else
      m.gauge.value = s.value;
    f.metric.push_back(std::move(m));
  }
  return f;
}

} // namespace

node_metrics::node_metrics() : registry_(std::make_shared<prometheus::Registry>()) {}

void node_metrics::add_source(source s) {
  std::lock_guard lock{mutex_};
  sources_.push_back(std::move(s));
}

void node_metrics::remove_sources() {
  std::lock_guard lock{mutex_};
  sources_.clear();
}

std::vector<prometheus::MetricFamily> node_metrics::Collect() const {
  auto out = registry_->Collect();
  std::lock_guard lock{mutex_};
  for (const auto& s : sources_)
    for (auto& f : s())
      out.push_back(std::move(f));
  return out;
}

prometheus::MetricFamily gauge_family(std::string name, std::string help,
                                      const std::vector<sample>& samples) {
  return family_of(std::move(name), std::move(help), prometheus::MetricType::Gauge, samples);
}

prometheus::MetricFamily counter_family(std::string name, std::string help,
                                        const std::vector<sample>& samples) {
  return family_of(std::move(name), std::move(help), prometheus::MetricType::Counter, samples);
}

prometheus::MetricFamily histogram_family(std::string name, std::string help,
                                          const std::vector<histogram_sample>& samples) {
  prometheus::MetricFamily f{
      std::move(name), std::move(help), prometheus::MetricType::Histogram, {}};
  for (const auto& s : samples) {
    prometheus::ClientMetric m;
    if (!s.label.name.empty())
      m.label.push_back(s.label);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < s.counts.size(); ++i) {
      cumulative += s.counts[i];
      m.histogram.bucket.push_back({cumulative, i < s.bounds.size()
                                                    ? s.bounds[i]
                                                    : std::numeric_limits<double>::infinity()});
    }
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = s.sum;
    f.metric.push_back(std::move(m));
  }
  return f;
}

prometheus::MetricFamily summary_family(std::string name, std::string help,
                                        const summary_sample& sample) {
  prometheus::ClientMetric m;
  m.summary.sample_count = sample.count;
  m.summary.sample_sum = sample.sum;
  for (const auto& [quantile, value] : sample.quantiles)
    m.summary.quantile.push_back({quantile, value});
  return {std::move(name), std::move(help), prometheus::MetricType::Summary, {std::move(m)}};
}

} // namespace tt::adapters::metrics
