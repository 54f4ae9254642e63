#pragma once
/// reservation.v1.ReservationService. Actor entry point: the shard region, which routes each call
/// to the owning event actor (and from there to the reservation's actor).

#include "actors/runtime/shard_region.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/peer_fanout.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "proto/reservation/v1/reservation.pb.h"

namespace tt::adapters::rpc {

class reservation_service_adapter {
 public:
  /// `peers` (null on a single node) make ListReservations without an event the whole
  /// cluster's.
  reservation_service_adapter(rpc_service& service, call_bridge bridge, actors::shard_region region,
                              peer_fanout* peers = nullptr);

 private:
  using list_call = unary_call<reservation::v1::ListReservationsRequest,
                               reservation::v1::ListReservationsResponse>;
  using extend_call =
      unary_call<reservation::v1::ExtendHoldRequest, reservation::v1::ExtendHoldResponse>;

  void list_reservations(std::shared_ptr<list_call> call);
  void extend_hold(std::shared_ptr<extend_call> call);

  call_bridge bridge_;
  actors::shard_region region_;
  peer_fanout* peers_; // not owned; null on a node on its own
};

} // namespace tt::adapters::rpc
