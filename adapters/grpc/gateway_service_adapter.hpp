#pragma once
/// gateway.v1.GatewayService. Actor entry points: node_health_actor (HealthCheck). The other RPCs
/// answer UNIMPLEMENTED until the issues that build their actors bind them here.

#include "actors/runtime/node_health_actor.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "proto/gateway/v1/gateway.pb.h"

namespace tt::adapters::rpc {

class gateway_service_adapter {
 public:
  gateway_service_adapter(rpc_service& service, call_bridge bridge,
                          actors::node_health_actor health);

 private:
  using health_check_call =
      unary_call<gateway::v1::HealthCheckRequest, gateway::v1::HealthCheckResponse>;
  void health_check(std::shared_ptr<health_check_call> call);

  call_bridge bridge_;
  actors::node_health_actor health_;
};

} // namespace tt::adapters::rpc
