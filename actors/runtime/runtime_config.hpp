#pragma once
/// What every event and reservation actor of a node shares: the rules' numbers, the clock, and
/// the number of shards ids are minted for. Built once by the composition root.

#include <chrono>
#include <cstdint>
#include <memory>

#include "actors/common/clock.hpp"
#include "actors/domain/idempotency.hpp"
#include "actors/domain/policy.hpp"

namespace tt::actors {

/// Test-only switches that disable a guard, so a test can prove it detects the bug the guard
/// prevents (a negative control). Never set in production configs.
struct unsafe_switches {
  /// Acknowledge a hold from a check and apply it 100 ms later, letting concurrent holds
  /// interleave between check and act: the classic oversell.
  bool ack_holds_before_apply = false;
};

struct runtime_config {
  std::shared_ptr<const clock> time = std::make_shared<system_clock_source>();
  domain::reservation_policy policy;
  domain::idempotency_policy idempotency;
  /// Ids carry shard_of(event, shard_count) so any node can route them.
  uint32_t shard_count = 64;
  /// How often an event actor drops expired idempotency records.
  std::chrono::milliseconds idempotency_sweep{std::chrono::seconds{30}};
  unsafe_switches unsafe;
};

} // namespace tt::actors
