#pragma once
/// What a clustered node does when the group moves shards (shard_ownership's listener): one
/// thread takes the moves in the order the group made them (the shards one move gains restore
/// side by side).
///
/// Gaining a shard: claim it in the changelog, replay the log up to the claim, replace this
/// node's RocksDB copy of the shard with what the log holds (the local copy may be stale from
/// an earlier ownership), let the clustered store write the shard under the new claim, recover
/// the shard's events from the local copy and the catalog, define them in the shard region, and
/// hand their unpublished outbox rows to the publisher. Requests for the shard wait meanwhile
/// (the shard is announced as restoring). A shard whose log has a gap is refused, loudly: it is
/// not served by this node, and health says so.
///
/// Losing a shard: the clustered store refuses its writes at once (and the fence already did),
/// then its events stop in the region.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/domain/catalog.hpp"
#include "actors/runtime/event_publisher.hpp"
#include "actors/runtime/shard_region.hpp"
#include "adapters/cluster/changelog.hpp"
#include "adapters/cluster/changelog_store.hpp"
#include "adapters/cluster/membership.hpp"
#include "adapters/cluster/shard_ownership.hpp"

namespace tt::adapters::cluster {

/// Commits `batch` to `store` and waits until it is durable; the store's error if it is not.
std::optional<storage::storage_error> commit_and_wait(storage::snapshot_store& store,
                                                      std::vector<storage::mutation> batch);

/// The shard of a stored record: "<event id>/..." keys and "event/<event id>" definitions
/// belong to their event's shard, "user/<name>" (the gateway's users) to the user's
/// (shard_of_user); other meta records (webhook registrations) and the worker's dead letters in
/// the outbox are the node's own, of no shard.
std::optional<uint32_t> shard_of_record_key(storage::entity_kind kind, std::string_view key,
                                            uint32_t shard_count);

struct shard_host_parts {
  caf::actor_system* actors = nullptr;
  actors::shard_region region;
  std::shared_ptr<storage::snapshot_store> local;
  uint32_t shard_count = 64;
  /// The catalog's definitions (read again at every gain: REFRESH_CONFIG may have changed it).
  std::function<std::shared_ptr<const std::vector<domain::event_definition>>()> catalog;
  std::function<timestamp()> now;
  std::shared_ptr<actors::event_publisher> publisher;
  /// Negative control only (testing.unsafe_skip_fence): a shard lost by eviction keeps being
  /// served here, as by a paused node that does not know it was replaced.
  bool unsafe_keep_lost_shards = false;
};

/// One shard's state on this node, for health.
struct shard_states {
  shard_list serving;
  shard_list restoring;
  /// Owned but not served: the restore failed (a gap in the log, an unreadable log).
  std::map<uint32_t, std::string> refused;
};

class shard_host {
 public:
  shard_host() = default;
  shard_host(const shard_host&) = delete;
  shard_host& operator=(const shard_host&) = delete;
  ~shard_host();

  /// The listener to give shard_ownership: queues each move for this host's thread (moves
  /// queued before `start` wait for it).
  ownership_listener listener();

  /// Starts taking the queued moves into `parts`' actors, writing through `store` and
  /// restoring from `log`. `changed` runs after every move (to announce it).
  void start(shard_host_parts parts, const shard_ownership& ownership, changelog& log,
             changelog_store& store, std::function<void()> changed);
  /// Stops taking moves (before the actors stop); moves still queued are dropped. Idempotent.
  void stop();

  /// Told of the shards this node starts and stops serving: after a gained shard serves, and
  /// before a lost shard stops (the worker's consumer reads their partitions of the worker
  /// topics). Runs on the host's thread; it must not block.
  using serving_listener =
      std::function<void(const shard_list& started, const shard_list& stopped)>;
  /// Sets the one listener (first telling it every shard served now); nullptr detaches it, and
  /// returns once no call to the previous one is under way.
  void follow(serving_listener listener);

  enum class shard_state : uint8_t { absent, restoring, serving };
  shard_state state_of(uint32_t shard) const;
  shard_states states() const;

 private:
  struct move {
    bool gained = false;
    shard_list shards;
    loss how = loss::revoked;
  };
  void enqueue(move m);
  void tell(const shard_list& started, const shard_list& stopped);
  void run();
  /// Takes `shards`, several at a time, and returns when each is served or refused.
  void take_all(const shard_list& shards);
  /// `catalog`: the catalog's definitions, read once for the move.
  void take(uint32_t shard, const std::vector<domain::event_definition>& catalog);
  void give_up(const shard_list& shards, loss how);
  std::optional<std::string> replace_local_copy(uint32_t shard,
                                                std::vector<storage::mutation> records);
  std::optional<std::string> serve_events(uint32_t shard,
                                          const std::vector<domain::event_definition>& catalog);

  shard_host_parts parts_;
  const shard_ownership* ownership_ = nullptr;
  changelog* log_ = nullptr;
  changelog_store* store_ = nullptr;
  std::function<void()> changed_;
  /// Held while the listener runs, so that detaching it waits for a call under way.
  std::mutex listener_mutex_;
  serving_listener listener_; // under listener_mutex_
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<move> moves_; // under mutex_
  shard_states states_;    // under mutex_
  bool stopping_ = false;  // under mutex_
  std::thread thread_;
};

} // namespace tt::adapters::cluster
