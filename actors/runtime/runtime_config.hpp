#pragma once
/// What every event and reservation actor of a node shares: the rules' numbers, the clock, and
/// the number of shards ids are minted for. Built once by the composition root.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

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

struct runtime_config {
  std::shared_ptr<const clock> time = std::make_shared<system_clock_source>();
  domain::reservation_policy policy;
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

  /// The store actors write to, or null when writes are not to be stored.
  storage::snapshot_store* durable_store() const { return store.get(); }
};

} // namespace tt::actors
