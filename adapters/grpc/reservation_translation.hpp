#pragma once
/// Domain values <-> contract messages for the reservation path, shared by the reservation,
/// inventory and gateway adapters (the gateway's messages mirror reservation.v1's field for field,
/// hence templates over the message type).

#include <string>

#include <google/protobuf/message.h>

#include "actors/runtime/event_protocol.hpp"
#include "adapters/grpc/proto_time.hpp"
#include "proto/common/v1/types.pb.h"
#include "proto/reservation/v1/inventory.pb.h"
#include "proto/reservation/v1/reservation.pb.h"

namespace tt::adapters::rpc {

void set_timestamp(google::protobuf::Timestamp* out, timestamp t);
void to_proto(const domain::money& m, common::v1::Money* out);
void to_proto(const domain::seat_view& seat, common::v1::Seat* out);
void to_proto(const domain::section_summary& s, reservation::v1::SectionInventory* out);
void to_proto(const domain::reservation_state& r, const std::vector<domain::seat_view>& seats,
              reservation::v1::Reservation* out);

inline reservation::v1::ReservationStatus to_proto(domain::reservation_status s) {
  // The domain enum takes the contract's numbers (reservation.hpp).
  return static_cast<reservation::v1::ReservationStatus>(s);
}

/// The request's deterministic serialisation without the fields that may differ between retries
/// of the same logical request (idempotency_key, metadata, reservation_token): equal requests,
/// equal bytes, on every node.
std::string canonical_of(const google::protobuf::Message& request);

template <class Seats>
void add_seats(const std::vector<domain::seat_view>& seats, Seats* out) {
  for (const auto& seat : seats)
    to_proto(seat, out->Add());
}

/// CreateReservationResponse of reservation.v1 or gateway.v1.
template <class Response>
void fill_created(const actors::reservation_reply& reply, Response& out) {
  const auto& r = reply.reservation;
  out.set_reservation_id(r.id());
  out.set_status(to_proto(r.status));
  set_timestamp(out.mutable_hold_expires_at(), r.hold_expires_at);
  add_seats(reply.seats, out.mutable_reserved_seats());
  to_proto(r.total, out.mutable_total_amount());
}

/// ConfirmReservationResponse of reservation.v1 or gateway.v1.
template <class Response>
void fill_confirmed(const actors::reservation_reply& reply, Response& out) {
  const auto& r = reply.reservation;
  out.set_order_id(r.order());
  out.set_status(to_proto(r.status));
  set_timestamp(out.mutable_confirmed_at(), r.updated_at);
  add_seats(reply.seats, out.mutable_confirmed_seats());
}

/// CancelReservationResponse of reservation.v1 or gateway.v1.
template <class Response>
void fill_cancelled(const actors::reservation_reply& reply, Response& out) {
  out.set_status(to_proto(reply.reservation.status));
  set_timestamp(out.mutable_cancelled_at(), reply.reservation.updated_at);
  add_seats(reply.seats, out.mutable_released_seats());
}

} // namespace tt::adapters::rpc
