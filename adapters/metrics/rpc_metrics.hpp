#pragma once
/// Per-RPC metrics: `tt_rpc_requests_total{service, method, code}` (calls by gRPC status code)
/// and `tt_rpc_latency_seconds{service, method}` (from the callback's receipt of the call to its
/// reply), and `tt_rpc_open_streams{service, method}` for server streams. Labels are method
/// paths and status codes only: bounded by the contract.
///
/// The gRPC layer resolves one `method_meter` per method when the server is built, so a call
/// records with no lookup: one atomic load per code, a counter add and a histogram observe.

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace tt::adapters::metrics {

/// The gRPC status codes by number (grpc::StatusCode), as the `code` label spells them.
inline constexpr size_t status_code_count = 17;
std::string status_code_name(int code);

/// One unary method's handles. Thread-safe; its address is stable for the registry's life.
class method_meter {
 public:
  method_meter(prometheus::Family<prometheus::Counter>& calls, prometheus::Histogram& latency,
               prometheus::Labels labels);

  /// One call answered with status `code` (0..16; others count as UNKNOWN) after `elapsed`.
  void record(int code, std::chrono::steady_clock::duration elapsed);

 private:
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Histogram& latency_;
  prometheus::Labels labels_;
  /// Filled on a code's first call (Family::Add takes the family's lock once per code).
  std::array<std::atomic<prometheus::Counter*>, status_code_count> by_code_{};
};

class rpc_metrics {
 public:
  /// Latency buckets in seconds: 0.25 ms to 10 s.
  static const std::vector<double>& latency_buckets();

  explicit rpc_metrics(prometheus::Registry& registry);

  /// The meter of unary method `path` ("/pkg.Service/Method"), made on the first ask.
  method_meter& unary(const std::string& path);

  /// The open-streams gauge of server-streaming method `path`.
  prometheus::Gauge& open_streams(const std::string& path);

 private:
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Gauge>& streams_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<method_meter>> meters_;
};

/// {service, method} of a method path ("/pkg.Service/Method").
prometheus::Labels method_labels(const std::string& path);

} // namespace tt::adapters::metrics
