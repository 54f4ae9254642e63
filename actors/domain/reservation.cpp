#include "actors/domain/reservation.hpp"

#include <algorithm>
#include <unordered_set>

#include "actors/common/invariant.hpp"
#include "actors/common/overloaded.hpp"

namespace tt::domain {
namespace {

using events = std::vector<reservation_event>;

failure invalid(std::string field, std::string reason) {
  std::string message = field + ": " + reason;
  return fail(errc::invalid_argument, std::move(message),
              {error_detail{std::move(field), std::move(reason), ""}});
}

bool is_live_hold(const reservation_state& s) {
  return s.status == reservation_status::hold;
}

/// The common gate of every transition out of HOLD: it exists, it is held, it has not run out.
result<void> require_live_hold(const reservation_state& s, timestamp now) {
  if (s.status == reservation_status::unspecified)
    return fail(errc::not_found, "no such reservation");
  if (!is_live_hold(s))
    return fail(errc::failed_precondition,
                "reservation is " + std::string{to_string(s.status)} + ", not held");
  if (s.hold_expires_at <= now)
    return fail(errc::reservation_expired, "the hold has expired");
  return {};
}

/// Owner check first, so a stranger learns nothing, not even the status.
result<void> require_owner_and_live_hold(const reservation_state& s, const user_id& requester,
                                         timestamp now) {
  if (auto ok = authorize(s, requester); !ok)
    return ok;
  return require_live_hold(s, now);
}

result<events> decide_create(const reservation_state& s, const create_reservation& c, timestamp now,
                             const reservation_policy& policy) {
  if (s.status != reservation_status::unspecified)
    return fail(errc::already_exists, "reservation already exists");
  if (c.id().empty())
    return invalid("reservation_id", "required");
  if (c.event().empty())
    return invalid("event_id", "required");
  if (c.owner().empty())
    return invalid("user_id", "required");
  if (c.seats.empty() || c.seats.size() > static_cast<std::size_t>(policy.max_seats))
    return invalid("seat_ids", "must list 1.." + std::to_string(policy.max_seats) + " seats");
  std::unordered_set<std::string_view> seen;
  for (const auto& seat : c.seats)
    if (!seen.insert(seat()).second)
      return invalid("seat_ids", "duplicate seat id");
  if (c.total.amount <= 0 || c.total.currency.empty())
    return invalid("total_amount", "must be a positive amount with a currency");
  return events{reservation_created{c, now, now + policy.hold_duration}};
}

result<events> decide_confirm(const reservation_state& s, const confirm_reservation& c,
                              timestamp now) {
  if (auto ok = require_owner_and_live_hold(s, c.requester, now); !ok)
    return std::move(ok).error();
  if (c.payment.payment_intent_id.empty())
    return invalid("payment_intent_id", "required");
  if (c.order().empty())
    return invalid("order_id", "required");
  if (c.payment.verdict != payment_verdict::approved)
    return fail(errc::payment_not_approved, "the payment is not approved");
  if (c.payment.amount.amount != s.total.amount || c.payment.amount.currency != s.total.currency)
    return fail(errc::payment_not_approved, "the payment does not match the reservation total",
                {{"amount", "expected " + std::to_string(s.total.amount) + " " + s.total.currency,
                  std::to_string(c.payment.amount.amount) + " " + c.payment.amount.currency}});
  return events{reservation_confirmed{c.order, c.payment.payment_intent_id, now}};
}

result<events> decide_extend(const reservation_state& s, const extend_hold& c, timestamp now,
                             const reservation_policy& policy) {
  if (auto ok = require_owner_and_live_hold(s, c.requester, now); !ok)
    return std::move(ok).error();
  if (c.extension.count() <= 0)
    return invalid("extension_seconds", "must be positive");
  if (s.extensions >= policy.max_extensions)
    return events{hold_extension_denied{"the hold was already extended"}};
  auto room = s.created_at + policy.max_hold_lifetime - s.hold_expires_at;
  auto grant = std::min({c.extension, policy.max_extension, room});
  if (grant.count() <= 0)
    return events{hold_extension_denied{"the hold is at its maximum length"}};
  return events{hold_extended{s.hold_expires_at + grant, grant, now}};
}

result<events> decide_expire(const reservation_state& s, timestamp now) {
  if (s.status == reservation_status::unspecified)
    return fail(errc::not_found, "no such reservation");
  if (!is_live_hold(s))
    return fail(errc::failed_precondition, "only a held reservation can expire");
  if (s.hold_expires_at > now)
    return fail(errc::failed_precondition, "the hold has not run out yet");
  return events{reservation_expired{now}};
}

[[noreturn]] void breach(std::string_view event, const reservation_state& s) {
  invariant_breach(std::string{event} + " does not fit reservation '" + s.id() + "' in status " +
                   std::string{to_string(s.status)});
}

} // namespace

std::string_view to_string(reservation_status status) noexcept {
  switch (status) {
    case reservation_status::unspecified:
      return "unspecified";
    case reservation_status::pending:
      return "pending";
    case reservation_status::hold:
      return "hold";
    case reservation_status::confirmed:
      return "confirmed";
    case reservation_status::cancelled:
      return "cancelled";
    case reservation_status::expired:
      return "expired";
    case reservation_status::failed:
      return "failed";
    case reservation_status::refunded:
      return "refunded";
  }
  return "unknown";
}

result<void> authorize(const reservation_state& state, const user_id& requester) {
  if (state.owner().empty() || state.owner != requester)
    return fail(errc::forbidden, "not allowed");
  return {};
}

bool hold_lapsed(const reservation_state& state, timestamp now) noexcept {
  return state.status == reservation_status::hold && state.hold_expires_at <= now;
}

result<std::vector<reservation_event>> decide(const reservation_state& s,
                                              const reservation_command& command, timestamp now,
                                              const reservation_policy& policy) {
  return std::visit(
      overloaded{
          [&](const create_reservation& c) { return decide_create(s, c, now, policy); },
          [&](const confirm_reservation& c) { return decide_confirm(s, c, now); },
          [&](const extend_hold& c) { return decide_extend(s, c, now, policy); },
          [&](const expire_reservation&) { return decide_expire(s, now); },
          [&](const cancel_reservation& c) -> result<events> {
            if (auto ok = require_owner_and_live_hold(s, c.requester, now); !ok)
              return std::move(ok).error();
            return events{reservation_cancelled{c.reason, now}};
          },
          [&](const fail_reservation& c) -> result<events> {
            if (auto ok = require_live_hold(s, now); !ok)
              return std::move(ok).error();
            return events{reservation_failed{c.reason, now}};
          },
          [&](const refund_reservation&) -> result<events> {
            if (s.status == reservation_status::unspecified)
              return fail(errc::not_found, "no such reservation");
            if (s.status != reservation_status::confirmed)
              return fail(errc::failed_precondition,
                          "only a confirmed reservation can be refunded");
            return events{reservation_refunded{now}};
          },
      },
      command);
}

reservation_state apply(reservation_state s, const reservation_event& event) {
  // Every event but creation and the no-op denial leaves HOLD (or CONFIRMED, for a refund).
  auto leave = [&s](reservation_status from, reservation_status to, timestamp at,
                    std::string_view name) {
    if (s.status != from)
      breach(name, s);
    s.status = to;
    s.updated_at = at;
  };
  using st = reservation_status;
  std::visit(overloaded{
                 [&](const reservation_created& e) {
                   if (s.status != st::unspecified)
                     breach("reservation_created", s);
                   s.id = e.details.id;
                   s.event = e.details.event;
                   s.owner = e.details.owner;
                   s.seats = e.details.seats;
                   s.total = e.details.total;
                   s.status = st::hold;
                   s.created_at = s.updated_at = e.at;
                   s.hold_expires_at = e.hold_expires_at;
                 },
                 [&](const reservation_confirmed& e) {
                   leave(st::hold, st::confirmed, e.at, "reservation_confirmed");
                   s.order = e.order;
                   s.payment_intent_id = e.payment_intent_id;
                 },
                 [&](const hold_extended& e) {
                   leave(st::hold, st::hold, e.at, "hold_extended");
                   s.hold_expires_at = e.new_expires_at;
                   ++s.extensions;
                 },
                 [&](const hold_extension_denied&) {},
                 [&](const reservation_cancelled& e) {
                   leave(st::hold, st::cancelled, e.at, "reservation_cancelled");
                 },
                 [&](const reservation_expired& e) {
                   leave(st::hold, st::expired, e.at, "reservation_expired");
                 },
                 [&](const reservation_failed& e) {
                   leave(st::hold, st::failed, e.at, "reservation_failed");
                 },
                 [&](const reservation_refunded& e) {
                   leave(st::confirmed, st::refunded, e.at, "reservation_refunded");
                 },
             },
             event);
  return s;
}

} // namespace tt::domain
