#pragma once
/// One in-flight unary RPC: the parsed request, the response being filled, the trace id and the
/// time budget. Shared by the adapter and the request actor; it completes exactly once, through
/// `reply()` or `fail()`. If every owner drops it without completing (a bug), the destructor
/// answers INTERNAL rather than leaving the client hanging.
/// A failed call writes one log line naming its method and code, under its trace id (debug; an
/// internal error at error level), so GetLogs finds it by the id the client saw.
/// With a method_meter (metrics on), the completion also records its status code and the time
/// since the call was received.
/// A call made in this process without gRPC (rpc_service::local, for the HTTP gateway) has no
/// server context: it completes through a callback with the status and the response object
/// (no serialization), reads no client headers (none are sent) and drops trailers.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include <caf/timespan.hpp>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <spdlog/spdlog.h>

#include "actors/common/failure.hpp"
#include "adapters/grpc/call_limits.hpp"
#include "adapters/grpc/status_mapping.hpp"
#include "adapters/logs/log_context.hpp"
#include "adapters/metrics/rpc_metrics.hpp"

namespace tt::adapters::rpc {

/// The caller's metadata value for `key` ("" when absent).
inline std::string client_header(const grpc::CallbackServerContext* ctx, const char* key) {
  const auto& md = ctx->client_metadata();
  auto it = md.find(key);
  return it == md.end() ? std::string{} : std::string{it->second.data(), it->second.size()};
}

template <class Request, class Response>
class unary_call {
 public:
  /// How a call made in process completes: its status and, on OK, its response. Runs on the
  /// thread that completes the call (an actor's, or the deadlines' thread); must not block.
  using local_done = std::function<void(const grpc::Status&, Response&)>;

  /// `method` is the call's path ("/pkg.Service/Method"), kept by the service for its life.
  unary_call(grpc::CallbackServerContext* ctx, grpc::ByteBuffer* out, std::string trace_id,
             const call_limits& limits, std::string_view method)
      : ctx_(ctx), reactor_(ctx->DefaultReactor()), out_(out), trace_id_(std::move(trace_id)),
        method_(method), timeout_(budget(ctx->deadline(), limits)) {
    ctx_->AddInitialMetadata("x-trace-id", trace_id_);
  }

  /// A call made in process: the default time budget, completed through `done`.
  unary_call(local_done done, std::string trace_id, const call_limits& limits,
             std::string_view method)
      : local_done_(std::move(done)), trace_id_(std::move(trace_id)), method_(method),
        timeout_(budget(std::chrono::system_clock::time_point::max(), limits)) {}

  unary_call(const unary_call&) = delete;
  unary_call& operator=(const unary_call&) = delete;

  ~unary_call() {
    if (!done_.load())
      fail(tt::fail(errc::internal, "the request was dropped without a reply"));
  }

  Request& request() noexcept { return request_; }
  Response& response() noexcept { return response_; }
  const std::string& trace_id() const noexcept { return trace_id_; }
  grpc::ServerUnaryReactor* reactor() const noexcept { return reactor_; }
  std::string_view method() const noexcept { return method_; }

  /// The client's request header `key` (lower case); empty when absent. Until the call ends.
  std::string_view header(const std::string& key) const {
    if (ctx_ == nullptr)
      return {};
    const auto& md = ctx_->client_metadata();
    auto it = md.find(key);
    return it == md.end() ? std::string_view{}
                          : std::string_view(it->second.data(), it->second.size());
  }

  /// Who made the call, as its service's call_guard admitted it (empty: no guard).
  const std::string& caller() const noexcept { return caller_; }
  void set_caller(std::string caller) { caller_ = std::move(caller); }

  /// Records the call's outcome and latency in `meter` (null: not measured); set at receipt.
  void measure(metrics::method_meter* meter) noexcept {
    meter_ = meter;
    if (meter_ != nullptr)
      received_ = std::chrono::steady_clock::now();
  }

  /// `hook` runs once when the call completes, before the client hears of it: with null on
  /// success, else with the failure. Set before the call is handed on.
  void on_done(std::function<void(const failure*)> hook) { on_done_ = std::move(hook); }

  /// The caller's metadata value for `key` ("" when absent); valid until the call completes.
  std::string header(const char* key) const {
    return ctx_ == nullptr ? std::string{} : client_header(ctx_, key);
  }

  /// How long the actor side may take: the client's deadline, else the default, never above the
  /// configured maximum.
  caf::timespan timeout() const noexcept { return timeout_; }

  /// Adds trailing metadata to the answer (before reply); a call made in process has none.
  void trailer(const std::string& key, const std::string& value) {
    if (ctx_ != nullptr)
      ctx_->AddTrailingMetadata(key, value);
  }

  /// Sends `response()` with status OK.
  void reply() {
    if (done_.exchange(true))
      return;
    if (on_done_)
      on_done_(nullptr);
    if (local_done_) {
      finish(grpc::Status::OK);
      return;
    }
    bool own_buffer = false;
    auto status = grpc::SerializationTraits<Response>::Serialize(response_, out_, &own_buffer);
    finish(status);
  }

  /// Relays another node's answer to this call unchanged (a forwarded call): its status, error
  /// details included, and on OK its response bytes. Only for calls over gRPC: a call made in
  /// process is never routed (rpc_service::local).
  void relay(const grpc::Status& status, const grpc::ByteBuffer& response) {
    if (done_.exchange(true))
      return;
    if (status.ok())
      *out_ = response;
    finish(status);
  }

  /// Sends the mapped error status; the response body is not sent (gRPC drops it on non-OK).
  void fail(const failure& f) {
    if (done_.exchange(true))
      return;
    {
      logs::log_scope scope{trace_id_};
      auto level = f.code == errc::internal || f.code == errc::data_corruption
                       ? spdlog::level::err
                       : spdlog::level::debug;
      spdlog::log(level, "grpc: {} failed, {}: {}", method_, to_string(f.code), f.message);
      if (on_done_)
        on_done_(&f);
    }
    finish(to_grpc_status(f, trace_id_));
  }

 private:
  void finish(const grpc::Status& status) {
    if (meter_ != nullptr)
      meter_->record(status.error_code(), std::chrono::steady_clock::now() - received_);
    if (local_done_)
      local_done_(status, response_);
    else
      reactor_->Finish(status);
  }

  static caf::timespan budget(std::chrono::system_clock::time_point deadline,
                              const call_limits& limits) {
    using namespace std::chrono;
    auto wanted = duration_cast<milliseconds>(limits.default_timeout);
    if (deadline != system_clock::time_point::max())
      wanted = duration_cast<milliseconds>(deadline - system_clock::now());
    if (wanted > limits.max_timeout)
      wanted = limits.max_timeout;
    if (wanted < milliseconds{1})
      wanted = milliseconds{1};
    return duration_cast<caf::timespan>(wanted);
  }

  grpc::CallbackServerContext* ctx_ = nullptr; // null: a call made in process
  grpc::ServerUnaryReactor* reactor_ = nullptr;
  grpc::ByteBuffer* out_ = nullptr;
  local_done local_done_; // set: a call made in process
  std::string trace_id_;
  std::string_view method_;
  std::string caller_;
  std::function<void(const failure*)> on_done_;
  metrics::method_meter* meter_ = nullptr;
  std::chrono::steady_clock::time_point received_;
  caf::timespan timeout_;
  Request request_;
  Response response_;
  std::atomic<bool> done_{false};
};

} // namespace tt::adapters::rpc
