#pragma once
/// One payment intent's lifecycle (simulated payments), following the contract's PaymentStatus:
///   PENDING --process--> PROCESSING --settle--> COMPLETED | FAILED
///   PENDING | PROCESSING --expire (expires_at)--> EXPIRED
///   PENDING | PROCESSING --cancel--> CANCELLED;  COMPLETED --refund--> REFUNDED (full or partial)
/// The scenario chosen at creation decides how processing ends: APPROVE completes and FAIL fails
/// after the short delay, DELAY completes after the long delay (possibly after the reservation's
/// hold ran out: that race is the reservation's to refuse), RANDOM completes with the configured
/// probability (the draw is a parameter, so decide stays pure), TIMEOUT never settles and the
/// intent expires. Owned by the intent's actor; rejections change nothing.

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/ids.hpp"
#include "actors/common/result.hpp"
#include "actors/domain/catalog.hpp"

namespace tt::domain {

/// Values equal the contract's PaymentStatus numbers; `unspecified` means "not created yet".
enum class payment_status : uint8_t {
  unspecified = 0,
  pending = 1,
  processing = 2,
  completed = 3,
  failed = 4,
  cancelled = 5,
  refunded = 6,
  expired = 7,
};
std::string_view to_string(payment_status status) noexcept;

/// Values equal the contract's PaymentScenario numbers (unspecified behaves as approve).
enum class payment_scenario : uint8_t {
  unspecified = 0,
  approve = 1,
  fail = 2,
  delay = 3,
  random = 4,
  timeout = 5,
};

struct payment_policy {
  /// APPROVE, FAIL and RANDOM settle this long after processing starts.
  std::chrono::milliseconds settle_delay = std::chrono::milliseconds{500};
  /// DELAY settles this long after processing starts.
  std::chrono::milliseconds long_delay = std::chrono::seconds{90};
  /// RANDOM approves when its draw is below this.
  double approve_ratio = 0.5;
  /// An intent not completed by then expires.
  std::chrono::milliseconds intent_lifetime = std::chrono::minutes{10};
};

struct payment_state {
  payment_intent_id id;
  reservation_id reservation;
  user_id owner;
  money amount;
  /// The contract's PaymentMethod number.
  int32_t method = 0;
  payment_scenario scenario = payment_scenario::approve;
  payment_status status = payment_status::unspecified;
  timestamp created_at;
  timestamp updated_at;
  timestamp expires_at;
  /// Set when processing starts.
  std::string payment_id;
  std::string transaction_id;
  timestamp processed_at;
  /// When processing ends (meaningful while processing; TIMEOUT: never, expires instead).
  timestamp settles_at;
  bool settles = false;
  /// Decided when processing starts (from the scenario and the draw), applied at settles_at.
  bool will_approve = false;
  std::string failure_reason;
  int64_t refunded_amount = 0;
  std::string refund_id;
  /// Where each settled status is POSTed as a signed webhook; empty for none.
  std::string webhook_url;
};

// Commands (imperative).
/// `reservation_total` and `reservation_owner` are the reservation's, as its event knows it.
struct create_payment {
  payment_intent_id id;
  reservation_id reservation;
  user_id requester;
  user_id reservation_owner;
  money reservation_total;
  money amount;
  int32_t method = 0;
  payment_scenario scenario = payment_scenario::approve;
  std::string webhook_url;
};
struct process_payment {
  std::string payment_id;
  std::string transaction_id;
  double draw = 0.0; // uniform in [0, 1): RANDOM's coin
};
struct settle_payment {}; // the timer at settles_at
struct expire_payment {}; // the timer at expires_at
/// Cancels a pending/processing intent, or refunds a completed one (`refund_amount` 0 = all).
struct cancel_payment {
  std::string reason;
  int64_t refund_amount = 0;
  std::string refund_id;
};
using payment_command =
    std::variant<create_payment, process_payment, settle_payment, expire_payment, cancel_payment>;

// Events (past tense), each with its time.
struct payment_created {
  create_payment details;
  timestamp at;
  timestamp expires_at;
};
struct processing_started {
  std::string payment_id;
  std::string transaction_id;
  bool settles = false;
  timestamp settles_at;
  bool will_approve = false;
  timestamp at;
};
struct payment_completed {
  timestamp at;
};
struct payment_failed {
  std::string reason;
  timestamp at;
};
struct payment_expired {
  timestamp at;
};
struct payment_cancelled {
  std::string reason;
  timestamp at;
};
struct payment_refunded {
  int64_t amount = 0;
  std::string refund_id;
  timestamp at;
};
using payment_event =
    std::variant<payment_created, processing_started, payment_completed, payment_failed,
                 payment_expired, payment_cancelled, payment_refunded>;

/// Rejections: invalid_argument (fields), forbidden (not the reservation's owner), already_exists,
/// failed_precondition (wrong status, amount not the reservation's total), payment_expired.
result<std::vector<payment_event>> decide(const payment_state& state,
                                          const payment_command& command, timestamp now,
                                          const payment_policy& policy);
payment_state apply(payment_state state, const payment_event& event);

/// Reads and refunds belong to the intent's owner only; a stranger learns nothing.
result<void> authorize(const payment_state& state, const user_id& requester);

/// True once nothing more can happen to the intent but a refund (completed) or nothing at all.
bool is_final(payment_status status) noexcept;

} // namespace tt::domain
