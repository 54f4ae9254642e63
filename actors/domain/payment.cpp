#include "actors/domain/payment.hpp"

#include "actors/common/overloaded.hpp"

namespace tt::domain {
namespace {

using events = std::vector<payment_event>;

failure invalid(std::string field, std::string reason) {
  std::string message = field + ": " + reason;
  return fail(errc::invalid_argument, std::move(message),
              {error_detail{std::move(field), std::move(reason), ""}});
}

result<void> require_status(const payment_state& s, std::initializer_list<payment_status> allowed,
                            const char* action) {
  if (s.status == payment_status::unspecified)
    return fail(errc::not_found, "no such payment intent");
  for (auto a : allowed)
    if (s.status == a)
      return {};
  return fail(errc::failed_precondition, std::string{"cannot "} + action + " a payment that is " +
                                             std::string{to_string(s.status)});
}

result<events> decide_create(const payment_state& s, const create_payment& c, timestamp now,
                             const payment_policy& policy) {
  if (s.status != payment_status::unspecified)
    return fail(errc::already_exists, "payment intent already exists");
  if (c.id().empty())
    return invalid("payment_intent_id", "required");
  if (c.reservation().empty())
    return invalid("reservation_id", "required");
  if (c.requester().empty())
    return invalid("user_id", "required");
  if (c.requester != c.reservation_owner)
    return fail(errc::forbidden, "not your reservation");
  if (c.amount.amount <= 0)
    return invalid("amount", "must be positive");
  if (!c.webhook_url.empty() && c.webhook_url.rfind("http://", 0) != 0 &&
      c.webhook_url.rfind("https://", 0) != 0)
    return invalid("webhook_url", "must be an http:// or https:// URL");
  if (c.amount.amount != c.reservation_total.amount ||
      c.amount.currency != c.reservation_total.currency)
    return fail(
        errc::failed_precondition, "the amount is not the reservation's total",
        {{"amount", "must equal the reservation total",
          std::to_string(c.reservation_total.amount) + " " + c.reservation_total.currency}});
  return events{payment_created{c, now, now + policy.intent_lifetime}};
}

result<events> decide_process(const payment_state& s, const process_payment& c, timestamp now,
                              const payment_policy& policy) {
  if (auto ok = require_status(s, {payment_status::pending}, "process"); !ok)
    return ok.error();
  if (s.expires_at <= now)
    return fail(errc::failed_precondition, "the payment intent has expired");
  processing_started e;
  e.payment_id = c.payment_id;
  e.transaction_id = c.transaction_id;
  e.settles = true; // all but TIMEOUT, below
  e.settles_at = now + policy.settle_delay;
  e.at = now;
  switch (s.scenario) {
    case payment_scenario::unspecified:
    case payment_scenario::approve:
      e.will_approve = true;
      break;
    case payment_scenario::fail:
      e.will_approve = false;
      break;
    case payment_scenario::delay:
      e.will_approve = true;
      e.settles_at = now + policy.long_delay;
      break;
    case payment_scenario::random:
      e.will_approve = c.draw < policy.approve_ratio;
      break;
    case payment_scenario::timeout:
      e.settles = false;
      break;
  }
  return events{e};
}

result<events> decide_settle(const payment_state& s, timestamp now) {
  if (s.status != payment_status::processing || !s.settles || s.settles_at > now)
    return events{}; // a timer for a state that has moved on: nothing to do
  if (s.will_approve)
    return events{payment_completed{now}};
  return events{payment_failed{"card declined (simulated FAIL scenario)", now}};
}

result<events> decide_expire(const payment_state& s, timestamp now) {
  bool open = s.status == payment_status::pending || s.status == payment_status::processing;
  if (!open || s.expires_at > now)
    return events{};
  // A settlement due at the same instant wins: the gateway answered in time.
  if (s.status == payment_status::processing && s.settles && s.settles_at <= now)
    return decide_settle(s, now);
  return events{payment_expired{now}};
}

result<events> decide_cancel(const payment_state& s, const cancel_payment& c, timestamp now) {
  if (auto ok = require_status(
          s, {payment_status::pending, payment_status::processing, payment_status::completed},
          "cancel");
      !ok)
    return ok.error();
  if (s.status != payment_status::completed) {
    if (c.refund_amount != 0)
      return invalid("refund_amount", "nothing was paid yet");
    return events{payment_cancelled{c.reason, now}};
  }
  int64_t amount = c.refund_amount == 0 ? s.amount.amount : c.refund_amount;
  if (amount < 0 || amount > s.amount.amount)
    return invalid("refund_amount", "must be 1.." + std::to_string(s.amount.amount));
  if (c.refund_id.empty())
    return invalid("refund_id", "required");
  return events{payment_refunded{amount, c.refund_id, now}};
}

} // namespace

std::string_view to_string(payment_status status) noexcept {
  switch (status) {
    case payment_status::unspecified:
      return "unspecified";
    case payment_status::pending:
      return "pending";
    case payment_status::processing:
      return "processing";
    case payment_status::completed:
      return "completed";
    case payment_status::failed:
      return "failed";
    case payment_status::cancelled:
      return "cancelled";
    case payment_status::refunded:
      return "refunded";
    case payment_status::expired:
      return "expired";
  }
  return "unknown";
}

bool is_final(payment_status status) noexcept {
  return status != payment_status::pending && status != payment_status::processing &&
         status != payment_status::unspecified;
}

result<void> authorize(const payment_state& state, const user_id& requester) {
  if (state.status == payment_status::unspecified || state.owner != requester)
    return fail(errc::forbidden, "not your payment");
  return {};
}

result<std::vector<payment_event>> decide(const payment_state& state,
                                          const payment_command& command, timestamp now,
                                          const payment_policy& policy) {
  return std::visit(
      overloaded{
          [&](const create_payment& c) { return decide_create(state, c, now, policy); },
          [&](const process_payment& c) { return decide_process(state, c, now, policy); },
          [&](const settle_payment&) { return decide_settle(state, now); },
          [&](const expire_payment&) { return decide_expire(state, now); },
          [&](const cancel_payment& c) { return decide_cancel(state, c, now); },
      },
      command);
}

payment_state apply(payment_state s, const payment_event& event) {
  std::visit(overloaded{
                 [&](const payment_created& e) {
                   s.id = e.details.id;
                   s.reservation = e.details.reservation;
                   s.owner = e.details.requester;
                   s.amount = e.details.amount;
                   s.method = e.details.method;
                   s.scenario = e.details.scenario;
                   s.status = payment_status::pending;
                   s.created_at = s.updated_at = e.at;
                   s.expires_at = e.expires_at;
                   s.webhook_url = e.details.webhook_url;
                 },
                 [&](const processing_started& e) {
                   s.status = payment_status::processing;
                   s.payment_id = e.payment_id;
                   s.transaction_id = e.transaction_id;
                   s.settles = e.settles;
                   s.settles_at = e.settles_at;
                   s.will_approve = e.will_approve;
                   s.processed_at = s.updated_at = e.at;
                 },
                 [&](const payment_completed& e) {
                   s.status = payment_status::completed;
                   s.updated_at = e.at;
                 },
                 [&](const payment_failed& e) {
                   s.status = payment_status::failed;
                   s.failure_reason = e.reason;
                   s.updated_at = e.at;
                 },
                 [&](const payment_expired& e) {
                   s.status = payment_status::expired;
                   s.updated_at = e.at;
                 },
                 [&](const payment_cancelled& e) {
                   s.status = payment_status::cancelled;
                   s.failure_reason = e.reason;
                   s.updated_at = e.at;
                 },
                 [&](const payment_refunded& e) {
                   s.status = payment_status::refunded;
                   s.refunded_amount = e.amount;
                   s.refund_id = e.refund_id;
                   s.updated_at = e.at;
                 },
             },
             event);
  return s;
}

} // namespace tt::domain
