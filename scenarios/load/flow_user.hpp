// One virtual user of tt_flowgen: a state machine over the async gRPC client API that runs
// JoinQueue -> GetQueueStatus... -> RequestAdmission -> CreateReservation -> CreatePaymentIntent
// -> ProcessPayment -> GetReservation... as one flow, then the next flow as a new user.

#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <google/protobuf/message.h>
#include <grpcpp/alarm.h>
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>

#include "proto/common/v1/types.pb.h"
#include "scenarios/load/flow_options.hpp"
#include "scenarios/load/flow_result.hpp"

namespace tt::load {

/// Shared, read-only while the users run.
struct flow_plan {
  const flow_options& options;
  std::chrono::steady_clock::time_point warm_end;
  std::chrono::steady_clock::time_point end; ///< no flow starts at or after it
};

/// Has at most one operation outstanding on its completion queue (a call, or an alarm before
/// its next poll), tagged with its own address, so the queue's thread alone touches it.
class flow_user {
 public:
  using steady = std::chrono::steady_clock;

  /// `name` makes its user ids unique: <prefix>-<name>-<flow number>.
  flow_user(const flow_plan& plan, grpc::GenericStub& stub, grpc::CompletionQueue& cq,
            flow_result& result, std::string name);

  /// Starts the first flow.
  void start();
  /// Handles the completion of its outstanding operation. Returns false once the user has
  /// retired (its last flow ended at or after the plan's end).
  bool on_completion();

 private:
  void begin_flow(steady::time_point now);
  void end_flow(bool confirmed, steady::time_point now);
  void fail_call();
  void send(flow_step step);
  void send_after(flow_step step, std::chrono::duration<double> delay);
  void on_reply(steady::time_point now);
  void on_queue_place(bool ready, int32_t eta_seconds, steady::time_point now);
  template <class Reply>
  bool parse(Reply& out);
  void serialize(const google::protobuf::Message& request);

  const flow_plan& plan_;
  grpc::GenericStub& stub_;
  grpc::CompletionQueue& cq_;
  flow_result& result_;
  std::string name_;
  uint64_t flows_started_ = 0;

  // The flow in progress.
  std::string user_;
  std::string waiting_token_;
  std::string reservation_token_;
  std::string reservation_id_;
  std::string intent_id_;
  common::v1::Money amount_;
  steady::time_point flow_start_;
  steady::time_point call_start_;
  steady::time_point confirm_deadline_;
  bool measured_ = false;
  uint64_t rpcs_ = 0;

  // The outstanding operation.
  flow_step step_ = flow_step::join;
  bool alarm_pending_ = false; // else a call is
  grpc::Alarm alarm_;
  std::optional<grpc::ClientContext> context_; // single use: re-created in place per call
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::Status status_;
};

} // namespace tt::load
