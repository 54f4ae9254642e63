#include "adapters/grpc/gateway_service_adapter.hpp"

#include "adapters/grpc/proto_time.hpp"
#include "adapters/grpc/request_limits.hpp"

namespace tt::adapters::rpc {

namespace {

gateway::v1::HealthStatus to_proto(actors::health_status s) {
  switch (s) {
    case actors::health_status::healthy:
      return gateway::v1::HEALTH_STATUS_HEALTHY;
    case actors::health_status::degraded:
      return gateway::v1::HEALTH_STATUS_DEGRADED;
    case actors::health_status::unhealthy:
      return gateway::v1::HEALTH_STATUS_UNHEALTHY;
  }
  return gateway::v1::HEALTH_STATUS_UNKNOWN;
}

} // namespace

gateway_service_adapter::gateway_service_adapter(rpc_service& service, call_bridge bridge,
                                                 actors::node_health_actor health)
    : bridge_(bridge), health_(std::move(health)) {
  service.bind_unary<gateway::v1::HealthCheckRequest, gateway::v1::HealthCheckResponse>(
      "HealthCheck", [this](auto call) { health_check(std::move(call)); });
}

void gateway_service_adapter::health_check(std::shared_ptr<health_check_call> call) {
  // `service` names one component ("actor_system", "storage"); empty means the whole node.
  const auto& wanted = call->request().service();
  if (auto bad = check_length("service", wanted, max_name_length)) {
    call->fail(*bad);
    return;
  }
  bridge_.ask<actors::health_report>(
      call, health_,
      [wanted](health_check_call& c, const actors::health_report& report) {
        auto& resp = c.response();
        bool found = wanted.empty();
        for (const auto& comp : report.components) {
          if (!wanted.empty() && comp.name != wanted)
            continue;
          found = true;
          auto& out = (*resp.mutable_services())[comp.name];
          out.set_status(to_proto(comp.status));
          out.set_response_time_ms(to_ms_ceil(comp.response_time_us));
          out.set_version(report.version);
          set_timestamp(out.mutable_last_check(), report.checked_at_ms);
        }
        if (!found) {
          c.fail(fail(errc::not_found, "no component named '" + wanted + "'",
                      {{"service", "unknown component", wanted}}));
          return;
        }
        resp.set_status(wanted.empty() ? to_proto(report.overall())
                                       : resp.services().at(wanted).status());
        set_timestamp(resp.mutable_timestamp(), report.checked_at_ms);
        c.reply();
      },
      actors::get_health_atom_v);
}

} // namespace tt::adapters::rpc
