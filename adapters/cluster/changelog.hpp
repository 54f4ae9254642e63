#pragma once
/// The cluster's changelog: every durable change of a shard goes to the shard's partition of the
/// changelog topic, and is acknowledged only once it is in the log (acks=all) and the fence let
/// it through (shard_ownership::confirm, a commit under the current group generation). A node
/// that dies with its disk loses no acknowledged write: the shard's next owner replays the log.
///
/// Claims. A node taking a shard appends a claim record; its offset is the claim, and every
/// record the node writes for the shard carries it; the group's committed metadata names the
/// claim of the last confirmed write. A claim record names the claim confirmed before it, so the
/// legitimate claims form a chain from the one the group confirmed last. Replay keeps a batch
/// only when its claim is in that chain and the next claim of the chain comes after it: what a
/// replaced owner still wrote after its successor's claim (a paused node waking up), and any
/// claim the group never confirmed with what was written under it, are ignored.
///
/// Snapshots. Once `snapshot_every_bytes` were appended to a shard since its last snapshot, the
/// owner replays the shard from that snapshot to the log's end and appends the result (the
/// state, and the claim links before it) in parts under its claim; once every part is confirmed,
/// the group's metadata names the new snapshot. A restore reads from the snapshot's end on: the
/// snapshot plus the records after it, not the whole history.
///
/// Gaps. The embedded broker keeps ~5 MiB per partition and silently drops the oldest; a real
/// one drops by retention. A replay that does not start where it must (the partition's first
/// record, or the snapshot's end) cannot know what it missed, so restore refuses the shard
/// (loudly) rather than serve part of it.
///
/// Thread-safety: every member may be called from any thread. `done` callbacks run on the
/// changelog's confirming thread and must not block.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/cluster/shard_ownership.hpp"
#include "adapters/kafka/rdkafka_handles.hpp"
#include "storage/types.hpp"

namespace tt::adapters::cluster {

struct changelog_settings {
  std::string bootstrap_servers;
  std::string topic = "tt.shards";
  std::string node_id;
  /// Bytes appended to a shard after which its owner writes a snapshot. The embedded broker
  /// keeps ~5 MiB per partition (compressed): a snapshot and the tail after it must fit.
  int64_t snapshot_every_bytes = 1 << 20;
  /// How often the owner checks which shards are due.
  std::chrono::milliseconds snapshot_check{1000};
};

/// A shard as its changelog left it: the latest value of every key (deleted keys absent).
struct restored_shard {
  std::vector<storage::mutation> records;
  /// Batches applied, and batches ignored: written under a claim the chain does not trust, or
  /// after the chain's next claim superseded their writer.
  int64_t batches = 0;
  int64_t superseded = 0;
  /// The claim links read (claim record offset -> the claim before it), for a snapshot.
  std::map<int64_t, int64_t> previous_claims;
  /// Bytes of the records replayed after the snapshot (or from the start).
  int64_t tail_bytes = 0;
};

class changelog {
 public:
  using done_fn = std::function<void(std::optional<std::string> error)>;

  /// `group` (not owned, outlives this; null in tests of the log alone) confirms every append
  /// when `fenced`; unfenced (the negative control, testing.unsafe_skip_fence) appends are
  /// acknowledged once in the log, and their positions recorded without waiting.
  static std::variant<std::unique_ptr<changelog>, std::string>
  start(const changelog_settings& settings, shard_ownership* group, bool fenced = true);

  changelog(const changelog&) = delete;
  changelog& operator=(const changelog&) = delete;
  /// Waits for the appends in flight (each gets its answer), then stops.
  ~changelog();

  /// Appends this node's claim on `shard`, after `previous` (the claim the group confirmed last,
  /// -1 for none), and returns it (the claim record's offset) once confirmed.
  std::variant<int64_t, std::string> claim(uint32_t shard, int64_t previous,
                                           std::chrono::milliseconds limit);

  /// Appends `batch` to `shard`'s partition under `claim`; `done` runs once: nullopt when the
  /// record is in the log and confirmed, else why not.
  void append(uint32_t shard, int64_t claim, const std::vector<storage::mutation>& batch,
              done_fn done);

  /// Replays `shard`'s partition up to `until` (exclusive; the claim this node just took),
  /// trusting the chain of claims that ends at `last_confirmed`: from the snapshot `from` and
  /// the records after it, or from the first record when there is none. Fails when the
  /// partition no longer holds where the replay starts (a gap), when the snapshot is not all
  /// there, or when it cannot be read within `limit`.
  std::variant<restored_shard, std::string> restore(uint32_t shard, int64_t until,
                                                    int64_t last_confirmed, snapshot_ref from,
                                                    std::chrono::milliseconds limit) const;

  /// A node about to claim `shard`: its writes carry on from the group's latest snapshot
  /// `from` (every confirm names it until the next one), `tail_bytes` appended after it.
  void adopt(uint32_t shard, snapshot_ref from, int64_t tail_bytes);
  /// The shard is no longer written here: no snapshot of it is taken.
  void forget(uint32_t shard);
  /// Writes a snapshot of `shard` now, under `claim` (the owner's), and records it in the
  /// group's metadata once confirmed. nullopt when done, else why not.
  std::optional<std::string> snapshot(uint32_t shard, int64_t claim,
                                      std::chrono::milliseconds limit);
  /// The latest snapshot of `shard` this node wrote or adopted.
  snapshot_ref latest_snapshot(uint32_t shard) const;

 private:
  struct pending {
    uint32_t shard = 0;
    /// The claim it is written under; -1 for a claim record (its own offset is its claim).
    int64_t claim = -1;
    int64_t offset = -1;
    std::optional<std::string> error;
    done_fn done;
  };

  changelog(changelog_settings settings, shard_ownership* group, bool fenced);
  void produce(uint32_t shard, const std::string& value, std::unique_ptr<pending> p);
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque);
  void delivered(std::unique_ptr<pending> p);
  void run_poller();
  void run_confirmer();
  void run_snapshots();
  /// Appends `value` to `shard` under `claim` (-1: a claim record) and waits for its
  /// confirmation: its offset.
  std::variant<int64_t, std::string> append_and_wait(uint32_t shard, int64_t claim,
                                                     const std::string& value,
                                                     std::chrono::milliseconds limit);

  /// What this node knows of a shard it writes.
  struct shard_log {
    int64_t claim = -1;
    snapshot_ref snapshot;
    int64_t bytes_since_snapshot = 0;
  };

  changelog_settings settings_;
  shard_ownership* group_;
  bool fenced_;
  kafka::client_handle producer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<pending>> delivered_; // under mutex_
  std::atomic<int64_t> in_flight_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> snapshots_stopping_{false};
  std::thread poller_;
  std::thread confirmer_;
  mutable std::mutex shards_mutex_;
  std::map<uint32_t, shard_log> shards_; // under shards_mutex_
  std::thread snapshotter_;
};

} // namespace tt::adapters::cluster
