#include "adapters/metrics/metrics_listener.hpp"

#include <exception>

#include <prometheus/exposer.h>

namespace tt::adapters::metrics {

std::variant<std::unique_ptr<metrics_listener>, std::string>
metrics_listener::start(const std::string& listen, std::shared_ptr<node_metrics> metrics) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size())
    return "metrics.listen '" + listen + "' is not host:port";
  auto host = listen.substr(0, colon);
  // civetweb binds numeric addresses only.
  if (host == "localhost")
    host = "127.0.0.1";
  auto address = host.empty() ? listen.substr(colon + 1) : host + listen.substr(colon);
  try {
    auto exposer = std::make_unique<prometheus::Exposer>(address, 1);
    exposer->RegisterCollectable(metrics);
    auto ports = exposer->GetListeningPorts();
    if (ports.empty())
      return "metrics: listening on " + listen + " gave no port";
    return std::unique_ptr<metrics_listener>{new metrics_listener(std::move(exposer), ports[0])};
  } catch (const std::exception& e) {
    return "metrics: cannot listen on " + listen + ": " + e.what();
  }
}

metrics_listener::metrics_listener(std::unique_ptr<prometheus::Exposer> exposer, int port)
    : exposer_(std::move(exposer)), port_(port) {}

metrics_listener::~metrics_listener() = default;

} // namespace tt::adapters::metrics
