#include "adapters/grpc/worker_service_adapter.hpp"

#include <limits>

#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/reservation_translation.hpp"

namespace tt::adapters::rpc {

namespace v1 = reservation::v1;

namespace {

int32_t clamp32(int64_t v) {
  return static_cast<int32_t>(std::min<int64_t>(v, std::numeric_limits<int32_t>::max()));
}

v1::ProcessingStatus status_of(actors::effect_status s) {
  return s == actors::effect_status::applied ? v1::PROCESSING_STATUS_SUCCESS
                                             : v1::PROCESSING_STATUS_SKIPPED;
}

/// An operator's job: acted on now, never de-duplicated (no event id), traced as its call.
actors::worker_job manual(const std::string& trace_id, actors::effect_kind kind,
                          const std::string& reservation, const std::string& payment = {},
                          const std::string& reason = {}) {
  return {
      {}, {kind, reservation_id{reservation}, payment_intent_id{payment}, reason, trace_id}, {}};
}

/// Lag beyond which the worker reports DEGRADED: about a second of flash-sale traffic.
constexpr int64_t degraded_lag = 10'000;
/// A worker whose consumer has no partition this long after start is UNHEALTHY.
constexpr auto assignment_grace = std::chrono::seconds{30};

v1::WorkerStatus health_of(const actors::worker_stats& s, timestamp now) {
  if (s.source.assigned_partitions == 0 && now - s.started_at > assignment_grace)
    return v1::WORKER_STATUS_UNHEALTHY;
  if (s.source.lag > degraded_lag)
    return v1::WORKER_STATUS_DEGRADED;
  return v1::WORKER_STATUS_HEALTHY;
}

} // namespace

worker_service_adapter::worker_service_adapter(rpc_service& service, call_bridge bridge,
                                               actors::worker_actor worker, std::string node_id)
    : bridge_(bridge), worker_(std::move(worker)), node_id_(std::move(node_id)) {
  service.bind_unary<v1::ProcessReservationExpiryRequest, v1::ProcessReservationExpiryResponse>(
      "ProcessReservationExpiry", [this](auto call) { expiry(std::move(call)); });
  service.bind_unary<v1::ProcessPaymentResultRequest, v1::ProcessPaymentResultResponse>(
      "ProcessPaymentResult", [this](auto call) { payment(std::move(call)); });
  service.bind_unary<v1::ProcessCompensationRequest, v1::ProcessCompensationResponse>(
      "ProcessCompensation", [this](auto call) { compensation(std::move(call)); });
  service.bind_unary<v1::HealthCheckRequest, v1::HealthCheckResponse>(
      "HealthCheck", [this](auto call) { health(std::move(call)); });
  service.bind_unary<v1::GetJobStatusRequest, v1::GetJobStatusResponse>(
      "GetJobStatus", [this](auto call) { jobs(std::move(call)); });
}

void worker_service_adapter::expiry(std::shared_ptr<expiry_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .required("reservation_id", r.reservation_id(), max_reservation_id_length)
                     .optional("event_id", r.event_id(), max_name_length)
                     .each("seat_ids", r.seat_ids(), 10, max_name_length)
                     .range("quantity", r.quantity(), 0, 10)
                     .optional("correlation_id", r.correlation_id(), max_key_length)
                     .range("retry_count", r.retry_count(), 0, 100)
                     .result()) {
    call->fail(*bad);
    return;
  }
  if (auto route = route_of(reservation_id{r.reservation_id()});
      route && !r.event_id().empty() && route->event() != r.event_id()) {
    call->fail(fail(errc::not_found, "no such reservation in event " + r.event_id(),
                    {{"reservation_id", "not in this event", r.reservation_id()}}));
    return;
  }
  bridge_.ask<actors::effect_reply>(
      std::move(call), worker_,
      [](expiry_call& c, const actors::effect_reply& reply) {
        auto& resp = c.response();
        resp.set_status(status_of(reply.status));
        add_seats(reply.seats, resp.mutable_released_seats());
        set_timestamp(resp.mutable_processed_at(), system_clock_source{}.now());
        resp.set_next_action(reply.note);
        c.reply();
      },
      manual(call->trace_id(), actors::effect_kind::hold_expiry, r.reservation_id()));
}

void worker_service_adapter::payment(std::shared_ptr<payment_call> call) {
  const auto& r = call->request();
  if (auto bad =
          request_check{}
              .required("reservation_id", r.reservation_id(), max_reservation_id_length)
              .required("payment_intent_id", r.payment_intent_id(), max_reservation_id_length)
              .range("result_type", r.result_type(), v1::PAYMENT_RESULT_TYPE_UNSPECIFIED,
                     v1::PAYMENT_RESULT_TYPE_TIMEOUT)
              .optional("correlation_id", r.correlation_id(), max_key_length)
              .range("retry_count", r.retry_count(), 0, 100)
              .result()) {
    call->fail(*bad);
    return;
  }
  bridge_.ask<actors::effect_reply>(
      std::move(call), worker_,
      [](payment_call& c, const actors::effect_reply& reply) {
        auto& resp = c.response();
        resp.set_status(status_of(reply.status));
        resp.set_order_id(reply.reservation.order());
        add_seats(reply.seats, resp.mutable_affected_seats());
        set_timestamp(resp.mutable_processed_at(), system_clock_source{}.now());
        resp.set_next_action(reply.note);
        c.reply();
      },
      manual(call->trace_id(), actors::effect_kind::payment_result, r.reservation_id(),
             r.payment_intent_id()));
}

void worker_service_adapter::compensation(std::shared_ptr<compensation_call> call) {
  const auto& r = call->request();
  auto bad = request_check{}
                 .required("reservation_id", r.reservation_id(), max_reservation_id_length)
                 .range("compensation_type", r.compensation_type(),
                        v1::COMPENSATION_TYPE_RELEASE_SEATS, v1::COMPENSATION_TYPE_CLEANUP_ORPHANED)
                 .optional("original_operation", r.original_operation(), max_name_length)
                 .optional("failure_reason", r.failure_reason(), max_text_length)
                 .optional("correlation_id", r.correlation_id(), max_key_length)
                 .range("retry_count", r.retry_count(), 0, 100)
                 .result();
  if (!bad && r.context_size() > static_cast<int>(max_list_length))
    bad = fail(errc::invalid_argument, "context has too many entries",
               {{"context", "at most " + std::to_string(max_list_length), ""}});
  if (bad) {
    call->fail(*bad);
    return;
  }
  auto kind = actors::effect_kind::cleanup;
  auto action = v1::COMPENSATION_ACTION_TYPE_INVENTORY_RELEASE;
  switch (r.compensation_type()) {
    case v1::COMPENSATION_TYPE_RELEASE_SEATS:
      kind = actors::effect_kind::release_hold;
      break;
    case v1::COMPENSATION_TYPE_CANCEL_RESERVATION:
      kind = actors::effect_kind::release_hold;
      action = v1::COMPENSATION_ACTION_TYPE_RESERVATION_CANCEL;
      break;
    case v1::COMPENSATION_TYPE_REFUND_PAYMENT:
      kind = actors::effect_kind::refund_orphaned_payments;
      action = v1::COMPENSATION_ACTION_TYPE_PAYMENT_REFUND;
      break;
    default:
      break;
  }
  auto reason = r.failure_reason().empty() ? std::string{} : "compensation: " + r.failure_reason();
  bridge_.ask<actors::effect_reply>(
      std::move(call), worker_,
      [action](compensation_call& c, const actors::effect_reply& reply) {
        auto& resp = c.response();
        resp.set_status(status_of(reply.status));
        if (reply.status == actors::effect_status::applied) {
          auto* a = resp.add_actions_taken();
          a->set_action_type(action);
          a->set_target_service(action == v1::COMPENSATION_ACTION_TYPE_PAYMENT_REFUND
                                    ? "payment.v1.PaymentService"
                                    : "reservation.v1.InventoryService");
          a->set_action_description(reply.note);
          a->set_success(true);
          set_timestamp(a->mutable_executed_at(), system_clock_source{}.now());
        }
        set_timestamp(resp.mutable_processed_at(), system_clock_source{}.now());
        resp.set_requires_manual_intervention(false);
        c.reply();
      },
      manual(call->trace_id(), kind, r.reservation_id(), {}, reason));
}

void worker_service_adapter::health(std::shared_ptr<health_call> call) {
  if (auto bad =
          request_check{}
              .optional("worker_instance_id", call->request().worker_instance_id(), max_name_length)
              .result()) {
    call->fail(*bad);
    return;
  }
  bridge_.ask<actors::worker_stats>(
      std::move(call), worker_,
      [](health_call& c, const actors::worker_stats& s) {
        auto& resp = c.response();
        resp.set_status(health_of(s, system_clock_source{}.now()));
        resp.set_processed_events_count(clamp32(s.processed));
        resp.set_failed_events_count(clamp32(s.failed + s.dead_letters));
        if (s.processed > 0)
          set_timestamp(resp.mutable_last_processed_at(), s.last_processed_at);
        resp.set_queue_depth(clamp32(s.waiting + s.in_flight + s.source.lag));
        set_timestamp(resp.mutable_started_at(), s.started_at);
        c.reply();
      },
      actors::worker_stats_query{});
}

void worker_service_adapter::jobs(std::shared_ptr<jobs_call> call) {
  const auto& r = call->request();
  if (auto bad = request_check{}
                     .optional("job_id", r.job_id(), max_name_length)
                     .optional("event_type", r.event_type(), max_name_length)
                     .result()) {
    call->fail(*bad);
    return;
  }
  bridge_.ask<actors::worker_stats>(
      std::move(call), worker_,
      [node = node_id_](jobs_call& c, const actors::worker_stats& s) {
        const auto& req = c.request();
        auto& resp = c.response();
        // One job per effect kind (the worker's handlers), one failed job per recent dead letter.
        for (const auto& k : s.kinds) {
          std::string name{to_string(k.kind)};
          if ((!req.job_id().empty() && req.job_id() != name) ||
              (!req.event_type().empty() && req.event_type() != name))
            continue;
          auto* j = resp.add_jobs();
          j->set_job_id(name);
          j->set_worker_id(node);
          j->set_status(v1::JOB_INSTANCE_STATUS_RUNNING);
          set_timestamp(j->mutable_started_at(), s.started_at);
          if (k.processed > 0)
            set_timestamp(j->mutable_completed_at(), k.last_at);
          j->set_events_processed(clamp32(k.processed));
          j->set_events_failed(clamp32(k.failed));
        }
        for (const auto& d : s.recent_dead_letters) {
          auto id = "dead-letter:" + d.event_id;
          if ((!req.job_id().empty() && req.job_id() != id) ||
              (!req.event_type().empty() && req.event_type() != "dead_letter"))
            continue;
          auto* j = resp.add_jobs();
          j->set_job_id(id);
          j->set_worker_id(node);
          j->set_status(v1::JOB_INSTANCE_STATUS_FAILED);
          j->set_events_failed(1);
        }
        auto* m = resp.mutable_metrics();
        m->set_total_active_jobs(clamp32(s.waiting + s.in_flight > 0 ? 1 : 0));
        m->set_total_events_pending(clamp32(s.waiting + s.source.lag));
        m->set_total_events_processing(clamp32(s.in_flight));
        // Redeliveries recognised by event id are handled events too.
        m->set_total_events_completed(clamp32(s.processed + s.duplicates));
        m->set_total_events_failed(clamp32(s.failed + s.dead_letters));
        m->set_average_processing_time_ms(static_cast<float>(s.average_ms));
        set_timestamp(m->mutable_last_updated(), system_clock_source{}.now());
        c.reply();
      },
      actors::worker_stats_query{});
}

} // namespace tt::adapters::rpc
