#include "adapters/grpc/admin_service_adapter.hpp"

#include <algorithm>

#include "adapters/grpc/proto_time.hpp"
#include "adapters/grpc/request_limits.hpp"

namespace tt::adapters::rpc {

namespace {

common::v1::HealthStatus to_proto(actors::health_status s) {
  switch (s) {
    case actors::health_status::healthy:
      return common::v1::HEALTH_STATUS_HEALTHY;
    case actors::health_status::degraded:
      return common::v1::HEALTH_STATUS_DEGRADED;
    case actors::health_status::unhealthy:
      return common::v1::HEALTH_STATUS_UNHEALTHY;
  }
  return common::v1::HEALTH_STATUS_UNKNOWN;
}

common::v1::SystemHealthStatus to_system_proto(actors::health_status s) {
  switch (s) {
    case actors::health_status::healthy:
      return common::v1::SYSTEM_HEALTH_STATUS_HEALTHY;
    case actors::health_status::degraded:
      return common::v1::SYSTEM_HEALTH_STATUS_DEGRADED;
    case actors::health_status::unhealthy:
      return common::v1::SYSTEM_HEALTH_STATUS_UNHEALTHY;
  }
  return common::v1::SYSTEM_HEALTH_STATUS_UNSPECIFIED;
}

void fill(common::v1::GetSystemHealthResponse& resp, const actors::health_report& report,
          const actors::component_health& comp) {
  if (comp.kind == actors::component_kind::dependency) {
    auto* d = resp.add_dependencies();
    d->set_name(comp.name);
    d->set_status(to_proto(comp.status));
    d->set_endpoint(comp.endpoint);
    d->set_response_time_ms(to_ms_ceil(comp.response_time_us));
    set_timestamp(d->mutable_last_check(), report.checked_at_ms);
    return;
  }
  auto* s = resp.add_services();
  s->set_service_name(comp.name);
  s->set_status(to_proto(comp.status));
  s->set_response_time_ms(to_ms_ceil(comp.response_time_us));
  s->set_version(report.version);
  s->set_uptime_seconds(report.uptime_ms / 1000);
  s->mutable_metrics()->insert(comp.metrics.begin(), comp.metrics.end());
  if (!comp.problem.empty())
    s->add_issues(comp.problem);
}

} // namespace

admin_service_adapter::admin_service_adapter(rpc_service& service, call_bridge bridge,
                                             actors::node_health_actor health)
    : bridge_(bridge), health_(std::move(health)) {
  service.bind_unary<common::v1::GetSystemHealthRequest, common::v1::GetSystemHealthResponse>(
      "GetSystemHealth", [this](auto call) { get_system_health(std::move(call)); });
}

void admin_service_adapter::get_system_health(std::shared_ptr<system_health_call> call) {
  // `services` filters the node's own components by name (empty: all of them); dependencies are
  // listed when `include_dependencies` is set. overall_status always covers everything.
  const auto& req = call->request();
  if (auto bad =
          check_count("services", static_cast<size_t>(req.services_size()), max_list_length)) {
    call->fail(*bad);
    return;
  }
  for (const auto& name : req.services())
    if (auto bad = check_length("services", name, max_name_length)) {
      call->fail(*bad);
      return;
    }
  bridge_.ask<actors::health_report>(
      call, health_,
      [](system_health_call& c, const actors::health_report& report) {
        const auto& req = c.request();
        for (const auto& name : req.services()) {
          auto known = std::any_of(report.components.begin(), report.components.end(),
                                   [&](const auto& comp) { return comp.name == name; });
          if (!known) {
            c.fail(fail(errc::not_found, "no component named '" + name + "'",
                        {{"services", "unknown component", name}}));
            return;
          }
        }
        auto& resp = c.response();
        resp.set_overall_status(to_system_proto(report.overall()));
        for (const auto& comp : report.components) {
          bool listed = req.services().empty() ||
                        std::find(req.services().begin(), req.services().end(), comp.name) !=
                            req.services().end();
          bool is_dependency = comp.kind == actors::component_kind::dependency;
          if (listed && (!is_dependency || req.include_dependencies()))
            fill(resp, report, comp);
        }
        set_timestamp(resp.mutable_checked_at(), report.checked_at_ms);
        c.reply();
      },
      actors::get_health_atom_v);
}

} // namespace tt::adapters::rpc
