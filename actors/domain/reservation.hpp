#pragma once
/// One reservation's lifecycle, following the contract's ReservationStatus:
///   HOLD → CONFIRMED (approved payment of exactly the total, before expiry)
///        | CANCELLED (owner, before expiry) | EXPIRED (hold ran out) | FAILED (payment failed);
///   CONFIRMED → REFUNDED.
/// Owned by the reservation's actor. Every other transition is rejected (failed_precondition, or
/// reservation_expired once the hold has run out) and changes nothing. Commands from a user other
/// than the owner get errc::forbidden with a message that reveals nothing about the reservation.
/// Seats are held by the event's inventory before `create_reservation`; this machine tells the
/// actor which inventory command follows (commit on confirm, release on cancel/expire/fail, return
/// on refund, prolong on extend). PENDING exists on the wire only: a reservation is created
/// holding.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/ids.hpp"
#include "actors/common/result.hpp"
#include "actors/domain/catalog.hpp"
#include "actors/domain/policy.hpp"

namespace tt::domain {

/// Values equal the contract's ReservationStatus numbers; `unspecified` means "not created yet".
enum class reservation_status : uint8_t {
  unspecified = 0,
  pending = 1,
  hold = 2,
  confirmed = 3,
  cancelled = 4,
  expired = 5,
  failed = 6,
  refunded = 7,
};

std::string_view to_string(reservation_status status) noexcept;

struct reservation_state {
  reservation_id id;
  event_id event;
  user_id owner;
  reservation_status status = reservation_status::unspecified;
  std::vector<seat_id> seats;
  money total;
  timestamp created_at;
  timestamp updated_at;
  timestamp hold_expires_at; // meaningful while status is hold
  int32_t extensions = 0;    // ExtendHold grants so far
  std::string payment_intent_id;
  order_id order;
};

/// What the payment side reports for a payment intent.
enum class payment_verdict : uint8_t { approved, declined, pending };
struct payment_outcome {
  std::string payment_intent_id;
  payment_verdict verdict = payment_verdict::pending;
  money amount;
};

// Commands (imperative). User commands carry the requester; system commands (timer, payment
// actor) do not.
struct create_reservation {
  reservation_id id;
  event_id event;
  user_id owner;
  std::vector<seat_id> seats; // already held by the inventory until now + hold_duration
  money total;
};
struct confirm_reservation {
  user_id requester;
  payment_outcome payment;
  order_id order; // minted by the actor (mint_order_id), used only if the confirmation succeeds
};
struct cancel_reservation {
  user_id requester;
  std::string reason;
};
struct extend_hold {
  user_id requester;
  std::chrono::milliseconds extension;
};
struct expire_reservation {};
struct fail_reservation {
  std::string payment_intent_id;
  std::string reason;
};
struct refund_reservation {
  std::string payment_intent_id;
};
using reservation_command =
    std::variant<create_reservation, confirm_reservation, cancel_reservation, extend_hold,
                 expire_reservation, fail_reservation, refund_reservation>;

// Events (past tense). Each carries its time so apply is a pure function of the event.
struct reservation_created {
  create_reservation details;
  timestamp at;
  timestamp hold_expires_at;
};
struct reservation_confirmed {
  order_id order;
  std::string payment_intent_id;
  timestamp at;
};
struct reservation_cancelled {
  std::string reason;
  timestamp at;
};
struct hold_extended {
  timestamp new_expires_at;
  std::chrono::milliseconds extended_by;
  timestamp at;
};
/// The ExtendHold reply "not allowed": apply is the identity, so the actor need not persist it.
struct hold_extension_denied {
  std::string reason;
};
struct reservation_expired {
  timestamp at;
};
struct reservation_failed {
  std::string reason;
  timestamp at;
};
struct reservation_refunded {
  timestamp at;
};
using reservation_event =
    std::variant<reservation_created, reservation_confirmed, reservation_cancelled, hold_extended,
                 hold_extension_denied, reservation_expired, reservation_failed,
                 reservation_refunded>;

/// Ok if `requester` owns the reservation; errc::forbidden otherwise (use for reads too).
result<void> authorize(const reservation_state& state, const user_id& requester);

/// True when `state` is a hold whose deadline has passed at `now`: the hold must expire. Every
/// expiry path asks this (the hold's timer, the worker's expiry event, recovery).
bool hold_lapsed(const reservation_state& state, timestamp now) noexcept;

/// The events of a command, or why it is rejected. ExtendHold grants
/// min(requested, max_extension, created_at + max_hold_lifetime - hold_expires_at), once
/// (max_extensions); a request that can get nothing yields hold_extension_denied, not an error.
/// Confirm checks, in order: owner, status, expiry, verdict approved (else payment_not_approved),
/// amount and currency equal to the total (else payment_not_approved naming "amount").
result<std::vector<reservation_event>> decide(const reservation_state& state,
                                              const reservation_command& command, timestamp now,
                                              const reservation_policy& policy = {});

/// Applies an event decide produced; an event that does not fit the state is an invariant breach.
/// Call it qualified, `domain::apply(...)`: ADL through std::variant also finds std::apply.
reservation_state apply(reservation_state state, const reservation_event& event);

} // namespace tt::domain
