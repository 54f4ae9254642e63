#pragma once
/// What every event and reservation actor of a node shares: the rules' numbers, the clock, and
/// the number of shards ids are minted for. Built once by the composition root.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "actors/common/clock.hpp"
#include "actors/domain/idempotency.hpp"
#include "actors/domain/payment.hpp"
#include "actors/domain/policy.hpp"
#include "actors/domain/waiting_room.hpp"
#include "actors/runtime/event_publisher.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::actors {

/// Test-only switches that disable a guard, so a test can prove it detects the bug the guard
/// prevents (a negative control). Never set in production configs. Each actor reads them once,
/// when it starts, to pick the guarded behaviour or its unguarded twin (negative_controls.cpp);
/// no handler looks at them. Storing nothing (testing.unsafe_skip_persistence) needs no switch
/// here: the composition root then gives the actors no store.
struct unsafe_switches {
  /// Acknowledge a hold from a check and apply it 100 ms later, letting concurrent holds
  /// interleave between check and act: the classic oversell.
  bool ack_holds_before_apply = false;
  /// Let holds on queued events through without a reservation token: a bypassed waiting room.
  bool skip_admission_check = false;
  /// Answer a repeated join (or grant) from memory while the first one's write is in flight:
  /// a crash then loses an entry that two answers named.
  bool answer_repeats_at_once = false;
};

/// The waiting rooms' node-wide settings (queue.* keys); an event's catalog block overrides the
/// policy's rate and cap.
struct waiting_room_config {
  /// Signs and verifies reservation tokens (HMAC-SHA256); at least
  /// domain::min_admission_secret_length bytes.
  std::string secret;
  domain::waiting_room_policy defaults;
  /// How often each admission actor ticks: moves the serving counter and expires idle entries.
  std::chrono::milliseconds tick_interval{100};
};

/// A duration an operator changes while actors read it (UpdateConfig): set from any thread, each
/// read sees the latest value. A copy takes the value of the moment.
class live_duration {
 public:
  live_duration() = default;
  live_duration(const live_duration& other) : ms_(other.ms_.load(std::memory_order_relaxed)) {}
  live_duration& operator=(const live_duration& other) {
    ms_.store(other.ms_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return *this;
  }
  std::optional<std::chrono::milliseconds> get() const {
    auto ms = ms_.load(std::memory_order_relaxed);
    return ms < 0 ? std::nullopt : std::optional{std::chrono::milliseconds{ms}};
  }
  void set(std::chrono::milliseconds d) { ms_.store(d.count(), std::memory_order_relaxed); }

 private:
  /// Negative: never set.
  std::atomic<int64_t> ms_{-1};
};

/// Node-wide counts the actors keep for the node's metrics (read at collection time).
struct actor_counts {
  /// Reservation actors running now.
  std::atomic<int64_t> reservation_actors{0};
  /// Reservations the event actors keep, with an actor running or passivated (none).
  std::atomic<int64_t> reservations{0};
  /// Idempotency records the event actors keep in memory.
  std::atomic<int64_t> idempotency_records{0};
};

/// One owner's part of a node-wide count (actor_counts): `set` moves the total by the change,
/// and the part is taken back when the owner goes (an actor's state, a journal). Moving hands the
/// part over. Owned by one actor: no locking beyond the total's atomic.
class count_share {
 public:
  count_share() = default;
  explicit count_share(std::shared_ptr<std::atomic<int64_t>> total) : total_(std::move(total)) {}
  count_share(count_share&& other) noexcept
      : total_(std::move(other.total_)), mine_(std::exchange(other.mine_, 0)) {}
  count_share& operator=(count_share&& other) noexcept {
    if (this != &other) {
      set(0);
      total_ = std::move(other.total_);
      mine_ = std::exchange(other.mine_, 0);
    }
    return *this;
  }
  count_share(const count_share&) = delete;
  count_share& operator=(const count_share&) = delete;
  ~count_share() { set(0); }

  void set(int64_t count) {
    // Set after every write: an unchanged count must not touch the counter every actor shares.
    if (count == mine_)
      return;
    if (total_)
      total_->fetch_add(count - mine_, std::memory_order_relaxed);
    mine_ = count;
  }

 private:
  std::shared_ptr<std::atomic<int64_t>> total_;
  int64_t mine_ = 0;
};

struct runtime_config {
  std::shared_ptr<const clock> time = std::make_shared<system_clock_source>();
  /// The rules as the node started with them; a new hold reads policy_now() instead.
  domain::reservation_policy policy;
  /// reservation.hold_seconds once an operator changed it at run time (UpdateConfig): holds made
  /// from then on last this long, existing ones keep their expiry. Unset: policy.hold_duration.
  live_duration hold_duration;
  domain::idempotency_policy idempotency;
  domain::payment_policy payment;
  /// Ids carry shard_of(event, shard_count) so any node can route them.
  uint32_t shard_count = 64;
  /// How often actors drop expired idempotency records and passivate idle reservations.
  std::chrono::milliseconds sweep_interval{std::chrono::seconds{30}};
  /// A reservation past its hold whose actor has had no request for this long is passivated
  /// (its actor stops; it comes back from its stored state on the next request).
  std::chrono::milliseconds passivate_after{std::chrono::minutes{2}};
  unsafe_switches unsafe;
  waiting_room_config queue;
  /// Where actors make their state durable; null keeps everything in memory (unit tests).
  std::shared_ptr<storage::snapshot_store> store;
  /// Where domain events go (Kafka). Null: no events are published and payment results and
  /// hold expiry are applied in-process at once (the actor unit tests run so).
  std::shared_ptr<event_publisher> events;
  /// With a publisher, the worker ends holds from the expiry topic; a hold's own timer then
  /// fires this much later as a backstop (broker down, worker behind). Zero without one.
  std::chrono::milliseconds expiry_backstop{0};

  /// Shared by every actor of the node (copies of this config included).
  std::shared_ptr<actor_counts> counts = std::make_shared<actor_counts>();
  /// A share of one of `counts`.
  count_share share_of(std::atomic<int64_t> actor_counts::*count) const {
    return count_share{std::shared_ptr<std::atomic<int64_t>>(counts, &(counts.get()->*count))};
  }

  /// `policy` with the hold duration in force now: what a new hold is decided with.
  domain::reservation_policy policy_now() const {
    auto out = policy;
    if (auto changed = hold_duration.get())
      out.hold_duration = *changed;
    return out;
  }

  /// The store actors write to, or null when writes are not to be stored.
  storage::snapshot_store* durable_store() const { return store.get(); }
};

} // namespace tt::actors
