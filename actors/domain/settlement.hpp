#pragma once
/// How a payment intent's result bears on the reservation it pays for: what confirmation learns
/// from an intent, which step brings a reservation in line with its payment, and which payments
/// paid for nothing and are owed back. Pure: the event actor looks the states up and carries the
/// steps out.

#include <cstdint>
#include <string>

#include "actors/domain/payment.hpp"
#include "actors/domain/reservation.hpp"

namespace tt::domain {

/// What `p` says about `reservation`: approved only for a completed intent of this very
/// reservation, declined for a failed one, pending otherwise.
payment_outcome outcome_for(const payment_state& p, const reservation_id& reservation);

/// A completed payment of `r` that did not pay for it (a second intent, or an approval that came
/// after the hold ended): its money is owed back.
bool is_orphaned(const payment_state& p, const reservation_state& r);

/// The intent's money went back (refunded) or was never taken (cancelled).
bool is_undone(payment_status status) noexcept;

/// The step that brings a reservation in line with its payment's result.
enum class settlement_step : uint8_t {
  none,               ///< nothing to do; `why` says why
  confirm_hold,       ///< approved while held
  refund_payment,     ///< approved, but the hold ended or another payment confirmed it
  fail_hold,          ///< declined while held
  refund_reservation, ///< refunded: the reservation this payment confirmed is refunded too
};
struct settlement {
  settlement_step step = settlement_step::none;
  std::string why;
};
/// Looks at both states as they are now, so a result applied twice does nothing the second time.
settlement settlement_of(const payment_state& p, const reservation_state& r);

} // namespace tt::domain
