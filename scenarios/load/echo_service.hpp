// The benchmark's baseline: a gRPC service that does nothing but echo, on the same callback API
// and message limits as the node, so "ratio to echo" isolates what the node adds per call.

#pragma once

#include <grpcpp/generic/async_generic_service.h>

namespace tt::load {

/// Answers every method path, unary or streaming, by echoing the first request message back
/// unchanged and finishing with OK (a call that sends no message finishes with OK and no reply).
/// Stateless: one instance serves all calls on gRPC's callback threads.
class echo_service final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;
};

} // namespace tt::load
