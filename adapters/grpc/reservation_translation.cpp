#include "adapters/grpc/reservation_translation.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace tt::adapters::rpc {

void set_timestamp(google::protobuf::Timestamp* out, timestamp t) {
  set_timestamp(out, static_cast<int64_t>(t.time_since_epoch().count()));
}

void to_proto(const domain::money& m, common::v1::Money* out) {
  out->set_amount(m.amount);
  out->set_currency(m.currency);
}

void to_proto(const domain::seat_view& seat, common::v1::Seat* out) {
  out->set_id(seat.id());
  out->set_section(seat.section);
  out->set_row(seat.row);
  out->set_number(seat.number);
  to_proto(seat.price, out->mutable_price());
  switch (seat.status) {
    case domain::seat_status::available:
      out->set_status(common::v1::SEAT_STATUS_AVAILABLE);
      break;
    case domain::seat_status::held:
      out->set_status(common::v1::SEAT_STATUS_RESERVED);
      break;
    case domain::seat_status::sold:
      out->set_status(common::v1::SEAT_STATUS_SOLD);
      break;
    case domain::seat_status::blocked:
      out->set_status(common::v1::SEAT_STATUS_BLOCKED);
      break;
  }
}

void to_proto(const domain::section_summary& s, reservation::v1::SectionInventory* out) {
  out->set_section_id(s.section);
  out->set_section_name(s.name);
  out->set_total_seats(s.counts.total);
  out->set_available_seats(s.counts.available);
  out->set_reserved_seats(s.counts.held);
  out->set_sold_seats(s.counts.sold);
  out->set_blocked_seats(s.counts.blocked);
  // One price per section in our catalog: it is both the minimum and the maximum.
  to_proto(s.price, out->mutable_min_price());
  to_proto(s.price, out->mutable_max_price());
}

void to_proto(const domain::reservation_state& r, const std::vector<domain::seat_view>& seats,
              reservation::v1::Reservation* out) {
  out->set_reservation_id(r.id());
  out->set_event_id(r.event());
  out->set_user_id(r.owner());
  out->set_status(to_proto(r.status));
  for (const auto& seat : seats)
    to_proto(seat, out->add_seats());
  out->set_quantity(static_cast<int32_t>(r.seats.size()));
  to_proto(r.total, out->mutable_total_amount());
  set_timestamp(out->mutable_created_at(), r.created_at);
  set_timestamp(out->mutable_updated_at(), r.updated_at);
  set_timestamp(out->mutable_hold_expires_at(), r.hold_expires_at);
  out->set_payment_intent_id(r.payment_intent_id);
  out->set_order_id(r.order());
}

std::string canonical_of(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  const auto* reflection = copy->GetReflection();
  for (const char* name : {"idempotency_key", "metadata", "reservation_token"})
    if (const auto* field = copy->GetDescriptor()->FindFieldByName(name))
      reflection->ClearField(copy.get(), field);
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  // The type name keeps equal bytes of different RPCs apart.
  return copy->GetDescriptor()->full_name() + ":" + out;
}

} // namespace tt::adapters::rpc
