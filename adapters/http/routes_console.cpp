// The operator console's routes: GET /api/v1/admin/events/:id (live sold / held / available by
// section, from InventoryService/GetInventoryStatus, and the waiting room's figures, from
// QueueService/GetQueueStats) and POST /api/v1/admin/emergency (AdminService/EmergencyAction:
// STOP_ADMISSIONS for one event or all, MAINTENANCE_MODE, each on or off). The gateway admits only
// an operator's token (gateway_settings::operator_role); the emergency call carries that token on
// to the node's admin guard, which checks it again.
#include "adapters/http/route_support.hpp"

#include "proto/common/v1/admin.pb.h"
#include "proto/gateway/v1/queue.pb.h"
#include "proto/reservation/v1/inventory.pb.h"

namespace tt::adapters::http::routes {

namespace queue_v1 = ::gateway::v1;

namespace {

struct overview {
  json sections = json::array();
  json totals;
};

json queue_json(const queue_v1::GetQueueStatsResponse& r) {
  for (const auto& e : r.events())
    return {{"waiting", e.total_waiting()},
            {"admitted", e.total_admitted()},
            {"admission_rate_per_minute", e.admission_rate_per_minute()},
            {"average_wait_sec", e.average_wait_time_seconds()}};
  return {
      {"waiting", 0}, {"admitted", 0}, {"admission_rate_per_minute", 0}, {"average_wait_sec", 0}};
}

} // namespace

void console_event(gateway& g, exchange_ptr x) {
  reservation::v1::GetInventoryStatusRequest req;
  req.set_event_id(x->params.at(0));
  ask<reservation::v1::GetInventoryStatusResponse>(
      g, x, "/reservation.v1.InventoryService/GetInventoryStatus", req,
      [&g, x](exchange&, reservation::v1::GetInventoryStatusResponse& inv) {
        auto seen = std::make_shared<overview>();
        for (const auto& s : inv.sections())
          seen->sections.push_back({{"section", s.section_id()},
                                    {"name", s.section_name()},
                                    {"total", s.total_seats()},
                                    {"available", s.available_seats()},
                                    {"held", s.reserved_seats()},
                                    {"sold", s.sold_seats()},
                                    {"blocked", s.blocked_seats()}});
        const auto& t = inv.stats();
        seen->totals = {{"total", t.total_seats()},
                        {"available", t.available_seats()},
                        {"held", t.reserved_seats()},
                        {"sold", t.sold_seats()},
                        {"blocked", t.blocked_seats()}};
        queue_v1::GetQueueStatsRequest q;
        q.set_event_id(x->params.at(0));
        ask<queue_v1::GetQueueStatsResponse>(
            g, x, "/gateway.v1.QueueService/GetQueueStats", q,
            [seen](exchange& ex, queue_v1::GetQueueStatsResponse& stats) {
              ex.reply(200, {{"event_id", ex.params.at(0)},
                             {"sections", seen->sections},
                             {"totals", seen->totals},
                             {"queue", queue_json(stats)}});
            });
      });
}

void console_emergency(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  auto action = f.text("action");
  auto mode = f.text("mode");
  auto event = f.text("event_id");
  common::v1::EmergencyActionRequest req;
  req.set_reason(f.text("reason"));
  f.require("action", action);
  if (!f.check(*x))
    return;
  common::v1::EmergencyActionType type{};
  if (!common::v1::EmergencyActionType_Parse("EMERGENCY_ACTION_TYPE_" + action, &type)) {
    x->fail(common::v1::ERROR_CODE_INVALID_ARGUMENT,
            "action must be STOP_ADMISSIONS or MAINTENANCE_MODE");
    return;
  }
  req.set_action(type);
  req.set_confirm(true); // the console's button asked the operator already
  if (!mode.empty())
    (*req.mutable_parameters())["mode"] = mode;
  if (!event.empty())
    (*req.mutable_parameters())["event_id"] = event;
  g.client().call<common::v1::EmergencyActionResponse>(
      "/common.v1.AdminService/EmergencyAction", req, x->trace_id(),
      [x](const grpc::Status& status, common::v1::EmergencyActionResponse& r) {
        if (!status.ok()) {
          x->fail(error_of(status));
          return;
        }
        x->reply(200, {{"executed", r.executed()},
                       {"action_id", r.action_id()},
                       {"result", r.result()},
                       {"executed_at", rfc3339(r.executed_at())}});
      },
      std::string{x->req()[boost::beast::http::field::authorization]});
}

} // namespace tt::adapters::http::routes
