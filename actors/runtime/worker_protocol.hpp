#pragma once
/// The worker's messages: what it asks an event to do to one reservation (from a Kafka event, a
/// webhook, or an operator's WorkerService call), and what it reports about itself. Every effect
/// reads the state it acts on from the actors, never from the message: a redelivered, late or
/// forged message can at most ask for something that is then found to be done already.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/ids.hpp"
#include "actors/domain/event_inventory.hpp"
#include "actors/domain/reservation.hpp"

namespace tt::actors {

enum class effect_kind : uint8_t {
  /// End the hold if its deadline has passed (it may have been extended or settled meanwhile).
  hold_expiry,
  /// Bring the reservation in line with the intent's stored outcome (confirm, fail, refund).
  payment_result,
  /// Compensation: release the hold now (seats back on sale), for the owner.
  release_hold,
  /// Compensation: refund every approved payment of the reservation that does not pay for it.
  refund_orphaned_payments,
  /// Compensation: expire the hold if it lapsed, then refund orphaned payments.
  cleanup,
};
inline constexpr effect_kind all_effect_kinds[] = {
    effect_kind::hold_expiry, effect_kind::payment_result, effect_kind::release_hold,
    effect_kind::refund_orphaned_payments, effect_kind::cleanup};
std::string_view to_string(effect_kind kind) noexcept;

struct effect_request {
  effect_kind kind = effect_kind::hold_expiry;
  reservation_id reservation;
  payment_intent_id payment; // payment_result
  std::string reason;        // release_hold
  /// The trace of what asked for the effect (the Kafka event's, the webhook's or the call's):
  /// the events the effect publishes carry it on.
  std::string trace_id = {};

  /// A hold's expiry event: end the hold if its deadline has passed.
  static effect_request hold_expiry(reservation_id reservation, std::string trace_id) {
    return {effect_kind::hold_expiry, std::move(reservation), {}, {}, std::move(trace_id)};
  }
  /// A payment's event: bring its reservation in line with its result.
  static effect_request payment_result(reservation_id reservation, payment_intent_id payment,
                                       std::string trace_id) {
    return {effect_kind::payment_result,
            std::move(reservation),
            std::move(payment),
            {},
            std::move(trace_id)};
  }
};

/// skipped: nothing was left to do (the state moved on already); duplicate: the worker applied
/// this event id before and did not ask again.
enum class effect_status : uint8_t { applied, skipped, duplicate };

struct effect_reply {
  effect_status status = effect_status::skipped;
  std::string note;
  domain::reservation_state reservation;
  /// The seats the effect moved (none when skipped).
  std::vector<domain::seat_view> seats;

  /// Nothing was left to do for `r`, as found.
  static effect_reply skipped(std::string why, domain::reservation_state r) {
    return {effect_status::skipped, std::move(why), std::move(r), {}};
  }
  /// An outcome about no reservation in particular (a payment's refund, a duplicate event).
  static effect_reply without_reservation(effect_status status, std::string note) {
    return {status, std::move(note), {}, {}};
  }
};

/// One event for the worker: `event_id` empty for operators' calls (never de-duplicated);
/// `due` is when to act (a hold's deadline; now for everything else).
struct worker_job {
  std::string event_id;
  effect_request effect;
  timestamp due;

  /// A job to run at once (a payment's result: nothing to wait for).
  static worker_job immediate(std::string event_id, effect_request effect) {
    return {std::move(event_id), std::move(effect), timestamp{}};
  }
};

/// Where the outcome of a tracked job goes: the Kafka consumer's completion queue. Called on the
/// worker's thread, so it must not block.
class job_sink {
 public:
  virtual ~job_sink() = default;
  /// `error` is empty when the effect is durable (or was found done already).
  virtual void finished(uint64_t ticket, std::optional<std::string> error) = 0;
};

/// A job whose outcome goes to `sink` rather than back as a response. The Kafka consumer has
/// thousands of jobs in hand at once (every live hold's expiry waits for its deadline), and CAF
/// 0.17 keeps an actor's outstanding requests in a vector it searches and erases from linearly:
/// one request per job made every answer cost O(jobs in hand).
struct tracked_job {
  uint64_t ticket = 0;
  worker_job job;
  std::shared_ptr<job_sink> sink;
};

/// The adapter gave up on an event and sent it to the dead-letter topic.
struct dead_lettered {
  std::string event_id;
  std::string reason;
};

/// From the Kafka consumer, every second: where it stands.
struct source_report {
  int64_t consumed = 0;
  int64_t in_hand = 0;
  int64_t retries = 0;
  int64_t lag = 0;
  int32_t assigned_partitions = 0;
};

struct worker_stats_query {};

struct kind_stats {
  effect_kind kind = effect_kind::hold_expiry;
  int64_t processed = 0;
  int64_t failed = 0;
  timestamp last_at;
};

struct worker_stats {
  timestamp started_at;
  timestamp last_processed_at;
  /// Effects applied or found done (skipped), duplicates recognised, failures (each attempt).
  int64_t processed = 0;
  int64_t applied = 0;
  int64_t skipped = 0;
  int64_t duplicates = 0;
  int64_t failed = 0;
  int64_t dead_letters = 0;
  /// Waiting for their due time (hold deadlines) or for a free slot, and asked of an event now.
  int64_t waiting = 0;
  int64_t in_flight = 0;
  double average_ms = 0;
  std::vector<kind_stats> kinds; // one per effect kind
  std::vector<dead_lettered> recent_dead_letters;
  /// The Kafka consumer's last report (none without Kafka).
  source_report source;
};

} // namespace tt::actors
