#pragma once
/// common.v1.AdminService. Actor entry points: node_health_actor (GetSystemHealth). The other RPCs
/// answer UNIMPLEMENTED until the issues that build their actors bind them here.

#include "actors/runtime/node_health_actor.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "proto/common/v1/admin.pb.h"

namespace tt::adapters::rpc {

class admin_service_adapter {
 public:
  admin_service_adapter(rpc_service& service, call_bridge bridge, actors::node_health_actor health);

 private:
  using system_health_call =
      unary_call<common::v1::GetSystemHealthRequest, common::v1::GetSystemHealthResponse>;
  void get_system_health(std::shared_ptr<system_health_call> call);

  call_bridge bridge_;
  actors::node_health_actor health_;
};

} // namespace tt::adapters::rpc
