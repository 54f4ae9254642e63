#include "adapters/metrics/rpc_metrics.hpp"

#include <absl/status/status.h>

namespace tt::adapters::metrics {

std::string status_code_name(int code) {
  // gRPC's status codes are absl's, number for number (both follow google.rpc.Code).
  if (code < 0 || static_cast<size_t>(code) >= status_code_count)
    code = static_cast<int>(absl::StatusCode::kUnknown);
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

prometheus::Labels method_labels(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0)
    return {{"service", ""}, {"method", path}};
  return {{"service", path.substr(1, slash - 1)}, {"method", path.substr(slash + 1)}};
}

method_meter::method_meter(prometheus::Family<prometheus::Counter>& calls,
                           prometheus::Histogram& latency, prometheus::Labels labels)
    : calls_(calls), latency_(latency), labels_(std::move(labels)) {}

void method_meter::record(int code, std::chrono::steady_clock::duration elapsed) {
  if (code < 0 || static_cast<size_t>(code) >= status_code_count)
    code = static_cast<int>(absl::StatusCode::kUnknown);
  auto& slot = by_code_[static_cast<size_t>(code)];
  auto* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    auto labels = labels_;
    labels.emplace("code", status_code_name(code));
    counter = &calls_.Add(labels); // the same counter for the same labels, whoever races
    slot.store(counter, std::memory_order_release);
  }
  counter->Increment();
  latency_.Observe(std::chrono::duration<double>(elapsed).count());
}

const std::vector<double>& rpc_metrics::latency_buckets() {
  static const std::vector<double> buckets{0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  return buckets;
}

rpc_metrics::rpc_metrics(prometheus::Registry& registry)
    : calls_(prometheus::BuildCounter()
                 .Name("tt_rpc_requests_total")
                 .Help("Contract RPCs answered, by method and gRPC status code")
                 .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("tt_rpc_latency_seconds")
                   .Help("Server-side latency of unary RPCs, from receipt to reply")
                   .Register(registry)),
      streams_(prometheus::BuildGauge()
                   .Name("tt_rpc_open_streams")
                   .Help("Server streams open now, by method")
                   .Register(registry)) {}

method_meter& rpc_metrics::unary(const std::string& path) {
  std::lock_guard lock{mutex_};
  auto& slot = meters_[path];
  if (!slot) {
    auto labels = method_labels(path);
    auto& latency = latency_.Add(labels, latency_buckets());
    slot = std::make_unique<method_meter>(calls_, latency, std::move(labels));
  }
  return *slot;
}

prometheus::Gauge& rpc_metrics::open_streams(const std::string& path) {
  return streams_.Add(method_labels(path));
}

} // namespace tt::adapters::metrics
