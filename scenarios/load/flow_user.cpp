#include "scenarios/load/flow_user.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "proto/gateway/v1/queue.pb.h"
#include "proto/payment/v1/payment.pb.h"
#include "proto/reservation/v1/reservation.pb.h"

namespace tt::load {

namespace {

const char* path_of(flow_step step) {
  static constexpr std::array<const char*, flow_step_count> paths{
      "/gateway.v1.QueueService/JoinQueue",
      "/gateway.v1.QueueService/GetQueueStatus",
      "/gateway.v1.QueueService/RequestAdmission",
      "/reservation.v1.ReservationService/CreateReservation",
      "/payment.v1.PaymentService/CreatePaymentIntent",
      "/payment.v1.PaymentService/ProcessPayment",
      "/reservation.v1.ReservationService/GetReservation"};
  return paths.at(static_cast<size_t>(step));
}

size_t index_of(flow_step step) {
  return static_cast<size_t>(step);
}

} // namespace

flow_user::flow_user(const flow_plan& plan, grpc::GenericStub& stub, grpc::CompletionQueue& cq,
                     flow_result& result, std::string name)
    : plan_(plan), stub_(stub), cq_(cq), result_(result), name_(std::move(name)) {}

void flow_user::start() {
  begin_flow(steady::now());
}

void flow_user::begin_flow(steady::time_point now) {
  user_ = plan_.options.user_prefix + "-" + name_ + "-" + std::to_string(flows_started_++);
  flow_start_ = now;
  measured_ = now >= plan_.warm_end;
  rpcs_ = 0;
  send(flow_step::join);
}

void flow_user::end_flow(bool confirmed, steady::time_point now) {
  if (measured_ && confirmed) {
    ++result_.confirmed;
    result_.rpcs += rpcs_;
    result_.latency.record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - flow_start_).count()));
  }
  if (measured_)
    result_.duration_s =
        std::max(result_.duration_s, std::chrono::duration<double>(now - plan_.warm_end).count());
}

bool flow_user::on_completion() {
  auto now = steady::now();
  if (alarm_pending_) {
    alarm_pending_ = false;
    send(step_);
    return true;
  }
  if (measured_)
    result_.call_latency[index_of(step_)].record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - call_start_).count()));
  bool was_last_step = false;
  if (!status_.ok() && !(step_ == flow_step::admission &&
                         status_.error_code() == grpc::StatusCode::FAILED_PRECONDITION)) {
    fail_call();
    was_last_step = true;
  } else {
    on_reply(now);
    // A flow ends when nothing new is outstanding: confirmed, or its reservation left HOLD
    // otherwise, or it timed out waiting.
    was_last_step = !alarm_pending_ && !reader_;
  }
  if (!was_last_step)
    return true;
  if (now >= plan_.end)
    return false;
  begin_flow(now);
  return true;
}

void flow_user::fail_call() {
  auto code = static_cast<size_t>(status_.error_code());
  if (measured_)
    ++result_.failed_calls[index_of(step_)]
                          [code < status_code_count ? code : size_t{grpc::StatusCode::UNKNOWN}];
  end_flow(false, steady::now());
}

void flow_user::on_reply(steady::time_point now) {
  reader_.reset(); // nothing outstanding until the step below sends or waits
  switch (step_) {
    case flow_step::join: {
      gateway::v1::JoinQueueResponse r;
      if (!parse(r))
        return fail_call();
      waiting_token_ = r.waiting_token();
      return on_queue_place(r.status() == gateway::v1::QUEUE_STATUS_READY, r.eta_seconds(), now);
    }
    case flow_step::status: {
      gateway::v1::GetQueueStatusResponse r;
      if (!parse(r))
        return fail_call();
      return on_queue_place(r.admission_ready(), r.eta_seconds(), now);
    }
    case flow_step::admission: {
      gateway::v1::RequestAdmissionResponse r;
      if (!status_.ok()) // not ready after all: back to polling
        return send_after(flow_step::status,
                          std::chrono::duration<double>(plan_.options.poll_min_s));
      if (!parse(r))
        return fail_call();
      reservation_token_ = r.reservation_token();
      return send(flow_step::hold);
    }
    case flow_step::hold: {
      reservation::v1::CreateReservationResponse r;
      if (!parse(r))
        return fail_call();
      reservation_id_ = r.reservation_id();
      amount_ = r.total_amount();
      return send(flow_step::intent);
    }
    case flow_step::intent: {
      payment::v1::CreatePaymentIntentResponse r;
      if (!parse(r))
        return fail_call();
      intent_id_ = r.payment_intent_id();
      return send(flow_step::process);
    }
    case flow_step::process:
      confirm_deadline_ = now + std::chrono::duration_cast<steady::duration>(
                                    std::chrono::duration<double>(plan_.options.confirm_timeout_s));
      return send_after(flow_step::confirm,
                        std::chrono::duration<double>(plan_.options.confirm_poll_s));
    case flow_step::confirm: {
      reservation::v1::GetReservationResponse r;
      if (!parse(r))
        return fail_call();
      auto status = r.reservation().status();
      if (status == reservation::v1::RESERVATION_STATUS_CONFIRMED)
        return end_flow(true, now);
      if (status != reservation::v1::RESERVATION_STATUS_HOLD) {
        result_.unconfirmed += measured_ ? 1 : 0;
        return end_flow(false, now);
      }
      if (now >= confirm_deadline_) {
        result_.confirm_timeouts += measured_ ? 1 : 0;
        return end_flow(false, now);
      }
      return send_after(flow_step::confirm,
                        std::chrono::duration<double>(plan_.options.confirm_poll_s));
    }
  }
}

/// Ready: claim the admission now. Waiting: poll again when the admission may be due, within
/// the bounds, unless the flow has waited --admission-timeout already. The ETA is whole seconds
/// rounded up, so the wait left is more than ETA - 1: polling at the ETA itself would add up to
/// a second to every flow of a room that admits within one tick.
void flow_user::on_queue_place(bool ready, int32_t eta_seconds, steady::time_point now) {
  if (ready)
    return send(flow_step::admission);
  if (now - flow_start_ >= std::chrono::duration<double>(plan_.options.admission_timeout_s)) {
    result_.not_admitted += measured_ ? 1 : 0;
    return end_flow(false, now);
  }
  double delay = std::clamp(static_cast<double>(eta_seconds) - 1.0, plan_.options.poll_min_s,
                            plan_.options.poll_max_s);
  send_after(flow_step::status, std::chrono::duration<double>(delay));
}

void flow_user::send(flow_step step) {
  const auto& o = plan_.options;
  const std::string key = user_ + "-" + flow_step_name(step); // one write per step and user
  switch (step) {
    case flow_step::join: {
      gateway::v1::JoinQueueRequest r;
      r.set_event_id(o.event);
      r.set_user_id(user_);
      r.set_session_id("s-" + user_);
      serialize(r);
      break;
    }
    case flow_step::status: {
      gateway::v1::GetQueueStatusRequest r;
      r.set_waiting_token(waiting_token_);
      serialize(r);
      break;
    }
    case flow_step::admission: {
      gateway::v1::RequestAdmissionRequest r;
      r.set_waiting_token(waiting_token_);
      r.set_event_id(o.event);
      r.set_user_id(user_);
      serialize(r);
      break;
    }
    case flow_step::hold: {
      reservation::v1::CreateReservationRequest r;
      r.set_event_id(o.event);
      r.set_quantity(1);
      r.set_user_id(user_);
      r.set_reservation_token(reservation_token_);
      r.set_idempotency_key(key);
      serialize(r);
      break;
    }
    case flow_step::intent: {
      payment::v1::CreatePaymentIntentRequest r;
      r.set_reservation_id(reservation_id_);
      *r.mutable_amount() = amount_;
      r.set_user_id(user_);
      r.set_scenario(payment::v1::PAYMENT_SCENARIO_APPROVE);
      r.set_idempotency_key(key);
      serialize(r);
      break;
    }
    case flow_step::process: {
      payment::v1::ProcessPaymentRequest r;
      r.set_payment_intent_id(intent_id_);
      r.set_idempotency_key(key);
      serialize(r);
      break;
    }
    case flow_step::confirm: {
      reservation::v1::GetReservationRequest r;
      r.set_reservation_id(reservation_id_);
      r.set_user_id(user_);
      serialize(r);
      break;
    }
  }
  step_ = step;
  ++rpcs_;
  if (measured_)
    ++result_.calls[index_of(step)];
  reader_.reset(); // allocated in the previous call's arena, which its context owns
  context_.emplace();
  context_->set_deadline(std::chrono::system_clock::now() +
                         std::chrono::duration_cast<std::chrono::system_clock::duration>(
                             std::chrono::duration<double>(o.timeout_s)));
  response_.Clear();
  call_start_ = steady::now();
  reader_ = stub_.PrepareUnaryCall(&*context_, path_of(step), request_, &cq_);
  reader_->StartCall();
  reader_->Finish(&response_, &status_, this);
}

void flow_user::send_after(flow_step step, std::chrono::duration<double> delay) {
  step_ = step;
  alarm_pending_ = true;
  alarm_.Set(&cq_,
             std::chrono::system_clock::now() +
                 std::chrono::duration_cast<std::chrono::system_clock::duration>(delay),
             this);
}

void flow_user::serialize(const google::protobuf::Message& request) {
  auto bytes = request.SerializeAsString();
  grpc::Slice slice{bytes};
  request_ = grpc::ByteBuffer{&slice, 1};
}

template <class Reply>
bool flow_user::parse(Reply& out) {
  std::vector<grpc::Slice> slices;
  if (!response_.Dump(&slices).ok())
    return false;
  std::string bytes;
  for (const auto& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out.ParseFromString(bytes);
}

} // namespace tt::load
