#pragma once
/// Start-up recovery: what the node serves before it takes traffic. Every event stored in the
/// snapshot store comes back with its reservations and idempotency records (event_actor rebuilds
/// seats and timers from them) and its waiting room's entries; the catalog directory's definitions
/// are added, and replace a stored definition only while that event has no reservations (the rule
/// REFRESH_CONFIG follows).

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "actors/common/result.hpp"
#include "actors/runtime/event_protocol.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::actors {

struct recovery_summary {
  std::size_t events = 0;
  std::size_t reservations = 0;
  /// Of those, holds whose deadline had not passed by `now`.
  std::size_t live_holds = 0;
  /// Holds whose deadline passed while the node was down: released as the node starts.
  std::size_t lapsed_holds = 0;
  std::size_t idempotency_records = 0;
  /// Waiting-room entries, in every status.
  std::size_t queue_entries = 0;
  std::chrono::milliseconds took{0};

  /// The figures as health metrics ("recovered_events", ...).
  std::map<std::string, std::string> metrics() const;
};

/// Which events a recovery is for: all of them on a single node, a gained shard's in a cluster.
using event_filter = std::function<bool(const event_id&)>;

/// Reads the store (blocking: start-up, or a cluster node gaining a shard) and merges `catalog`
/// into what it holds, keeping only the events `wanted` accepts (every event when empty).
result<define_catalog> plan_recovery(const storage::snapshot_store& store,
                                     std::vector<domain::event_definition> catalog, timestamp now,
                                     recovery_summary& summary, const event_filter& wanted = {});

} // namespace tt::actors
