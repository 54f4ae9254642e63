#pragma once
/// A contract service served from its protobuf descriptor. Every method is registered as a raw
/// callback, so this class (not gRPC's generated code) parses requests: a malformed message gets
/// INVALID_ARGUMENT with a common.v1.Error, as the contract promises, instead of gRPC's generic
/// INTERNAL. Methods without a bound handler answer UNIMPLEMENTED, also with a common.v1.Error.
/// Server-streaming methods are bound the same way, to a server_stream (bounded, latest state
/// wins).
/// Bind all handlers before the server starts; the object must outlive the server.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/service_type.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include "adapters/grpc/call_guard.hpp"
#include "adapters/grpc/call_limits.hpp"
#include "adapters/grpc/call_router.hpp"
#include "adapters/grpc/server_stream.hpp"
#include "adapters/grpc/unary_call.hpp"
#include "adapters/logs/log_context.hpp"

namespace tt::adapters::rpc {

class rpc_service : public grpc::Service {
 public:
  template <class Request, class Response>
  using unary_handler = std::function<void(std::shared_ptr<unary_call<Request, Response>>)>;

  template <class Request, class Response>
  using stream_handler = std::function<void(std::shared_ptr<server_stream<Request, Response>>)>;

  /// A unary method called in this process without gRPC (the HTTP gateway's routes): `request`
  /// (the method's request type) is copied into the call, which its handler serves as any other
  /// (the same checks, idempotency records and actors, the default time budget); `done` gets the
  /// status and, on OK, the response (the method's response type). No serialization, no gRPC
  /// threads: `done` runs on the thread that completes the call and must not block.
  using local_done = std::function<void(const grpc::Status&, google::protobuf::Message&)>;
  using local_unary = std::function<void(const google::protobuf::Message& request,
                                         std::string trace_id, local_done done)>;

  rpc_service(const google::protobuf::ServiceDescriptor& descriptor, call_limits limits);

  const google::protobuf::ServiceDescriptor& descriptor() const noexcept { return descriptor_; }

  /// Serves `method` (its name in the contract, e.g. "HealthCheck") with `handler`, which owns the
  /// call and must complete it. Request/Response must be the method's contract types.
  template <class Request, class Response>
  void bind_unary(const std::string& method, unary_handler<Request, Response> handler) {
    auto index =
        method_index(method, call_shape::unary, Request::descriptor(), Response::descriptor());
    unary_[index] = [this, index, handler](grpc::CallbackServerContext* ctx,
                                           const grpc::ByteBuffer* in, grpc::ByteBuffer* out) {
      auto call = std::make_shared<unary_call<Request, Response>>(ctx, out, trace_id_of(ctx),
                                                                  limits_, paths_[index]);
      call->measure(meters_[index]);
      auto* reactor = call->reactor();
      if (auto refused = admit(index, *ctx, *call))
        call->fail(*refused);
      else if (!parse(in, *call))
        call->fail(malformed(*Request::descriptor()));
      else if (router_ == nullptr)
        handler(std::move(call));
      else
        router_->route(paths_[index], call->request(), ctx, *in,
                       {[handler, call] { handler(call); },
                        [call](const grpc::Status& status, const grpc::ByteBuffer& response) {
                          call->relay(status, response);
                        },
                        [call](const failure& f) { call->fail(f); },
                        std::chrono::duration_cast<std::chrono::milliseconds>(call->timeout()),
                        call->trace_id()});
      return reactor;
    };
    local_[index] = [this, index,
                     handler = std::move(handler)](const google::protobuf::Message& request,
                                                   std::string trace_id, local_done done) {
      auto call = std::make_shared<unary_call<Request, Response>>(
          [done = std::move(done)](const grpc::Status& status, Response& response) {
            done(status, response);
          },
          std::move(trace_id), limits_, paths_[index]);
      call->measure(meters_[index]);
      call->request().CopyFrom(request);
      handler(std::move(call));
    };
  }

  /// The in-process entry of `method_path` ("/pkg.Service/Method"), or null when the call must go
  /// over gRPC: not bound here, guarded (its guard reads the caller's headers), or routed (in a
  /// cluster the router may forward it to the owner of its shard).
  const local_unary* local(std::string_view method_path) const;

  /// Every call of `methods` (empty: of every unary method, bound or not) must pass `guard`
  /// (not owned; outlives the service). Set before the server starts.
  void guard(const call_guard& guard, const std::vector<std::string>& methods = {});

  /// Measures every bound method's calls in `metrics` (not owned; outlives the service): unary
  /// calls by status and latency, streams by how many are open. Set before the server starts.
  void measure(metrics::rpc_metrics& metrics);

  /// Routes every unary call and server stream through `router` (not owned; outlives the
  /// service) before its handler: set before the server starts, in a cluster.
  void set_router(call_router* router) noexcept { router_ = router; }

  /// Serves the server-streaming `method` with `handler`, which owns the stream and must end it
  /// (`finish`/`fail`) unless the client goes away first.
  template <class Request, class Response>
  void bind_server_stream(const std::string& method, stream_handler<Request, Response> handler) {
    auto index = method_index(method, call_shape::server_streaming, Request::descriptor(),
                              Response::descriptor());
    streams_[index] = [this, index, handler = std::move(handler)](grpc::CallbackServerContext* ctx,
                                                                  const grpc::ByteBuffer* in) {
      auto stream = server_stream<Request, Response>::open(trace_id_of(ctx));
      if (auto* open = open_streams_[index]) {
        open->Increment();
        stream->on_close([open] { open->Decrement(); });
      }
      grpc::ServerWriteReactor<grpc::ByteBuffer>* reactor = stream.get();
      if (!parse(in, stream->request()))
        stream->fail(malformed(*Request::descriptor()));
      else if (router_ == nullptr)
        handler(stream);
      else
        router_->route_stream(paths_[index], stream->request(), ctx, *in,
                              {[handler, stream] { handler(stream); }, stream});
      // gRPC keeps the request bytes until the call ends (it placement-news a non-const ByteBuffer
      // in the call arena and destroys it at the end), and a stream lives for minutes: release
      // them once parsed and routed, ~0.4 KiB per open stream (ops/bench/stream_memory.py).
      const_cast<grpc::ByteBuffer*>(in)->Clear();
      return reactor;
    };
  }

 private:
  using raw_stream = std::function<grpc::ServerWriteReactor<grpc::ByteBuffer>*(
      grpc::CallbackServerContext*, const grpc::ByteBuffer*)>;
  using raw_unary = std::function<grpc::ServerUnaryReactor*(
      grpc::CallbackServerContext*, const grpc::ByteBuffer*, grpc::ByteBuffer*)>;

  enum class call_shape : uint8_t { unary, server_streaming };
  /// Checks that `method` exists, has this shape and these types; throws std::logic_error
  /// otherwise (a wiring bug, found at start-up).
  size_t method_index(const std::string& method, call_shape shape,
                      const google::protobuf::Descriptor* req,
                      const google::protobuf::Descriptor* resp) const;

  static std::string trace_id_of(grpc::CallbackServerContext* ctx);

  /// The refusal of method `index`'s guard, if it has one and it refuses; else records the
  /// caller on `call`.
  template <class Call>
  std::optional<failure> admit(size_t index, const grpc::CallbackServerContext& ctx,
                               Call& call) const {
    if (guards_[index] == nullptr)
      return std::nullopt;
    auto who = guards_[index]->admit(ctx, paths_[index], call.trace_id());
    if (!who)
      return std::move(who).error();
    call.set_caller(std::move(*who));
    return std::nullopt;
  }
  static failure malformed(const google::protobuf::Descriptor& type);

  template <class Message>
  static bool parse(const grpc::ByteBuffer* in, Message& msg) {
    grpc::ByteBuffer copy(*in); // the reader needs a mutable buffer; copying only adds a ref
    grpc::ProtoBufferReader reader(&copy);
    return msg.ParseFromZeroCopyStream(&reader);
  }

  /// Parses a call's request; what protobuf logs meanwhile (invalid UTF-8...) carries its trace id.
  template <class Request, class Response>
  static bool parse(const grpc::ByteBuffer* in, unary_call<Request, Response>& call) {
    logs::log_scope scope{call.trace_id()};
    return parse(in, call.request());
  }

  grpc::ServerUnaryReactor* dispatch(size_t index, grpc::CallbackServerContext* ctx,
                                     const grpc::ByteBuffer* in, grpc::ByteBuffer* out);

  const google::protobuf::ServiceDescriptor& descriptor_;
  call_limits limits_;
  /// Method paths ("/pkg.Service/Method"); gRPC keeps pointers into these strings.
  std::vector<std::string> paths_;
  /// Bound handlers by method index; empty = not served.
  std::vector<raw_unary> unary_;
  /// The same handlers, called in process (local); empty = not served.
  std::vector<local_unary> local_;
  std::vector<raw_stream> streams_;
  /// By method index; null = open.
  std::vector<const call_guard*> guards_;
  /// By method index, resolved once by `measure`; null = not measured.
  std::vector<metrics::method_meter*> meters_;
  std::vector<prometheus::Gauge*> open_streams_;
  call_router* router_ = nullptr;
};

} // namespace tt::adapters::rpc
