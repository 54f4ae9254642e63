#pragma once
/// The gateway's way into the node: the contract's own handlers. Every HTTP route is one or two
/// contract calls, so it passes the same validation, idempotency records, routing and, in a
/// cluster, the same one-hop forwarding as a gRPC client's call. Where the node may serve a
/// method itself (rpc_service::local: not guarded, and no cluster routing), the handler is
/// called directly with the request object (no serialization, no gRPC call); otherwise the
/// call goes through the node's gRPC server in process (no socket), which routes or guards it
/// (docs/http.md). Thread-safe; `done` runs on a gRPC or actor thread and must not block.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "adapters/grpc/rpc_service.hpp"

namespace tt::adapters::http {

/// The node's in-process entry of a method path, or null (rpc::server::local_call).
using local_calls = std::function<const rpc::rpc_service::local_unary*(std::string_view)>;

class contract_client {
 public:
  /// `local` (may be empty: every call over `channel`) finds the methods called directly.
  contract_client(std::shared_ptr<grpc::Channel> channel, local_calls local)
      : stub_(std::make_shared<grpc::GenericStub>(std::move(channel))), local_(std::move(local)),
        inflight_(std::make_shared<counter>()) {}

  /// Calls `method_path` ("/pkg.Service/Method") with `request`, the caller's trace id in
  /// x-trace-id and, when given, the caller's `authorization` ("Bearer <token>": the operators'
  /// calls check it themselves). `done(status, response)`: response is parsed only on OK; a
  /// reply that does not parse becomes INTERNAL.
  template <class Response>
  void call(const std::string& method_path, const google::protobuf::Message& request,
            const std::string& trace_id, std::function<void(const grpc::Status&, Response&)> done,
            const std::string& authorization = {}) const {
    if (const auto* entry = local_ ? local_(method_path) : nullptr) {
      inflight_->add();
      (*entry)(request, trace_id,
               [inflight = inflight_, done = std::move(done)](const grpc::Status& status,
                                                              google::protobuf::Message& reply) {
                 // The entry's reply is the method's response type, as `Response` is.
                 if (reply.GetDescriptor() == Response::descriptor()) {
                   done(status, static_cast<Response&>(reply));
                 } else {
                   Response none;
                   done(grpc::Status(grpc::StatusCode::INTERNAL, "the reply is of another type"),
                        none);
                 }
                 inflight->remove();
               });
      return;
    }
    struct outgoing {
      grpc::ClientContext ctx;
      grpc::ByteBuffer request;
      grpc::ByteBuffer response;
    };
    auto out = std::make_shared<outgoing>();
    inflight_->add();
    out->ctx.AddMetadata("x-trace-id", trace_id);
    if (!authorization.empty())
      out->ctx.AddMetadata("authorization", authorization);
    auto bytes = request.SerializeAsString();
    grpc::Slice slice(bytes);
    out->request = grpc::ByteBuffer(&slice, 1);
    stub_->UnaryCall(&out->ctx, method_path, {}, &out->request, &out->response,
                     [out, inflight = inflight_, done = std::move(done)](grpc::Status status) {
                       Response parsed;
                       if (status.ok() && !parse(out->response, parsed))
                         status = grpc::Status(grpc::StatusCode::INTERNAL,
                                               "the node's reply did not parse");
                       done(status, parsed);
                       inflight->remove();
                     });
  }

  /// The stub itself, for the server streams a WebSocket bridges (websocket_bridge.hpp), which
  /// track their own calls.
  grpc::GenericStub& stub() const noexcept { return *stub_; }

  /// Waits (at most `limit`) until every call made has run its `done`: at shutdown, before what
  /// `done` touches goes away. Every call ends within the server's time budget.
  void wait_idle(std::chrono::milliseconds limit) const { inflight_->wait_zero(limit); }

 private:
  static bool parse(const grpc::ByteBuffer& buffer, google::protobuf::Message& msg) {
    std::vector<grpc::Slice> slices;
    if (!buffer.Dump(&slices).ok())
      return false;
    std::string bytes;
    for (const auto& s : slices)
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    return msg.ParseFromString(bytes);
  }

  struct counter {
    std::mutex mutex;
    std::condition_variable zero;
    size_t n = 0;
    void add() {
      std::lock_guard lock{mutex};
      ++n;
    }
    void remove() {
      std::lock_guard lock{mutex};
      if (--n == 0)
        zero.notify_all();
    }
    void wait_zero(std::chrono::milliseconds limit) {
      std::unique_lock lock{mutex};
      zero.wait_for(lock, limit, [this] { return n == 0; });
    }
  };

  std::shared_ptr<grpc::GenericStub> stub_;
  local_calls local_;
  std::shared_ptr<counter> inflight_;
};

} // namespace tt::adapters::http
