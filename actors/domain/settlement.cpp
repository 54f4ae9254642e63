#include "actors/domain/settlement.hpp"

namespace tt::domain {

namespace {

bool confirmed_by(const reservation_state& r, const payment_state& p) {
  return r.status == reservation_status::confirmed && r.payment_intent_id == p.id();
}

settlement nothing(std::string why) {
  return {settlement_step::none, std::move(why)};
}

} // namespace

payment_outcome outcome_for(const payment_state& p, const reservation_id& reservation) {
  payment_outcome out;
  out.payment_intent_id = p.id();
  if (p.reservation != reservation)
    return out;
  if (p.status == payment_status::completed)
    out.verdict = payment_verdict::approved;
  else if (p.status == payment_status::failed)
    out.verdict = payment_verdict::declined;
  out.amount = p.amount;
  return out;
}

bool is_orphaned(const payment_state& p, const reservation_state& r) {
  return p.reservation == r.id && p.status == payment_status::completed && !confirmed_by(r, p);
}

bool is_undone(payment_status status) noexcept {
  return status == payment_status::refunded || status == payment_status::cancelled;
}

settlement settlement_of(const payment_state& p, const reservation_state& r) {
  bool held = r.status == reservation_status::hold;
  switch (p.status) {
    case payment_status::completed:
      if (held)
        return {settlement_step::confirm_hold, {}};
      if (confirmed_by(r, p))
        return nothing("confirmed by this payment already");
      return {settlement_step::refund_payment, {}}; // a late approval
    case payment_status::failed:
      if (!held)
        return nothing("the reservation is no longer held");
      return {settlement_step::fail_hold, {}};
    case payment_status::refunded:
      if (!confirmed_by(r, p))
        return nothing("not a confirmed reservation of this payment");
      return {settlement_step::refund_reservation, {}};
    default:
      return nothing("the payment has no result yet (" + std::string{to_string(p.status)} + ")");
  }
}

} // namespace tt::domain
