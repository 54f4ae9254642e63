#pragma once
/// common.v1.AdminService. Actor entry points: node_health_actor (GetSystemHealth) and the shard
/// region (the event catalog: UpdateConfig "catalog.event" and an event's waiting-room inlet,
/// TriggerOperation REFRESH_CONFIG, CLEAR_CACHE and DRAIN_QUEUE; RESTART_SERVICE calls the
/// hooks serve_restarts named; the
/// emergency switches: EmergencyAction, every value, docs/operations.md "Emergency actions").
/// GetLogs reads the node's log buffer (log_query_translation.hpp). TriggerOperation and
/// EmergencyAction leave an audit line each (audit.hpp); admin_operations.cpp serves both.
/// GetMetrics collects the node's metrics registry (metrics_query_translation.hpp) once
/// `serve_metrics` bound it.

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "actors/common/result.hpp"
#include "actors/runtime/node_health_actor.hpp"
#include "actors/runtime/shard_region.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/cluster_control.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "adapters/grpc/runtime_settings.hpp"
#include "adapters/logs/log_buffer.hpp"
#include "adapters/metrics/node_metrics.hpp"
#include "proto/common/v1/admin.pb.h"

namespace tt::adapters::rpc {

/// A component RESTART_SERVICE restarts by name: what it restarted, or why it could not.
using restart_hook = std::function<result<std::string>()>;

class admin_service_adapter {
 public:
  /// `catalog_dir` is what REFRESH_CONFIG reloads; `logs` is what GetLogs reads, in pages that
  /// fit `max_reply_bytes` (grpc.max_message_bytes).
  admin_service_adapter(rpc_service& service, call_bridge bridge, actors::node_health_actor health,
                        actors::shard_region region, std::filesystem::path catalog_dir,
                        std::shared_ptr<const logs::log_buffer> logs, size_t max_reply_bytes,
                        std::set<std::string> start_settings);

  /// Serves `service`'s GetMetrics (AdminService's, as in the constructor) from `metrics`.
  /// Before the server starts.
  void serve_metrics(rpc_service& service, std::shared_ptr<const metrics::node_metrics> metrics);

  /// In a cluster: FORCE_FAILOVER acts on `cluster` (outlives the adapter).
  void control_cluster(cluster_control& cluster) { cluster_ = &cluster; }

  /// UpdateConfig changes `settings`' keys at run time (the other node settings stay refused as
  /// read at start). Before the server starts.
  void serve_settings(std::shared_ptr<runtime_settings> settings);

  /// RESTART_SERVICE's components by target_service name; each hook must stay callable while
  /// the server runs. Before the server starts.
  void serve_restarts(std::map<std::string, restart_hook> hooks);

 private:
  using system_health_call =
      unary_call<common::v1::GetSystemHealthRequest, common::v1::GetSystemHealthResponse>;
  using update_config_call =
      unary_call<common::v1::UpdateConfigRequest, common::v1::UpdateConfigResponse>;
  using trigger_call =
      unary_call<common::v1::TriggerOperationRequest, common::v1::TriggerOperationResponse>;
  void get_system_health(std::shared_ptr<system_health_call> call);
  void update_config(std::shared_ptr<update_config_call> call);
  /// Every key but catalog.event (admin_settings.cpp).
  void update_setting(std::shared_ptr<update_config_call> call);
  void update_node_setting(std::shared_ptr<update_config_call> call);
  void trigger_operation(std::shared_ptr<trigger_call> call);
  void refresh_config(std::shared_ptr<trigger_call> call);
  /// CLEAR_CACHE: idle reservation actors passivated node-wide (shard region → event actors).
  void clear_cache(std::shared_ptr<trigger_call> call);
  /// DRAIN_QUEUE: parameters event_id and mode (admit, release, reopen) to the event's room.
  void drain_queue(std::shared_ptr<trigger_call> call);
  /// RESTART_SERVICE: the hook named by target_service.
  void restart_service(std::shared_ptr<trigger_call> call);
  using emergency_call =
      unary_call<common::v1::EmergencyActionRequest, common::v1::EmergencyActionResponse>;
  void emergency_action(std::shared_ptr<emergency_call> call);
  void control_admissions(std::shared_ptr<emergency_call> call);
  void switch_breaker(std::shared_ptr<emergency_call> call);
  void cancel_reservations(std::shared_ptr<emergency_call> call);
  /// FORCE_SCALE and FORCE_FAILOVER, on one node or in a cluster.
  void force_scale(std::shared_ptr<trigger_call> call);
  void force_failover(std::shared_ptr<emergency_call> call);
  using logs_call = unary_call<common::v1::GetLogsRequest, common::v1::GetLogsResponse>;
  void get_logs(std::shared_ptr<logs_call> call);
  using metrics_call = unary_call<common::v1::GetMetricsRequest, common::v1::GetMetricsResponse>;
  void get_metrics(std::shared_ptr<metrics_call> call);

  call_bridge bridge_;
  actors::node_health_actor health_;
  actors::shard_region region_;
  std::filesystem::path catalog_dir_;
  std::shared_ptr<const logs::log_buffer> logs_;
  size_t max_reply_bytes_;
  /// The node's settings; those not served at run time (settings_) need a restart.
  std::set<std::string> start_settings_;
  std::shared_ptr<const metrics::node_metrics> metrics_;
  cluster_control* cluster_ = nullptr;
  std::shared_ptr<runtime_settings> settings_;
  std::map<std::string, restart_hook> restarts_;
  /// One restart at a time: a component's restart is not safe against itself.
  std::mutex restart_mutex_;
};

} // namespace tt::adapters::rpc
