#include "actors/runtime/payment_codec.hpp"

namespace tt::actors {

tt::internal::v1::PaymentRecord to_record(const domain::payment_state& s) {
  tt::internal::v1::PaymentRecord r;
  r.set_id(s.id());
  r.set_reservation_id(s.reservation());
  r.set_owner(s.owner());
  r.set_amount(s.amount.amount);
  r.set_currency(s.amount.currency);
  r.set_method(s.method);
  r.set_scenario(static_cast<uint32_t>(s.scenario));
  r.set_status(static_cast<uint32_t>(s.status));
  r.set_created_at_ms(to_epoch_ms(s.created_at));
  r.set_updated_at_ms(to_epoch_ms(s.updated_at));
  r.set_expires_at_ms(to_epoch_ms(s.expires_at));
  r.set_payment_id(s.payment_id);
  r.set_transaction_id(s.transaction_id);
  r.set_processed_at_ms(to_epoch_ms(s.processed_at));
  r.set_settles_at_ms(to_epoch_ms(s.settles_at));
  r.set_settles(s.settles);
  r.set_will_approve(s.will_approve);
  r.set_failure_reason(s.failure_reason);
  r.set_refunded_amount(s.refunded_amount);
  r.set_refund_id(s.refund_id);
  r.set_webhook_url(s.webhook_url);
  return r;
}

domain::payment_state from_record(const tt::internal::v1::PaymentRecord& r) {
  domain::payment_state s;
  s.id = payment_intent_id{r.id()};
  s.reservation = reservation_id{r.reservation_id()};
  s.owner = user_id{r.owner()};
  s.amount = {r.amount(), r.currency()};
  s.method = r.method();
  s.scenario = static_cast<domain::payment_scenario>(r.scenario());
  s.status = static_cast<domain::payment_status>(r.status());
  s.created_at = from_epoch_ms(r.created_at_ms());
  s.updated_at = from_epoch_ms(r.updated_at_ms());
  s.expires_at = from_epoch_ms(r.expires_at_ms());
  s.payment_id = r.payment_id();
  s.transaction_id = r.transaction_id();
  s.processed_at = from_epoch_ms(r.processed_at_ms());
  s.settles_at = from_epoch_ms(r.settles_at_ms());
  s.settles = r.settles();
  s.will_approve = r.will_approve();
  s.failure_reason = r.failure_reason();
  s.refunded_amount = r.refunded_amount();
  s.refund_id = r.refund_id();
  s.webhook_url = r.webhook_url();
  return s;
}

std::string encode_payment_reply(const payment_reply& reply) {
  return to_record(reply.payment).SerializeAsString();
}

result<payment_reply> decode_payment_reply(const std::string& bytes) {
  tt::internal::v1::PaymentRecord r;
  if (!r.ParseFromString(bytes))
    return fail(errc::data_corruption, "a stored payment reply does not parse");
  return payment_reply{from_record(r)};
}

} // namespace tt::actors
