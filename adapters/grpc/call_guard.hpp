#pragma once
/// Who may call a method: asked before a guarded method's request is even parsed, so a caller it
/// refuses learns nothing about the request's shape. Set per method on an rpc_service before the
/// server starts (rpc_service::guard); methods without one are open.

#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "actors/common/result.hpp"

namespace tt::adapters::rpc {

class call_guard {
 public:
  virtual ~call_guard() = default;
  /// The caller's name for audit lines, or the refusal (errc::unauthenticated: no or a bad
  /// credential; errc::forbidden: a valid one without the right). `method` is the call's path.
  /// Called on gRPC threads, concurrently.
  virtual result<std::string> admit(const grpc::CallbackServerContext& ctx, std::string_view method,
                                    std::string_view trace_id) const = 0;
};

} // namespace tt::adapters::rpc
