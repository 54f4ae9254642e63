#include "adapters/grpc/admin_service_adapter.hpp"

#include <algorithm>

#include "adapters/catalog/catalog_format.hpp"
#include "adapters/grpc/log_query_translation.hpp"
#include "adapters/grpc/metrics_query_translation.hpp"
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
                                             actors::node_health_actor health,
                                             actors::shard_region region,
                                             std::filesystem::path catalog_dir,
                                             std::shared_ptr<const logs::log_buffer> logs,
                                             size_t max_reply_bytes,
                                             std::set<std::string> start_settings)
    : bridge_(bridge), health_(std::move(health)), region_(std::move(region)),
      catalog_dir_(std::move(catalog_dir)), logs_(std::move(logs)),
      max_reply_bytes_(max_reply_bytes), start_settings_(std::move(start_settings)) {
  namespace v1 = common::v1;
  service.bind_unary<v1::GetSystemHealthRequest, v1::GetSystemHealthResponse>(
      "GetSystemHealth", [this](auto call) { get_system_health(std::move(call)); });
  service.bind_unary<v1::UpdateConfigRequest, v1::UpdateConfigResponse>(
      "UpdateConfig", [this](auto call) { update_config(std::move(call)); });
  service.bind_unary<v1::TriggerOperationRequest, v1::TriggerOperationResponse>(
      "TriggerOperation", [this](auto call) { trigger_operation(std::move(call)); });
  service.bind_unary<v1::EmergencyActionRequest, v1::EmergencyActionResponse>(
      "EmergencyAction", [this](auto call) { emergency_action(std::move(call)); });
  service.bind_unary<v1::GetLogsRequest, v1::GetLogsResponse>(
      "GetLogs", [this](auto call) { get_logs(std::move(call)); });
}

void admin_service_adapter::get_logs(std::shared_ptr<logs_call> call) {
  auto query = to_log_query(call->request(), call->header("x-cursor"), *logs_, max_reply_bytes_);
  if (!query) {
    call->fail(query.error());
    return;
  }
  // Copying at most max_log_page entries under the buffer's lock: cheaper than a hop.
  fill(call->response(), logs_->query(*query));
  call->reply();
}

void admin_service_adapter::serve_metrics(rpc_service& service,
                                          std::shared_ptr<const metrics::node_metrics> metrics) {
  metrics_ = std::move(metrics);
  service.bind_unary<common::v1::GetMetricsRequest, common::v1::GetMetricsResponse>(
      "GetMetrics", [this](auto call) { get_metrics(std::move(call)); });
}

void admin_service_adapter::get_metrics(std::shared_ptr<metrics_call> call) {
  auto query = to_metrics_query(call->request());
  if (!query) {
    call->fail(query.error());
    return;
  }
  // Collecting reads atomics and component snapshots, never an actor: no hop needed.
  fill(call->response(), metrics_->Collect(), *query, std::chrono::system_clock::now());
  call->reply();
}

namespace {} // namespace

void admin_service_adapter::update_config(std::shared_ptr<update_config_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .optional("service", r.service())
                     .required("config_key", r.config_key())
                     .optional("reason", r.reason(), max_text_length)
                     .result()) {
    call->fail(*bad);
    return;
  }
  if (r.config_key() != "catalog.event") {
    update_setting(std::move(call));
    return;
  }
  auto definition = catalog::parse_event_json(r.config_value());
  if (!definition) {
    auto f = definition.error();
    for (auto& d : f.details)
      d.field = "config_value." + d.field;
    call->fail(f);
    return;
  }
  bridge_.ask<actors::event_defined>(
      std::move(call), region_,
      [](update_config_call& c, const actors::event_defined& defined) {
        auto& resp = c.response();
        resp.set_updated(true);
        resp.set_new_value(
            defined.event() + ": " + std::to_string(defined.capacity) + " seats" +
            (defined.change == actors::definition_change::replaced ? " (replaced)" : " (added)"));
        set_timestamp_now(resp.mutable_updated_at());
        c.reply();
      },
      actors::define_event::fresh(std::move(*definition)));
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
