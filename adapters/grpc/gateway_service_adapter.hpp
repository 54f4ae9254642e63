#pragma once
/// gateway.v1.GatewayService. Actor entry points: node_health_actor (HealthCheck) and the shard
/// region (event availability, the reservation RPCs shared with ReservationService and the
/// payment RPCs shared with PaymentService). ValidateToken needs no actor: it checks the JWT
/// with adapters/auth on the gRPC thread (pure, no I/O).

#include <optional>

#include "actors/runtime/node_health_actor.hpp"
#include "actors/runtime/shard_region.hpp"
#include "adapters/auth/jwt.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "proto/gateway/v1/gateway.pb.h"

namespace tt::adapters::rpc {

class gateway_service_adapter {
 public:
  /// `jwt` unset: no key is configured and ValidateToken answers UNAVAILABLE.
  gateway_service_adapter(rpc_service& service, call_bridge bridge,
                          actors::node_health_actor health, actors::shard_region region,
                          std::optional<auth::jwt_verifier> jwt);

 private:
  using health_check_call =
      unary_call<gateway::v1::HealthCheckRequest, gateway::v1::HealthCheckResponse>;
  using availability_call = unary_call<gateway::v1::GetEventAvailabilityRequest,
                                       gateway::v1::GetEventAvailabilityResponse>;
  void health_check(std::shared_ptr<health_check_call> call);
  void get_event_availability(std::shared_ptr<availability_call> call);
  using validate_call =
      unary_call<gateway::v1::ValidateTokenRequest, gateway::v1::ValidateTokenResponse>;
  void validate_token(std::shared_ptr<validate_call> call);

  call_bridge bridge_;
  actors::node_health_actor health_;
  actors::shard_region region_;
  std::optional<auth::jwt_verifier> jwt_;
};

} // namespace tt::adapters::rpc
