#pragma once
/// Where a call is served, decided after its request parsed and before its handler runs: here,
/// or on another node (the cluster's one-hop forwarding and stream relay, forwarding.hpp). A node
/// without a router serves everything itself.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include "actors/common/failure.hpp"
#include "adapters/grpc/stream_writer.hpp"

namespace tt::adapters::rpc {

/// The metadata key that marks a forwarded call (its value: the forwarding node's id).
inline constexpr const char* forwarded_header = "x-tt-forwarded";

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

/// A routed server stream: served here (`serve_here`, once), or written by the router: another
/// node's messages and final status relayed, or a refusal.
struct routed_stream {
  std::function<void()> serve_here;
  std::shared_ptr<stream_writer> stream;
};

class call_router {
 public:
  virtual ~call_router() = default;
  /// Decides where `request` (parsed from `raw`, for `method_path` "/pkg.Service/Method") is
  /// served and ends `call` accordingly, now or later. `ctx` outlives the call.
  virtual void route(const std::string& method_path, const google::protobuf::Message& request,
                     grpc::CallbackServerContext* ctx, const grpc::ByteBuffer& raw,
                     routed_call call) = 0;
  /// The same for a server-streaming call. `raw` may be cleared once this returns (the router
  /// keeps what it needs); `ctx` is only read during the call to route_stream.
  virtual void route_stream(const std::string& method_path,
                            const google::protobuf::Message& request,
                            grpc::CallbackServerContext* ctx, const grpc::ByteBuffer& raw,
                            routed_stream stream) = 0;
};

} // namespace tt::adapters::rpc
