#include "adapters/grpc/user_update_translation.hpp"

#include <nlohmann/json.hpp>

#include "adapters/grpc/reservation_translation.hpp"

namespace tt::adapters::rpc {

namespace v1 = gateway::v1;

namespace {

/// The contract's ReservationEventType has no value for a failed payment, a refund or an
/// extension: those go as UNSPECIFIED, and new_status (with `message`) says what happened.
v1::ReservationEventType event_type_of(const actors::reservation_update& u) {
  using st = domain::reservation_status;
  if (u.change == actors::reservation_change::expiring_soon)
    return v1::RESERVATION_EVENT_TYPE_EXPIRING_SOON;
  if (u.change == actors::reservation_change::extended)
    return v1::RESERVATION_EVENT_TYPE_UNSPECIFIED;
  switch (u.new_status) {
    case st::hold:
      return v1::RESERVATION_EVENT_TYPE_CREATED;
    case st::confirmed:
      return v1::RESERVATION_EVENT_TYPE_CONFIRMED;
    case st::cancelled:
      return v1::RESERVATION_EVENT_TYPE_CANCELLED;
    case st::expired:
      return v1::RESERVATION_EVENT_TYPE_EXPIRED;
    case st::unspecified:
    case st::pending:
    case st::failed:
    case st::refunded:
      break;
  }
  return v1::RESERVATION_EVENT_TYPE_UNSPECIFIED;
}

std::string text_of(const actors::reservation_update& u) {
  switch (u.change) {
    case actors::reservation_change::expiring_soon:
      return "hold expiring soon";
    case actors::reservation_change::extended:
      return "hold extended";
    case actors::reservation_change::status:
      break;
  }
  return "reservation " + std::string{domain::to_string(u.new_status)};
}

/// Payment statuses without a PaymentEventType of their own (cancelled, expired) go as
/// UNSPECIFIED; new_status says which.
v1::PaymentEventType event_type_of(domain::payment_status s) {
  using st = domain::payment_status;
  switch (s) {
    case st::pending:
      return v1::PAYMENT_EVENT_TYPE_CREATED;
    case st::processing:
      return v1::PAYMENT_EVENT_TYPE_PROCESSING;
    case st::completed:
      return v1::PAYMENT_EVENT_TYPE_COMPLETED;
    case st::failed:
      return v1::PAYMENT_EVENT_TYPE_FAILED;
    case st::refunded:
      return v1::PAYMENT_EVENT_TYPE_REFUNDED;
    case st::unspecified:
    case st::cancelled:
    case st::expired:
      break;
  }
  return v1::PAYMENT_EVENT_TYPE_UNSPECIFIED;
}

template <class Response, class Update>
void fill_message(const actors::user_message& m, Response& out, Update* update) {
  out.set_type(v1::EVENT_TYPE_MESSAGE);
  update->set_message(message_json(m));
  set_timestamp(out.mutable_timestamp(), m.sent_at);
  out.set_correlation_id(m.message_id);
}

} // namespace

void to_proto(const actors::reservation_update& u, v1::StreamReservationUpdatesResponse& out) {
  out.set_type(v1::EVENT_TYPE_RESERVATION_UPDATE);
  auto* r = out.mutable_reservation_update();
  r->set_reservation_id(u.reservation());
  r->set_old_status(to_proto(u.old_status));
  r->set_new_status(to_proto(u.new_status));
  if (u.new_status == domain::reservation_status::hold)
    set_timestamp(r->mutable_hold_expires_at(), u.hold_expires_at);
  r->set_message(text_of(u));
  r->set_event_type(event_type_of(u));
  set_timestamp(out.mutable_timestamp(), u.at);
}

void to_proto(const actors::payment_update& u, v1::StreamPaymentUpdatesResponse& out) {
  out.set_type(v1::EVENT_TYPE_PAYMENT_UPDATE);
  auto* p = out.mutable_payment_update();
  p->set_payment_intent_id(u.intent());
  // The domain enum takes the contract's numbers (payment.hpp).
  p->set_old_status(static_cast<payment::v1::PaymentStatus>(u.old_status));
  p->set_new_status(static_cast<payment::v1::PaymentStatus>(u.new_status));
  p->set_message(u.failure_reason.empty() ? "payment " + std::string{to_string(u.new_status)}
                                          : u.failure_reason);
  p->set_event_type(event_type_of(u.new_status));
  set_timestamp(out.mutable_timestamp(), u.at);
}

void to_proto(const actors::user_message& m, v1::StreamReservationUpdatesResponse& out) {
  fill_message(m, out, out.mutable_reservation_update());
}

void to_proto(const actors::user_message& m, v1::StreamPaymentUpdatesResponse& out) {
  fill_message(m, out, out.mutable_payment_update());
}

std::string message_json(const actors::user_message& m) {
  nlohmann::json j{
      {"message_id", m.message_id},
      {"type", v1::MessageType_Name(static_cast<v1::MessageType>(m.type))},
      {"priority", v1::MessagePriority_Name(static_cast<v1::MessagePriority>(m.priority))},
      {"title", m.title},
      {"content", m.content},
      {"data", m.data},
  };
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace tt::adapters::rpc
