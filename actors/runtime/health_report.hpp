#pragma once
/// What the node knows about its own components, as one actor reply. Adapters translate it into
/// gateway.v1.HealthCheckResponse and common.v1.GetSystemHealthResponse.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace tt::actors {

/// Microseconds from `start` to now: how a check measures its response_time_us.
inline int64_t micros_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

enum class health_status : uint8_t { healthy = 1, degraded, unhealthy };

/// `internal` components are parts of the node (actor system); `dependency` ones are things it
/// relies on (storage directory, later Kafka).
enum class component_kind : uint8_t { internal = 1, dependency };

struct component_health {
  std::string name;
  component_kind kind = component_kind::internal;
  health_status status = health_status::unhealthy;
  /// Where the dependency lives (a directory, a broker list); empty for internal components.
  std::string endpoint;
  /// Why the component is not healthy; empty when it is.
  std::string problem;
  int64_t response_time_us = 0;
  std::map<std::string, std::string> metrics;
};

struct health_report {
  std::string node_id;
  std::string version;
  int64_t uptime_ms = 0;
  /// Milliseconds since the Unix epoch when the checks ran.
  int64_t checked_at_ms = 0;
  std::vector<component_health> components;

  /// The worst status of any component (no components: unhealthy, nothing is known to work).
  health_status overall() const {
    if (components.empty())
      return health_status::unhealthy;
    auto worst = health_status::healthy;
    for (const auto& c : components)
      if (c.status > worst)
        worst = c.status;
    return worst;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, component_health& x) {
  return f(caf::meta::type_name("component_health"), x.name, x.kind, x.status, x.endpoint,
           x.problem, x.response_time_us, x.metrics);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, health_report& x) {
  return f(caf::meta::type_name("health_report"), x.node_id, x.version, x.uptime_ms,
           x.checked_at_ms, x.components);
}

} // namespace tt::actors
