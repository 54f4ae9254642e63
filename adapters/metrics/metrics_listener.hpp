#pragma once
/// The Prometheus text exposition of node_metrics on its own HTTP listener (`metrics.listen`):
/// GET /metrics, served by prometheus-cpp's exposer on its own threads, apart from the gRPC and
/// JSON ports so that a scrape never queues behind buyers.

#include <memory>
#include <string>
#include <variant>

#include "adapters/metrics/node_metrics.hpp"

namespace prometheus {
class Exposer;
}

namespace tt::adapters::metrics {

class metrics_listener {
 public:
  /// Listens on `listen` (host:port; port 0: any free port; "localhost" means 127.0.0.1) and
  /// serves `metrics`. The listener or the text why not (address in use, malformed).
  static std::variant<std::unique_ptr<metrics_listener>, std::string>
  start(const std::string& listen, std::shared_ptr<node_metrics> metrics);

  metrics_listener(const metrics_listener&) = delete;
  metrics_listener& operator=(const metrics_listener&) = delete;
  /// Stops listening; an in-flight scrape finishes first.
  ~metrics_listener();

  int port() const noexcept { return port_; }

 private:
  metrics_listener(std::unique_ptr<prometheus::Exposer> exposer, int port);

  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
};

} // namespace tt::adapters::metrics
