#pragma once
/// Which shards this node serves, decided by Kafka's consumer-group protocol (as Kafka Streams
/// does), not by a consensus of our own: every node joins one group over the changelog topic,
/// whose partitions are the cluster's shards, and the group's assignment is the set of shards a
/// node owns. The cooperative-sticky assignor keeps a survivor's shards where they are on a
/// rebalance; only the shards of a leaving (or new) member move.
///
/// The group is used for its assignment and its generation only: the node never fetches from
/// the assigned partitions (they stay paused; the changelog is read by restore, see changelog.hpp).
///
/// The fence. `confirm` commits a changelog position under the member's current generation, and
/// a write is acknowledged only after that commit succeeded. The group coordinator refuses the
/// commit of a member that is no longer in the current generation (ILLEGAL_GENERATION,
/// UNKNOWN_MEMBER_ID), so a node that was paused or cut off while its shards moved cannot
/// acknowledge a write for them. A member still in the group is fenced locally: no confirm starts
/// for a shard once its revocation began, and one under way then does not count. (A commit sent
/// before the revocation carries a generation the shard was still this member's in; under the
/// cooperative protocol a successor gets the shard only in a later one, after this member
/// rejoined, so such a write precedes the successor's claim in the log either way.)
///
/// Thread-safety: every member may be called from any thread; the callbacks run on the
/// ownership thread, one at a time, in the order the group decided.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/kafka/rdkafka_handles.hpp"

namespace tt::adapters::cluster {

using shard_list = std::vector<uint32_t>; // ascending

/// Where a shard's latest complete snapshot is in its changelog (changelog.hpp): its first
/// part's offset and the offset it covers the log up to. Both -1: none yet.
struct snapshot_ref {
  int64_t parts_at = -1;
  int64_t covers_until = -1;
  bool exists() const noexcept { return covers_until >= 0; }
  bool operator==(const snapshot_ref& o) const noexcept {
    return parts_at == o.parts_at && covers_until == o.covers_until;
  }
};

/// A shard's changelog position as the group records it: where the confirmed writes end, the
/// claim they were written under and the latest snapshot (the commit's metadata). The claims
/// recorded this way form the chain of legitimate owners that replay trusts (changelog.hpp).
struct shard_position {
  uint32_t shard = 0;
  int64_t next_offset = -1;
  int64_t claim = -1;
  snapshot_ref snapshot = {};
};

struct ownership_settings {
  std::string bootstrap_servers;
  std::string group_id = "tt-shards";
  /// The changelog topic: one partition per shard.
  std::string topic = "tt.shards";
  /// This node's id (the member's client.id, for the broker's logs).
  std::string node_id;
  /// How long a silent member (crashed, paused) keeps its shards. The embedded broker moves
  /// them after about twice this (measured: issue #30). A real Kafka refuses a session timeout
  /// below its group.min.session.timeout.ms (6000 by default).
  std::chrono::milliseconds session_timeout{6000};
  /// Starts standing aside (stand_aside: an operator's FORCE_FAILOVER survives a restart).
  bool aside = false;
};

/// How a member stopped owning shards: the group asked for them (a rebalance), or it learned
/// that the group had already given them away (it was evicted: paused, cut off).
enum class loss : uint8_t { revoked, evicted };

/// What the node does when the group moves shards. Both run on the ownership thread and should
/// return quickly (a restore runs elsewhere). `lost` runs after the shards stopped counting as
/// owned and every confirm in flight for them finished: from then on none is acknowledged.
struct ownership_listener {
  std::function<void(const shard_list& shards)> gained;
  std::function<void(const shard_list& shards, loss how)> lost;
};

class shard_ownership {
 public:
  /// Joins the group and starts following its rebalances. The first assignment arrives later,
  /// through the listener.
  static std::variant<std::unique_ptr<shard_ownership>, std::string>
  start(const ownership_settings& settings, ownership_listener listener);

  shard_ownership(const shard_ownership&) = delete;
  shard_ownership& operator=(const shard_ownership&) = delete;
  /// Leaves the group (the others take the shards at once, without waiting for a session
  /// timeout); `lost` runs for every owned shard first.
  ~shard_ownership();

  /// The shards owned now.
  shard_list owned() const;
  bool owns(uint32_t shard) const;
  /// Rebalances this member took part in that changed its shards.
  uint64_t moves() const noexcept { return moves_.load(); }
  /// The group generation this member is in; nullopt before it joined. librdkafka 2.0.2 has no
  /// getter: this reads it from the consumer group metadata librdkafka serializes for
  /// transactions (format "CGMDv2:", then the generation as a native int32), and answers
  /// nullopt for any other format.
  std::optional<int32_t> generation() const;

  /// An operator's FORCE_FAILOVER: `aside` leaves the group (the others take every shard of this
  /// node in one rebalance; `lost` runs for them first) and keeps out of it; false joins again.
  /// Acted on by the ownership thread, within one poll (100 ms).
  void stand_aside(bool aside) { aside_wanted_ = aside; }
  bool standing_aside() const noexcept { return aside_wanted_.load(); }

  /// The fence: commits `positions` under the member's current generation. nullopt when every
  /// shard is still owned and the coordinator accepted the commit; else why not (then nothing
  /// may be acknowledged). Blocks for one round trip to the group coordinator.
  std::optional<std::string> confirm(const std::vector<shard_position>& positions);

  /// Negative control only (testing.unsafe_skip_fence): records `positions` without waiting for
  /// or checking the answer.
  void record_unfenced(const std::vector<shard_position>& positions);

  /// What the group last confirmed for `shard` (next_offset and claim -1 when nothing was);
  /// nullopt when the coordinator could not be asked.
  std::optional<shard_position> confirmed_position(uint32_t shard,
                                                   std::chrono::milliseconds limit) const;

 private:
  shard_ownership(ownership_settings settings, ownership_listener listener);
  void run();
  /// Subscribes to the shard topic; the error text if not.
  std::optional<std::string> subscribe();
  /// Acts on stand_aside (ownership thread).
  void follow_operator();
  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  static void rebalance_trampoline(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                   rd_kafka_topic_partition_list_t* partitions, void* opaque);

  kafka::client_handle consumer_;
  ownership_settings settings_;
  ownership_listener listener_;
  /// Shared by confirms, exclusive for a revocation: the local half of the fence.
  mutable std::shared_mutex fence_;
  std::set<uint32_t> owned_; // under fence_
  /// Revocations so far, and the latest one of each shard (under fence_): a confirm counts
  /// only if none of its shards was given up while it was under way.
  uint64_t revocations_ = 0;
  std::map<uint32_t, uint64_t> revoked_at_;
  std::atomic<uint64_t> moves_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> aside_wanted_{false};
  /// Whether the consumer is subscribed (ownership thread only, after start).
  bool subscribed_ = false;
  std::thread thread_;
};

} // namespace tt::adapters::cluster
