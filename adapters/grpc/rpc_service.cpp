#include "adapters/grpc/rpc_service.hpp"

#include <algorithm>
#include <stdexcept>

#include <grpcpp/impl/codegen/server_callback_handlers.h>
#include <grpcpp/impl/rpc_service_method.h>

#include "adapters/grpc/trace_id.hpp"

namespace tt::adapters::rpc {

namespace {

using grpc::internal::RpcMethod;

failure not_served(const google::protobuf::MethodDescriptor& m) {
  return fail(errc::unimplemented, "method " + m.full_name() + " is not served by this node");
}

/// Server-streaming methods without a bound handler finish at once with UNIMPLEMENTED.
class unserved_stream : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit unserved_stream(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

} // namespace

const rpc_service::local_unary* rpc_service::local(std::string_view method_path) const {
  if (router_ != nullptr)
    return nullptr;
  for (size_t i = 0; i < paths_.size(); ++i)
    if (paths_[i] == method_path)
      return local_[i] && guards_[i] == nullptr ? &local_[i] : nullptr;
  return nullptr;
}

rpc_service::rpc_service(const google::protobuf::ServiceDescriptor& descriptor, call_limits limits)
    : descriptor_(descriptor), limits_(limits) {
  auto n = static_cast<size_t>(descriptor.method_count());
  paths_.reserve(n); // never reallocates afterwards: gRPC holds c_str() pointers
  unary_.resize(n);
  local_.resize(n);
  streams_.resize(n);
  guards_.resize(n);
  meters_.resize(n);
  open_streams_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& m = *descriptor.method(static_cast<int>(i));
    paths_.push_back("/" + descriptor.full_name() + "/" + m.name());
    if (m.client_streaming())
      throw std::logic_error("client streaming is not part of the contract: " + m.full_name());
    if (m.server_streaming()) {
      AddMethod(new grpc::internal::RpcServiceMethod(paths_.back().c_str(),
                                                     RpcMethod::SERVER_STREAMING, nullptr));
      MarkMethodRawCallback(
          static_cast<int>(i),
          new grpc::internal::CallbackServerStreamingHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
              [this, i, &m](grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* in)
                  -> grpc::ServerWriteReactor<grpc::ByteBuffer>* {
                if (streams_[i])
                  return streams_[i](ctx, in);
                auto trace = trace_id_of(ctx);
                ctx->AddInitialMetadata("x-trace-id", trace);
                return new unserved_stream(to_grpc_status(not_served(m), trace));
              }));
      continue;
    }
    AddMethod(new grpc::internal::RpcServiceMethod(paths_.back().c_str(), RpcMethod::NORMAL_RPC,
                                                   nullptr));
    MarkMethodRawCallback(
        static_cast<int>(i),
        new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
            [this, i](grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* in,
                      grpc::ByteBuffer* out) { return dispatch(i, ctx, in, out); }));
  }
}

grpc::ServerUnaryReactor* rpc_service::dispatch(size_t index, grpc::CallbackServerContext* ctx,
                                                const grpc::ByteBuffer* in, grpc::ByteBuffer* out) {
  if (unary_[index])
    return unary_[index](ctx, in, out);
  auto* reactor = ctx->DefaultReactor();
  auto trace = trace_id_of(ctx);
  ctx->AddInitialMetadata("x-trace-id", trace);
  // A guarded method refuses whom its guard refuses, served or not.
  auto answer = not_served(*descriptor_.method(static_cast<int>(index)));
  if (guards_[index] != nullptr)
    if (auto who = guards_[index]->admit(*ctx, paths_[index], trace); !who)
      answer = std::move(who).error();
  reactor->Finish(to_grpc_status(answer, trace));
  return reactor;
}

void rpc_service::measure(metrics::rpc_metrics& metrics) {
  for (int i = 0; i < descriptor_.method_count(); ++i) {
    auto index = static_cast<size_t>(i);
    if (descriptor_.method(i)->server_streaming())
      open_streams_[index] = &metrics.open_streams(paths_[index]);
    else
      meters_[index] = &metrics.unary(paths_[index]);
  }
}

void rpc_service::guard(const call_guard& guard, const std::vector<std::string>& methods) {
  for (int i = 0; i < descriptor_.method_count(); ++i) {
    const auto& m = *descriptor_.method(i);
    bool listed =
        methods.empty() || std::find(methods.begin(), methods.end(), m.name()) != methods.end();
    if (m.server_streaming() && listed && !methods.empty())
      throw std::logic_error("guards cover unary methods only: " + m.full_name());
    if (listed && !m.server_streaming())
      guards_[static_cast<size_t>(i)] = &guard;
  }
  for (const auto& name : methods)
    if (descriptor_.FindMethodByName(name) == nullptr)
      throw std::logic_error("no method " + name + " in " + descriptor_.full_name());
}

size_t rpc_service::method_index(const std::string& method, call_shape shape,
                                 const google::protobuf::Descriptor* req,
                                 const google::protobuf::Descriptor* resp) const {
  bool streaming = shape == call_shape::server_streaming;
  const auto* m = descriptor_.FindMethodByName(method);
  if (m == nullptr || m->server_streaming() != streaming || m->input_type() != req ||
      m->output_type() != resp)
    throw std::logic_error(std::string(streaming ? "no streaming" : "no unary") + " method " +
                           method + "(" + req->full_name() + ") returns (" + resp->full_name() +
                           ") in " + descriptor_.full_name());
  return static_cast<size_t>(m->index());
}

std::string rpc_service::trace_id_of(grpc::CallbackServerContext* ctx) {
  return resolve_trace_id(client_header(ctx, "x-trace-id"), client_header(ctx, "traceparent"));
}

failure rpc_service::malformed(const google::protobuf::Descriptor& type) {
  return fail(errc::invalid_argument, "the request is not a valid " + type.full_name() + " message",
              {{"request", "malformed protobuf", ""}});
}

} // namespace tt::adapters::rpc
