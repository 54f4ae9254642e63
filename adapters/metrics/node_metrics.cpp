#include "adapters/metrics/node_metrics.hpp"

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

} // namespace tt::adapters::metrics
