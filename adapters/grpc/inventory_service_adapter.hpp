#pragma once
/// reservation.v1.InventoryService. Actor entry point: the shard region. The inventory RPCs work
/// on the same reservations as ReservationService: ReserveSeat creates one (its hold_id is the
/// minted reservation id), CommitReservation confirms it, ReleaseHold releases it. A reservation
/// commits or releases all of its seats (all-or-nothing): the seat_ids and quantity of those two
/// requests are checked for shape only.

#include "actors/runtime/shard_region.hpp"
#include "adapters/grpc/call_bridge.hpp"
#include "adapters/grpc/rpc_service.hpp"
#include "proto/reservation/v1/inventory.pb.h"

namespace tt::adapters::rpc {

class inventory_service_adapter {
 public:
  inventory_service_adapter(rpc_service& service, call_bridge bridge, actors::shard_region region);

 private:
  using check_call = unary_call<reservation::v1::CheckAvailabilityRequest,
                                reservation::v1::CheckAvailabilityResponse>;
  using reserve_call =
      unary_call<reservation::v1::ReserveSeatRequest, reservation::v1::ReserveSeatResponse>;
  using commit_call = unary_call<reservation::v1::CommitReservationRequest,
                                 reservation::v1::CommitReservationResponse>;
  using release_call =
      unary_call<reservation::v1::ReleaseHoldRequest, reservation::v1::ReleaseHoldResponse>;
  using status_call = unary_call<reservation::v1::GetInventoryStatusRequest,
                                 reservation::v1::GetInventoryStatusResponse>;

  void check_availability(std::shared_ptr<check_call> call);
  void reserve_seat(std::shared_ptr<reserve_call> call);
  void commit_reservation(std::shared_ptr<commit_call> call);
  void release_hold(std::shared_ptr<release_call> call);
  void get_inventory_status(std::shared_ptr<status_call> call);

  call_bridge bridge_;
  actors::shard_region region_;
};

/// Fills a common.v1.Event and its sections from an inventory status (shared with the gateway).
void fill_event(const std::string& event_id, const actors::status_answer& status,
                common::v1::Event* out);

} // namespace tt::adapters::rpc
