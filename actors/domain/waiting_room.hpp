#pragma once
/// One event's waiting room (issue #5), owned by the event's admission actor. Users join and get a
/// waiting token and a place: FIFO by a per-event sequence, never by timestamp, so two joins in
/// the same millisecond still have an order. Admission follows the serving-counter model (AWS
/// Virtual Waiting Room): an entry is ready once its sequence <= the serving counter, and `tick`
/// moves the counter forward through an inlet with two knobs, admissions per second (a token
/// bucket holding at most one second of admissions) and a cap on active users (ready or admitted
/// and not finished), like Cloudflare's new_users_per_minute / total_active_users.
///
/// An entry's life:  waiting --tick--> ready --request_admission--> admitted
///                   --consume_admission (CreateReservation)--> consumed --finish_admission--> gone
/// and it leaves early on leave_queue, or at its deadline (checked by tick): waiting and ready
/// entries not seen for idle_timeout, ready entries not claimed within claim_window, reservation
/// tokens unused after admission_validity, consumed entries never finished within
/// active_lifetime (so a lost finish cannot hold a slot for ever).
///
/// Pure: ids and nonces are minted by the actor and passed in, `now` is a parameter. Rejections
/// are failures that change nothing; input never asserts.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "actors/common/clock.hpp"
#include "actors/common/ids.hpp"
#include "actors/common/result.hpp"
#include "actors/common/segmented_map.hpp"
#include "actors/domain/admission_token.hpp"
#include "actors/domain/rank_index.hpp"

namespace tt::domain {

struct waiting_room_policy {
  /// The inlet's rate; also the ETA's rate until one is measured.
  uint32_t admissions_per_second = 10;
  /// At most this many entries ready or admitted-and-not-finished at once.
  uint32_t max_active = 100;
  std::chrono::milliseconds idle_timeout = std::chrono::minutes{5};
  /// How long a ready entry may take to call RequestAdmission before its slot goes to the next.
  std::chrono::milliseconds claim_window = std::chrono::minutes{1};
  /// The reservation token's validity.
  std::chrono::milliseconds admission_validity = std::chrono::seconds{30};
  /// A consumed admission counts as active at most this long after it was granted.
  std::chrono::milliseconds active_lifetime = std::chrono::minutes{15};
  /// Entries in any status; a join beyond it is refused with quota_exceeded.
  uint32_t max_entries = 500'000;
  /// The window of the measured admission rate.
  std::chrono::milliseconds rate_window = std::chrono::minutes{1};
};

/// Room for a minted, routable token: "w-<shard>-<event id up to 64>-<ulid>".
inline constexpr std::size_t max_waiting_token_length = 128;
inline constexpr std::size_t max_session_id_length = 128;

enum class entry_status : uint8_t { waiting, ready, admitted };

/// What the event's inventory leaves to sell, as its event actor last reported it (issue #31).
enum class stock_level : uint8_t {
  /// Seats are available: the line moves.
  on_sale,
  /// None available but some held: a hold may still lapse, so the line pauses until seats are
  /// back.
  all_held,
  /// None available and none held: nothing is left to sell, nobody more is admitted.
  sold_out,
};
/// The level of an event with `available` seats free and `held` seats in holds.
stock_level stock_of(int32_t available, int32_t held) noexcept;

/// Why the line does not move right now (`moving` when it does), for everyone waiting in it.
/// When several hold, the one that says most wins: sold out, then the operator's stop, then
/// all seats held.
enum class line_halt : uint8_t { moving, all_held, stopped, sold_out };
/// What everyone waiting in `event`'s line is told while it is halted: sold out is
/// insufficient_inventory, a pause unavailable (the place is kept). Precondition: `halt` is not
/// `moving`.
failure why_halted(const event_id& event, line_halt halt);
enum class removal_reason : uint8_t {
  left,
  idle,
  unclaimed,
  admission_unused,
  active_lifetime_over,
  finished,
  /// DRAIN_QUEUE released the waiting entry: the line closed under it.
  released
};
std::string_view to_string(removal_reason reason) noexcept;

// Commands (imperative).
/// `token` is freshly minted; a repeated (user, session) keeps its first token instead.
struct join_queue {
  waiting_token_id token;
  user_id user;
  session_id session;
};
/// Any poll or open stream: the client is still there.
struct record_heartbeat {
  waiting_token_id token;
};
struct leave_queue {
  waiting_token_id token;
};
/// `nonce` is freshly minted; a retry while the grant is live returns the first grant instead.
struct request_admission {
  waiting_token_id token;
  user_id user;
  admission_nonce nonce;
};
/// CreateReservation spent the (already verified) reservation token: single use.
struct consume_admission {
  admission_nonce nonce;
  user_id user;
};
/// The admitted user's reservation is done (confirmed, cancelled, expired): its slot is free.
struct finish_admission {
  admission_nonce nonce;
};
/// Expires what is due, then moves the serving counter as far as the inlet allows.
struct tick {};
/// EmergencyAction STOP_ADMISSIONS and its undo: joins continue, the serving counter freezes.
struct stop_admissions {};
struct resume_admissions {};
/// The event actor's inventory reached another level. Not stored: the event actor reports its
/// level again whenever its room (re)registers.
struct report_stock {
  stock_level level = stock_level::on_sale;
};
/// What DRAIN_QUEUE does with everyone still waiting (issue #31).
enum class drain_mode : uint8_t {
  /// Everyone waiting becomes ready at once, past the inlet's rate and the cap of active users.
  admit,
  /// Everyone waiting leaves the line (removal_reason::released) and is told why.
  release,
};
/// DRAIN_QUEUE: no new joins from now on (a repeated join of someone still in the room is
/// answered as before), and everyone waiting is admitted or released per `mode`. Repeatable.
struct drain_line {
  drain_mode mode = drain_mode::release;
};
/// Undoes a drain's stop of new joins.
struct reopen_line {};
using waiting_room_command =
    std::variant<join_queue, record_heartbeat, leave_queue, request_admission, consume_admission,
                 finish_admission, tick, stop_admissions, resume_admissions, report_stock,
                 drain_line, reopen_line>;

// Events (past tense), each with its time.
struct queue_joined {
  waiting_token_id token;
  user_id user;
  session_id session;
  uint64_t sequence = 0;
  timestamp at;
};
/// A repeated join of the same (user, session): counts as a heartbeat, names the existing token.
struct queue_rejoined {
  waiting_token_id token;
  timestamp at;
};
struct entry_seen {
  waiting_token_id token;
  timestamp at;
};
/// The next `count` waiting entries became ready; the bucket holds `credit_after` (in
/// thousandths of an admission) as of `at`.
struct serving_advanced {
  uint64_t count = 0;
  int64_t credit_after = 0;
  timestamp at;
};
struct admission_granted {
  waiting_token_id token;
  user_id user;
  admission_nonce nonce;
  timestamp expires_at;
  timestamp at;
};
/// A retried RequestAdmission: the live grant again. apply is the identity: nothing to persist.
struct admission_reissued {
  admission_granted grant;
};
struct admission_consumed {
  waiting_token_id token;
  timestamp at;
};
struct entry_removed {
  waiting_token_id token;
  removal_reason reason = removal_reason::left;
  timestamp at;
};
struct admissions_stopped {
  int64_t credit_at_stop = 0; // the bucket does not fill while stopped
  timestamp at;
};
struct admissions_resumed {
  timestamp at;
};
/// The line pauses (all_held), stops for good (sold_out) or moves again (on_sale).
struct stock_changed {
  stock_level level = stock_level::on_sale;
  timestamp at;
};
/// New joins are refused from `at` on (a drain), or taken again.
struct line_closed {
  timestamp at;
};
struct line_reopened {
  timestamp at;
};
using waiting_room_event =
    std::variant<queue_joined, queue_rejoined, entry_seen, serving_advanced, admission_granted,
                 admission_reissued, admission_consumed, entry_removed, admissions_stopped,
                 admissions_resumed, stock_changed, line_closed, line_reopened>;

/// The operator changed `event`'s inlet from `before` to `after`: what everyone waiting is told
/// (CAPACITY_CHANGED), or nullopt when neither the rate nor the cap of active users changed.
std::optional<std::string> capacity_notice(const event_id& event, const waiting_room_policy& before,
                                           const waiting_room_policy& after);

/// What everyone waiting in `event`'s line is told when the operator cancelled `cancelled` holds
/// (CANCEL_RESERVATIONS): their seats are back on sale.
std::string holds_cancelled_notice(const event_id& event, int32_t cancelled);

/// What GetQueueStatus and a stream say to an entry a drain released.
failure why_released(const event_id& event);

/// What GetQueueStatus / StreamQueueUpdates report for one entry.
struct queue_position {
  entry_status status = entry_status::waiting;
  /// 1 for the next to be admitted; 0 once ready or admitted. Exact, gaps closed.
  uint64_t position = 0;
  int32_t eta_seconds = 0;
  /// Until when the entry lives without another heartbeat (or, admitted, the token's expiry).
  timestamp expires_at;
  /// Why the line is not moving for this entry, if it waits; `moving` once it is ready.
  line_halt halt = line_halt::moving;
};

struct waiting_room_stats {
  uint64_t waiting = 0;
  uint64_t ready = 0;
  /// Admitted and not finished.
  uint64_t admitted = 0;
  uint64_t total_admitted = 0;
  /// Serving-counter advances per second over the rate window (the configured rate until
  /// measured).
  double admission_rate = 0.0;
  bool rate_measured = false;
  /// Mean join-to-admission time of every admission so far.
  std::chrono::milliseconds average_wait{0};
  bool admissions_stopped = false;
  stock_level stock = stock_level::on_sale;
  /// A drain stopped new joins.
  bool joins_closed = false;
};

/// One entry as it is stored (README, "Waiting rooms are stored"). Heartbeats and a ready
/// entry's claim deadline are not: a restart gives every entry a fresh idle timeout and claim
/// window, and whether an unadmitted entry is ready follows from the stored serving counter.
struct stored_entry {
  waiting_token_id token;
  user_id user;
  session_id session;
  uint64_t sequence = 0;
  timestamp joined_at;
  bool admitted = false;
  admission_nonce nonce;
  timestamp admission_expires_at;
  timestamp admitted_at;
  bool consumed = false;
};

/// The room's own numbers as stored.
struct stored_room {
  uint64_t serving_counter = 0;
  bool admissions_stopped = false;
  uint64_t total_admitted = 0;
  std::chrono::milliseconds total_wait{0};
  bool joins_closed = false;
};

class waiting_room_state {
 public:
  explicit waiting_room_state(event_id event, waiting_room_policy policy = {});
  // Movable, not copyable: the indexes point into entries_, whose elements a move keeps in place
  // and a copy would not.
  waiting_room_state(waiting_room_state&&) = default;
  waiting_room_state& operator=(waiting_room_state&&) = default;
  waiting_room_state(const waiting_room_state&) = delete;
  waiting_room_state& operator=(const waiting_room_state&) = delete;

  /// The room a restart brings back at `now`: every entry seen at `now`, entries at or below the
  /// serving counter that were not admitted ready again with a full claim window, the inlet empty
  /// (it refills at its rate from `now`, so a restart does not admit a burst).
  /// errc::data_corruption when two entries share a sequence, token, (user, session) or nonce.
  static result<waiting_room_state> restore(event_id event, waiting_room_policy policy,
                                            const stored_room& numbers,
                                            std::vector<stored_entry> entries, timestamp now);

  const event_id& event() const noexcept { return event_; }
  const waiting_room_policy& policy() const noexcept { return policy_; }
  uint64_t serving_counter() const noexcept { return serving_counter_; }
  std::size_t entry_count() const noexcept { return entries_.size(); }
  /// STOP_ADMISSIONS is in force: the serving counter is frozen.
  bool stopped() const noexcept { return stopped_; }
  /// A drain stopped new joins.
  bool joins_closed() const noexcept { return joins_closed_; }
  /// A drain released `token` (kept in memory only, until the line reopens).
  bool released(const waiting_token_id& token) const { return released_.count(token) != 0; }
  /// The event's inventory as last reported; on_sale until the first report.
  stock_level stock() const noexcept { return stock_; }
  /// Why the serving counter does not move now, or `moving`.
  line_halt halt() const noexcept;
  /// A replaced event's definition keeps its room with the new numbers; every entry's deadline
  /// follows them from now on.
  void set_policy(const waiting_room_policy& policy);

  /// What to store for `token`'s entry; nullopt once it is gone.
  std::optional<stored_entry> stored_entry_of(const waiting_token_id& token) const;
  stored_room stored_numbers() const noexcept;
  /// Every entry's token (the keys to delete when the room closes).
  std::vector<waiting_token_id> tokens() const;

  /// errc::not_found for a token that left or never existed.
  result<queue_position> position_of(const waiting_token_id& token, timestamp now) const;
  waiting_room_stats stats(timestamp now) const;
  /// The claims to sign (sign_admission_token) for a grant this room decided.
  admission_claims claims_of(const admission_granted& grant) const;

  friend result<std::vector<waiting_room_event>>
  decide(const waiting_room_state& state, const waiting_room_command& command, timestamp now);
  /// Applies in place: copying 100,000 entries per event would dominate every command.
  friend void apply(waiting_room_state& state, const waiting_room_event& event);

 private:
  struct entry {
    waiting_token_id token;
    user_id user;
    session_id session;
    uint64_t sequence = 0;
    entry_status status = entry_status::waiting;
    timestamp joined_at;
    timestamp last_seen_at;
    timestamp claim_by; // ready: RequestAdmission must come before this
    admission_nonce nonce;
    timestamp admission_expires_at;
    timestamp admitted_at;
    bool consumed = false;
    timestamp deadline; // when tick removes it; also its key in deadlines_
  };
  struct admission_sample {
    timestamp at;
    uint64_t count = 0;
  };

  const entry* find(const waiting_token_id& token) const;
  entry& at(const waiting_token_id& token);
  int64_t credit_at(timestamp now) const noexcept;
  double admission_rate(timestamp now, bool* measured) const;
  int32_t eta_seconds(uint64_t position, timestamp now) const;
  timestamp deadline_of(const entry& e) const noexcept;
  void reschedule(entry& e);
  void remove(const entry& e);

  result<std::vector<waiting_room_event>> decide_join(const join_queue& c, timestamp now) const;
  result<std::vector<waiting_room_event>> decide_admission(const request_admission& c,
                                                           timestamp now) const;
  result<std::vector<waiting_room_event>> decide_consume(const consume_admission& c,
                                                         timestamp now) const;
  std::vector<waiting_room_event> decide_tick(timestamp now) const;
  std::vector<waiting_room_event> decide_drain(const drain_line& c, timestamp now) const;
  removal_reason why_due(const entry& e) const noexcept;

  void apply_joined(const queue_joined& e);
  void apply_seen(const waiting_token_id& token, timestamp at);
  void apply_advanced(const serving_advanced& e);
  void apply_granted(const admission_granted& e);

  event_id event_;
  waiting_room_policy policy_;
  uint64_t next_sequence_ = 1;
  /// The sequence of the last entry made ready: every entry at or below it has had its turn.
  uint64_t serving_counter_ = 0;
  // Every entry, by token: the one table a lookup hashes. It is segmented because it grows with
  // every join, and a std::unordered_map rehashes all of its elements at once, holding the room
  // and every join queued behind it. The other indexes point at its elements, which stay put
  // until erased (segmented_map). They used to name sequences in a second table by sequence:
  // with it, open-loop JoinQueue at 16,400/s had a p99 of 10-17 ms, and its find and rehash led
  // the room's busiest 10-ms windows in `perf`; without it, 2-8 ms.
  segmented_map<waiting_token_id, entry> entries_;
  std::map<std::pair<std::string, std::string>, entry*> by_member_; // (user, session)
  segmented_map<admission_nonce, entry*> by_nonce_;                 // grows with every admission
  /// Exactly the waiting entries, in FIFO order; line_ranks_ holds the same keys for positions.
  std::map<uint64_t, entry*> line_;
  rank_index line_ranks_;
  /// Every entry by (deadline, sequence), so tick touches only what is due.
  std::map<std::pair<timestamp, uint64_t>, entry*> deadlines_;
  uint64_t ready_count_ = 0;
  uint64_t admitted_count_ = 0;
  // The inlet's token bucket, in thousandths of an admission, as of refilled_at_. Full until the
  // first admission, so the first tick of a fresh room admits at once.
  bool inlet_started_ = false;
  int64_t credit_ = 0;
  timestamp refilled_at_;
  bool stopped_ = false;
  stock_level stock_ = stock_level::on_sale;
  bool joins_closed_ = false;
  /// Tokens a drain released, so their owners hear why rather than "no such token". Not stored:
  /// after a restart they read as gone, like any other removed entry.
  std::unordered_set<waiting_token_id> released_;
  // The measured rate: advances after measuring_since_ (the first one only starts the clock),
  // trimmed to rate_window.
  bool measuring_ = false;
  timestamp measuring_since_;
  std::deque<admission_sample> recent_;
  uint64_t recent_total_ = 0; // the sum of recent_'s counts
  uint64_t total_admitted_ = 0;
  std::chrono::milliseconds total_wait_{0};
};

result<std::vector<waiting_room_event>> decide(const waiting_room_state& state,
                                               const waiting_room_command& command, timestamp now);
/// Call it qualified, `domain::apply(...)`: ADL through std::variant also finds std::apply.
void apply(waiting_room_state& state, const waiting_room_event& event);

} // namespace tt::domain
