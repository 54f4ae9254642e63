#include "actors/runtime/reservation_codec.hpp"

namespace tt::actors {

namespace {

using tt::internal::v1::SeatRecord;
using tt::internal::v1::StoredReply;

void to_record(const domain::seat_view& v, SeatRecord& out) {
  out.set_id(v.id());
  out.set_section(v.section);
  out.set_row(v.row);
  out.set_number(v.number);
  out.set_price(v.price.amount);
  out.set_currency(v.price.currency);
  out.set_status(static_cast<uint32_t>(v.status));
}

domain::seat_view from_record(const SeatRecord& r) {
  domain::seat_view v;
  v.id = seat_id{r.id()};
  v.section = r.section();
  v.row = r.row();
  v.number = r.number();
  v.price = {r.price(), r.currency()};
  v.status = static_cast<domain::seat_status>(r.status());
  return v;
}

} // namespace

tt::internal::v1::ReservationRecord to_record(const domain::reservation_state& s) {
  tt::internal::v1::ReservationRecord r;
  r.set_id(s.id());
  r.set_event_id(s.event());
  r.set_owner(s.owner());
  r.set_status(static_cast<uint32_t>(s.status));
  for (const auto& seat : s.seats)
    r.add_seat_ids(seat());
  r.set_total_amount(s.total.amount);
  r.set_currency(s.total.currency);
  r.set_created_at_ms(to_epoch_ms(s.created_at));
  r.set_updated_at_ms(to_epoch_ms(s.updated_at));
  r.set_hold_expires_at_ms(to_epoch_ms(s.hold_expires_at));
  r.set_extensions(s.extensions);
  r.set_payment_intent_id(s.payment_intent_id);
  r.set_order_id(s.order());
  return r;
}

domain::reservation_state from_record(const tt::internal::v1::ReservationRecord& r) {
  domain::reservation_state s;
  s.id = reservation_id{r.id()};
  s.event = event_id{r.event_id()};
  s.owner = user_id{r.owner()};
  s.status = static_cast<domain::reservation_status>(r.status());
  for (const auto& seat : r.seat_ids())
    s.seats.push_back(seat_id{seat});
  s.total = {r.total_amount(), r.currency()};
  s.created_at = from_epoch_ms(r.created_at_ms());
  s.updated_at = from_epoch_ms(r.updated_at_ms());
  s.hold_expires_at = from_epoch_ms(r.hold_expires_at_ms());
  s.extensions = r.extensions();
  s.payment_intent_id = r.payment_intent_id();
  s.order = order_id{r.order_id()};
  return s;
}

std::string encode_reply(const reservation_reply& reply) {
  StoredReply out;
  *out.mutable_reservation() = to_record(reply.reservation);
  for (const auto& seat : reply.seats)
    to_record(seat, *out.add_seats());
  if (reply.extension) {
    auto* ext = out.mutable_extension();
    ext->set_allowed(reply.extension->allowed);
    ext->set_extended_ms(reply.extension->granted.count());
    ext->set_note(reply.extension->note);
  }
  return out.SerializeAsString();
}

std::string encode_reply(const failure& rejection) {
  StoredReply out;
  auto* err = out.mutable_error();
  err->set_code(static_cast<uint32_t>(rejection.code));
  err->set_message(rejection.message);
  for (const auto& d : rejection.details) {
    auto* detail = err->add_details();
    detail->set_field(d.field);
    detail->set_reason(d.reason);
    detail->set_value(d.value);
  }
  return out.SerializeAsString();
}

result<reservation_reply> decode_reply(const std::string& bytes) {
  StoredReply in;
  if (!in.ParseFromString(bytes))
    return fail(errc::data_corruption, "a stored reply could not be read");
  if (in.has_error()) {
    auto code = in.error().code();
    if (code < static_cast<uint32_t>(errc::invalid_argument) ||
        code > static_cast<uint32_t>(errc::internal))
      return fail(errc::data_corruption, "a stored reply has an unknown error code");
    failure f{static_cast<errc>(code), in.error().message(), {}};
    for (const auto& d : in.error().details())
      f.details.push_back({d.field(), d.reason(), d.value()});
    return f;
  }
  reservation_reply reply;
  reply.reservation = from_record(in.reservation());
  for (const auto& seat : in.seats())
    reply.seats.push_back(from_record(seat));
  if (in.has_extension())
    reply.extension = extension_outcome{in.extension().allowed(),
                                        std::chrono::milliseconds{in.extension().extended_ms()},
                                        in.extension().note()};
  return reply;
}

} // namespace tt::actors
