#pragma once
/// reservation.v1.ReservationService. Actor entry point: the shard region, which routes each call
/// to the owning event actor (and from there to the reservation's actor).

#include "actors/runtime/shard_region.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "proto/reservation/v1/reservation.pb.h"

namespace tt::adapters::rpc {

class reservation_service_adapter {
 public:
  reservation_service_adapter(rpc_service& service, call_bridge bridge,
                              actors::shard_region region);

 private:
  using list_call = unary_call<reservation::v1::ListReservationsRequest,
                               reservation::v1::ListReservationsResponse>;
  using extend_call =
      unary_call<reservation::v1::ExtendHoldRequest, reservation::v1::ExtendHoldResponse>;

  void list_reservations(std::shared_ptr<list_call> call);
  void extend_hold(std::shared_ptr<extend_call> call);

  call_bridge bridge_;
  actors::shard_region region_;
};

} // namespace tt::adapters::rpc
