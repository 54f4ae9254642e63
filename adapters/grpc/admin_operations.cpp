// AdminService's TriggerOperation and EmergencyAction: each request enum value translated into
// a shard-region message, or answered with why this node cannot do it. The rules (what a breaker
// refuses, which reservations a cancel-all ends) are in actors/domain/emergency.hpp.
#include <chrono>
#include <map>
#include <set>

#include "adapters/catalog/catalog_directory.hpp"
#include "adapters/grpc/admin_service_adapter.hpp"
#include "adapters/grpc/audit.hpp"
#include "adapters/grpc/proto_time.hpp"
#include "adapters/grpc/request_limits.hpp"

namespace tt::adapters::rpc {

namespace v1 = common::v1;

namespace {

/// An EmergencyAction's parameters, checked against what its action takes.
struct emergency_parameters {
  bool on = true;
  event_id event;
  bool refund = false;
};

result<emergency_parameters> parameters_of(const v1::EmergencyActionRequest& r,
                                           const std::set<std::string>& allowed) {
  emergency_parameters out;
  auto takes = [&](const std::string& key) {
    return allowed.count(key) != 0;
  };
  std::string accepted;
  for (const auto& key : allowed)
    accepted += (accepted.empty() ? "" : ", ") + key;
  for (const auto& [key, value] : r.parameters()) {
    if (key == "mode" && takes(key) && (value == "on" || value == "off"))
      out.on = value == "on";
    else if (key == "event_id" && takes(key) && !value.empty() && value.size() <= max_name_length)
      out.event = event_id{value};
    else if (key == "refund" && takes(key) && (value == "true" || value == "false"))
      out.refund = value == "true";
    else
      return fail(
          errc::invalid_argument,
          "unknown or malformed parameter " + key.substr(0, 64) + " for " +
              v1::EmergencyActionType_Name(r.action()),
          {{"parameters", "takes: " + (accepted.empty() ? "none" : accepted), key.substr(0, 64)}});
  }
  return out;
}

/// A TriggerOperation's parameters: every key must be one `allowed` names, with a value
/// `valid` accepts.
result<std::map<std::string, std::string>>
operation_parameters(const v1::TriggerOperationRequest& r,
                     const std::map<std::string, std::set<std::string>>& allowed) {
  std::string accepted;
  for (const auto& [key, values] : allowed)
    accepted += (accepted.empty() ? "" : ", ") + key;
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : r.parameters()) {
    auto it = allowed.find(key);
    bool ok = it != allowed.end() && !value.empty() && value.size() <= max_name_length &&
              (it->second.empty() || it->second.count(value) != 0);
    if (!ok)
      return fail(
          errc::invalid_argument,
          "unknown or malformed parameter " + key.substr(0, 64) + " for " +
              v1::OperationType_Name(r.operation()),
          {{"parameters", "takes: " + (accepted.empty() ? "none" : accepted), key.substr(0, 64)}});
    out[key] = value;
  }
  return out;
}

/// Fills a completed operation's reply: its id is the call's trace id, which its audit line
/// carries too, so GetLogs finds the outcome by it.
template <class Call>
void completed(Call& c, std::string text) {
  auto& resp = c.response();
  resp.set_triggered(true);
  resp.set_operation_id(c.trace_id());
  set_timestamp_now(resp.mutable_triggered_at());
  resp.set_status(v1::OPERATION_STATUS_COMPLETED);
  resp.set_result((c.request().dry_run() ? "dry run, nothing changed: " : "") + std::move(text));
  c.reply();
}

std::string mode_text(bool on) {
  return on ? "on" : "off";
}

template <class Call>
void answer(Call& c, bool executed, std::string text) {
  auto& resp = c.response();
  resp.set_executed(executed);
  resp.set_action_id(c.trace_id());
  resp.set_result(std::move(text));
  set_timestamp_now(resp.mutable_executed_at());
  c.reply();
}

} // namespace

void admin_service_adapter::trigger_operation(std::shared_ptr<trigger_call> call) {
  const auto& r = call->request();
  audit(*call,
        "operation=" + v1::OperationType_Name(r.operation()) + " target_service=" +
            r.target_service() + " dry_run=" + (r.dry_run() ? "true" : "false") +
            " parameters=" + parameters_text(r.parameters()) + " reason=" + r.reason(),
        [](const v1::TriggerOperationResponse& resp) {
          return v1::OperationStatus_Name(resp.status()) + ": " + resp.result();
        });
  if (auto bad = request_check{}
                     .optional("target_service", r.target_service())
                     .optional("reason", r.reason(), max_text_length)
                     .result()) {
    call->fail(*bad);
    return;
  }
  switch (r.operation()) {
    case v1::OPERATION_TYPE_REFRESH_CONFIG:
      refresh_config(std::move(call));
      return;
    case v1::OPERATION_TYPE_FORCE_SCALE:
      force_scale(std::move(call));
      return;
    case v1::OPERATION_TYPE_CLEAR_CACHE:
      clear_cache(std::move(call));
      return;
    case v1::OPERATION_TYPE_DRAIN_QUEUE:
      drain_queue(std::move(call));
      return;
    case v1::OPERATION_TYPE_RESTART_SERVICE:
      restart_service(std::move(call));
      return;
    case v1::OPERATION_TYPE_UNSPECIFIED:
    default: // enum values a newer client may send
      call->fail(fail(errc::invalid_argument, "no such operation",
                      {{"operation", "unknown", std::to_string(r.operation())}}));
      return;
  }
}

void admin_service_adapter::refresh_config(std::shared_ptr<trigger_call> call) {
  // Reading a few small files on this gRPC thread is cheaper than a hop to a worker.
  auto catalog = catalog::load_catalog_directory(catalog_dir_);
  if (!catalog) {
    call->fail(catalog.error());
    return;
  }
  if (call->request().dry_run()) {
    auto& resp = call->response();
    resp.set_triggered(true);
    resp.set_operation_id(call->trace_id());
    set_timestamp_now(resp.mutable_triggered_at());
    resp.set_status(v1::OPERATION_STATUS_COMPLETED);
    resp.set_result("dry run: " + std::to_string(catalog->size()) + " valid events in " +
                    catalog_dir_.string());
    call->reply();
    return;
  }
  bridge_.ask<actors::catalog_defined>(
      std::move(call), region_,
      [](trigger_call& c, const actors::catalog_defined& outcome) {
        auto& resp = c.response();
        resp.set_triggered(true);
        resp.set_operation_id(c.trace_id());
        set_timestamp_now(resp.mutable_triggered_at());
        std::string text = std::to_string(outcome.defined.size()) + " events defined";
        for (const auto& kept : outcome.kept)
          text += "; kept: " + kept.message;
        resp.set_status(outcome.kept.empty() ? v1::OPERATION_STATUS_COMPLETED
                                             : v1::OPERATION_STATUS_FAILED);
        resp.set_result(text);
        c.reply();
      },
      actors::catalog_of(std::move(*catalog)));
}

void admin_service_adapter::emergency_action(std::shared_ptr<emergency_call> call) {
  const auto& r = call->request();
  audit(*call,
        "action=" + v1::EmergencyActionType_Name(r.action()) +
            " confirm=" + (r.confirm() ? "true" : "false") +
            " parameters=" + parameters_text(r.parameters()) + " reason=" + r.reason(),
        [](const v1::EmergencyActionResponse& resp) { return resp.result(); });
  auto bad = request_check{}.optional("reason", r.reason(), max_text_length).result();
  if (!bad)
    bad = check_count("parameters", r.parameters().size(), 2);
  if (!bad && !r.confirm())
    bad = fail(errc::failed_precondition, "an emergency action needs confirm = true",
               {{"confirm", "must be true", "false"}});
  if (bad) {
    call->fail(*bad);
    return;
  }
  switch (r.action()) {
    case v1::EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS:
    case v1::EMERGENCY_ACTION_TYPE_MAINTENANCE_MODE:
      control_admissions(std::move(call));
      return;
    case v1::EMERGENCY_ACTION_TYPE_CIRCUIT_BREAKER:
      switch_breaker(std::move(call));
      return;
    case v1::EMERGENCY_ACTION_TYPE_CANCEL_RESERVATIONS:
      cancel_reservations(std::move(call));
      return;
    case v1::EMERGENCY_ACTION_TYPE_FORCE_FAILOVER:
      force_failover(std::move(call));
      return;
    case v1::EMERGENCY_ACTION_TYPE_UNSPECIFIED:
    default: // enum values a newer client may send
      call->fail(fail(errc::invalid_argument, "no such emergency action",
                      {{"action", "unknown", std::to_string(r.action())}}));
      return;
  }
}

void admin_service_adapter::control_admissions(std::shared_ptr<emergency_call> call) {
  const auto& r = call->request();
  const bool stop = r.action() == v1::EMERGENCY_ACTION_TYPE_STOP_ADMISSIONS;
  auto p = parameters_of(r, stop ? std::set<std::string>{"mode", "event_id"}
                                 : std::set<std::string>{"mode"});
  if (!p) {
    call->fail(p.error());
    return;
  }
  actors::admission_control control;
  control.event = p->event;
  if (stop)
    control.action = p->on ? actors::admission_switch::stop : actors::admission_switch::resume;
  else
    control.action = p->on ? actors::admission_switch::maintenance_on
                           : actors::admission_switch::maintenance_off;
  bridge_.ask<actors::admission_controlled>(
      std::move(call), region_,
      [on = p->on](emergency_call& c, const actors::admission_controlled& done) {
        answer(c, true,
               v1::EmergencyActionType_Name(c.request().action()) + " " + mode_text(on) + ": " +
                   std::to_string(done.rooms) + " waiting room(s)");
      },
      std::move(control));
}

void admin_service_adapter::switch_breaker(std::shared_ptr<emergency_call> call) {
  auto p = parameters_of(call->request(), {"mode", "event_id"});
  if (!p) {
    call->fail(p.error());
    return;
  }
  actors::breaker_control control{
      p->on ? actors::breaker_switch::open : actors::breaker_switch::close, p->event};
  bridge_.ask<actors::breaker_state>(
      std::move(call), region_,
      [on = p->on, event = p->event](emergency_call& c, const actors::breaker_state& now) {
        answer(c, true,
               "EMERGENCY_ACTION_TYPE_CIRCUIT_BREAKER " + mode_text(on) + " for " +
                   (event().empty() ? std::string{"this node"} : "event " + event()) +
                   ": node breaker " + (now.node_open ? "open" : "closed") + ", " +
                   std::to_string(now.events_open) + " event breaker(s) open");
      },
      std::move(control));
}

void admin_service_adapter::cancel_reservations(std::shared_ptr<emergency_call> call) {
  auto p = parameters_of(call->request(), {"event_id", "refund"});
  if (!p) {
    call->fail(p.error());
    return;
  }
  if (p->event().empty()) {
    call->fail(fail(errc::invalid_argument, "CANCEL_RESERVATIONS needs parameters.event_id",
                    {{"parameters", "event_id required", ""}}));
    return;
  }
  if (p->refund) {
    call->fail(fail(errc::unimplemented,
                    "CANCEL_RESERVATIONS does not refund confirmed sales yet: cancel without "
                    "refund = true, and refund each sale with PaymentService.CancelPayment",
                    {{"parameters", "refund not served", "true"}}));
    return;
  }
  const auto& why = call->request().reason();
  actors::cancel_holds command{
      p->event, why.empty() ? "cancelled by operator" : "cancelled by operator: " + why,
      call->trace_id()};
  bridge_.ask<actors::holds_cancelled>(
      std::move(call), region_,
      [](emergency_call& c, const actors::holds_cancelled& done) {
        std::string text = "EMERGENCY_ACTION_TYPE_CANCEL_RESERVATIONS for event " +
                           c.request().parameters().at("event_id") + ": " +
                           std::to_string(done.cancelled) + " hold(s) cancelled, " +
                           std::to_string(done.not_cancelled) + " not cancelled, " +
                           std::to_string(done.sales_untouched) + " confirmed sale(s) untouched";
        for (const auto& problem : done.problems)
          text += "; " + problem;
        answer(c, done.not_cancelled == 0, std::move(text));
      },
      std::move(command));
}

void admin_service_adapter::clear_cache(std::shared_ptr<trigger_call> call) {
  if (auto p = operation_parameters(call->request(), {}); !p) {
    call->fail(p.error());
    return;
  }
  bridge_.ask<actors::cache_cleared>(
      std::move(call), region_,
      [](trigger_call& c, const actors::cache_cleared& done) {
        completed(c, std::string{c.request().dry_run() ? "would passivate " : "passivated "} +
                         std::to_string(done.passivated) + " idle reservation actor(s) over " +
                         std::to_string(done.events) + " event(s); kept " +
                         std::to_string(done.kept) + " live (holds and calls in flight); " +
                         std::to_string(done.already_passivated) +
                         " were passivated already. Each comes back from its stored state "
                         "on its next request");
      },
      actors::cache_clear{call->request().dry_run()});
}

void admin_service_adapter::drain_queue(std::shared_ptr<trigger_call> call) {
  auto p = operation_parameters(call->request(),
                                {{"event_id", {}}, {"mode", {"admit", "release", "reopen"}}});
  if (!p) {
    call->fail(p.error());
    return;
  }
  if (p->count("event_id") == 0 || p->count("mode") == 0) {
    call->fail(fail(errc::invalid_argument,
                    "DRAIN_QUEUE needs parameters.event_id and parameters.mode "
                    "(admit, release or reopen)",
                    {{"parameters", "event_id and mode required", ""}}));
    return;
  }
  const auto& mode = p->at("mode");
  actors::queue_drain command{event_id{p->at("event_id")},
                              mode == "admit"     ? actors::drain_action::admit
                              : mode == "release" ? actors::drain_action::release
                                                  : actors::drain_action::reopen,
                              call->request().dry_run()};
  bridge_.ask<actors::queue_drained>(
      std::move(call), region_,
      [event = p->at("event_id"), mode](trigger_call& c, const actors::queue_drained& done) {
        bool dry = c.request().dry_run();
        completed(c, "DRAIN_QUEUE mode=" + mode + " for event " + event + ": " +
                         std::to_string(done.admitted) + (dry ? " would be" : "") + " admitted, " +
                         std::to_string(done.released) + (dry ? " would be" : "") +
                         " released, new joins " + (done.joins_closed ? "closed" : "open"));
      },
      std::move(command));
}

void admin_service_adapter::serve_restarts(std::map<std::string, restart_hook> hooks) {
  restarts_ = std::move(hooks);
}

void admin_service_adapter::restart_service(std::shared_ptr<trigger_call> call) {
  const auto& r = call->request();
  if (auto p = operation_parameters(r, {}); !p) {
    call->fail(p.error());
    return;
  }
  auto hook = restarts_.find(r.target_service());
  if (hook == restarts_.end()) {
    std::string known;
    for (const auto& [name, ignored] : restarts_)
      known += (known.empty() ? "" : ", ") + name;
    call->fail(fail(errc::invalid_argument,
                    "RESTART_SERVICE restarts one of: " + (known.empty() ? "none" : known) +
                        " (target_service)",
                    {{"target_service", "unknown component", r.target_service()}}));
    return;
  }
  if (r.dry_run()) {
    completed(*call, "would restart " + hook->first);
    return;
  }
  // On this gRPC thread: an operator's rare call, which may wait seconds for a consumer to
  // leave its group; the answer says what was restarted.
  std::lock_guard lock{restart_mutex_};
  auto done = hook->second();
  if (!done) {
    call->fail(done.error());
    return;
  }
  completed(*call, *done);
}

void admin_service_adapter::force_scale(std::shared_ptr<trigger_call> call) {
  // librdkafka 2.0.2 has no way to make a member rejoin with an unchanged subscription (Java's
  // enforceRebalance has no counterpart; subscribing again was measured to leave the generation
  // as it was), so a "rebalance request" here would do nothing.
  call->fail(fail(
      errc::failed_precondition,
      cluster_ == nullptr
          ? "FORCE_SCALE needs a cluster: this node runs alone (cluster.enabled = false), so "
            "there is nothing to scale or rebalance"
          : "FORCE_SCALE: the shard group rebalances by itself when a node joins or leaves, and "
            "this Kafka client cannot force one; to move this node's shards to the others use "
            "EmergencyAction FORCE_FAILOVER (mode = on, later off), or start or stop a node",
      {{"operation", "not possible here", "OPERATION_TYPE_FORCE_SCALE"}}));
}

void admin_service_adapter::force_failover(std::shared_ptr<emergency_call> call) {
  if (cluster_ == nullptr) {
    call->fail(fail(errc::failed_precondition,
                    "FORCE_FAILOVER needs a cluster: this node runs alone (cluster.enabled = "
                    "false), so there is no other node to hand its shards to",
                    {{"action", "not possible here", "EMERGENCY_ACTION_TYPE_FORCE_FAILOVER"}}));
    return;
  }
  auto p = parameters_of(call->request(), {"mode"});
  if (!p) {
    call->fail(p.error());
    return;
  }
  auto others = cluster_->other_serving_nodes();
  if (p->on && others == 0) {
    call->fail(fail(errc::failed_precondition,
                    "FORCE_FAILOVER: no other live node serves shards to take this node's over "
                    "(every call would then wait for an owner)",
                    {{"action", "no other node", "EMERGENCY_ACTION_TYPE_FORCE_FAILOVER"}}));
    return;
  }
  auto serving = cluster_->serving_count();
  if (auto err = cluster_->stand_aside(p->on)) {
    call->fail(fail(errc::unavailable, "FORCE_FAILOVER: " + *err,
                    {{"retry_after_ms", "retry after this many milliseconds", "1000"}}));
    return;
  }
  answer(*call, true,
         p->on ? "EMERGENCY_ACTION_TYPE_FORCE_FAILOVER on: this node left the shard group; the " +
                     std::to_string(others) + " other node(s) take its " + std::to_string(serving) +
                     " shards, and it forwards every call to them until mode = off"
               : "EMERGENCY_ACTION_TYPE_FORCE_FAILOVER off: this node joins the shard group "
                 "again and takes its share of the shards");
}

} // namespace tt::adapters::rpc
