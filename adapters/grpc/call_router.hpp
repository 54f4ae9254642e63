#pragma once
/// Where a unary call is served, decided after its request parsed and before its handler runs:
/// here, or on another node (the cluster's one-hop forwarding, forwarding.hpp). A node without
/// a router serves everything itself.

#include <chrono>
#include <functional>
#include <string>

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include "actors/common/failure.hpp"

namespace tt::adapters::rpc {

/// The ways a routed call can end; exactly one of them is used, once.
struct routed_call {
  /// Runs the local handler.
  std::function<void()> serve_here;
  /// Completes the call with another node's answer, unchanged.
  std::function<void(const grpc::Status&, const grpc::ByteBuffer&)> relay;
  std::function<void(const failure&)> reject;
  /// What is left of the caller's deadline (bounded by the node's limits).
  std::chrono::milliseconds budget{0};
  std::string trace_id;
};

class call_router {
 public:
  virtual ~call_router() = default;
  /// Decides where `request` (parsed from `raw`, for `method_path` "/pkg.Service/Method") is
  /// served and ends `call` accordingly, now or later. `ctx` outlives the call.
  virtual void route(const std::string& method_path, const google::protobuf::Message& request,
                     grpc::CallbackServerContext* ctx, const grpc::ByteBuffer& raw,
                     routed_call call) = 0;
};

} // namespace tt::adapters::rpc
