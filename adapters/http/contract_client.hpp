#pragma once
/// The gateway's way into the node: the node's own gRPC server, called in process (no socket,
/// no copy through the kernel). Every HTTP route is one or two contract calls, so it passes
/// the same validation, idempotency records, routing and, in a cluster, the same one-hop
/// forwarding as a gRPC client's call (docs/http.md says why this and not the actors directly).
/// Thread-safe; `done` runs on a gRPC thread and must not block.

#include <functional>
#include <memory>
#include <string>

#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

namespace tt::adapters::http {

class contract_client {
 public:
  explicit contract_client(std::shared_ptr<grpc::Channel> channel)
      : stub_(std::make_shared<grpc::GenericStub>(std::move(channel))) {}

  /// Calls `method_path` ("/pkg.Service/Method") with `request`, the caller's trace id in
  /// x-trace-id. `done(status, response)`: response is parsed only on OK; a reply that does not
  /// parse becomes INTERNAL.
  template <class Response>
  void call(const std::string& method_path, const google::protobuf::Message& request,
            const std::string& trace_id,
            std::function<void(const grpc::Status&, Response&)> done) const {
    struct outgoing {
      grpc::ClientContext ctx;
      grpc::ByteBuffer request;
      grpc::ByteBuffer response;
    };
    auto out = std::make_shared<outgoing>();
    out->ctx.AddMetadata("x-trace-id", trace_id);
    auto bytes = request.SerializeAsString();
    grpc::Slice slice(bytes);
    out->request = grpc::ByteBuffer(&slice, 1);
    stub_->UnaryCall(&out->ctx, method_path, {}, &out->request, &out->response,
                     [out, done = std::move(done)](grpc::Status status) {
                       Response parsed;
                       if (status.ok() && !parse(out->response, parsed))
                         status = grpc::Status(grpc::StatusCode::INTERNAL,
                                               "the node's reply did not parse");
                       done(status, parsed);
                     });
  }

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

  std::shared_ptr<grpc::GenericStub> stub_;
};

} // namespace tt::adapters::http
