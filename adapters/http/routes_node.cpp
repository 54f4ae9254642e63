// GET /healthz, /readyz, /version: the node's liveness, readiness and version.
#include "adapters/http/route_support.hpp"

#include "proto/gateway/v1/gateway.pb.h"

namespace tt::adapters::http::routes {

namespace {

std::string now_text() {
  google::protobuf::Timestamp t;
  t.set_seconds(to_epoch_ms(system_clock_source{}.now()) / 1000);
  return rfc3339(t);
}

} // namespace

/// Liveness: this process answers HTTP. Nothing else is asked, so a busy node stays "alive".
void healthz(gateway& g, exchange_ptr x) {
  x->reply(200,
           {{"status", "healthy"}, {"timestamp", now_text()}, {"service", g.settings().service}});
}

/// Readiness: the node's own HealthCheck (storage, Kafka, actors) says it can serve.
void readyz(gateway& g, exchange_ptr x) {
  ::gateway::v1::HealthCheckRequest req;
  ask<::gateway::v1::HealthCheckResponse>(
      g, x, "/gateway.v1.GatewayService/HealthCheck", req,
      [&g](exchange& ex, ::gateway::v1::HealthCheckResponse& r) {
        bool ready = r.status() == ::gateway::v1::HEALTH_STATUS_HEALTHY ||
                     r.status() == ::gateway::v1::HEALTH_STATUS_DEGRADED;
        json components = json::object();
        for (const auto& [name, health] : r.services())
          components[name] =
              enum_word(::gateway::v1::HealthStatus_Name(health.status()), "HEALTH_STATUS_");
        ex.reply(ready ? 200 : 503, {{"status", ready ? "ready" : "not_ready"},
                                     {"timestamp", now_text()},
                                     {"service", g.settings().service},
                                     {"components", components}});
      });
}

void version(gateway& g, exchange_ptr x) {
  x->reply(200, {{"service", g.settings().service},
                 {"version", g.settings().version},
                 {"node_id", g.settings().node_id}});
}

} // namespace tt::adapters::http::routes
