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
/// Gaps. The embedded broker keeps ~5 MiB per partition and silently drops the oldest; a real
/// one drops by retention. A replay that does not start at the partition's first record cannot
/// know what it missed, so restore refuses the shard (loudly) rather than serve part of it.
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
};

/// A shard as its changelog left it: the latest value of every key (deleted keys absent).
struct restored_shard {
  std::vector<storage::mutation> records;
  /// Batches applied, and batches ignored: written under a claim the chain does not trust, or
  /// after the chain's next claim superseded their writer.
  int64_t batches = 0;
  int64_t superseded = 0;
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

  /// Replays `shard`'s partition from its first record up to `until` (exclusive; the claim this
  /// node just took), trusting the chain of claims that ends at `last_confirmed`. Fails when the
  /// partition no longer starts at offset 0 (a gap) or cannot be read within `limit`.
  std::variant<restored_shard, std::string> restore(uint32_t shard, int64_t until,
                                                    int64_t last_confirmed,
                                                    std::chrono::milliseconds limit) const;

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

  changelog_settings settings_;
  shard_ownership* group_;
  bool fenced_;
  kafka::client_handle producer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<pending>> delivered_; // under mutex_
  std::atomic<int64_t> in_flight_{0};
  std::atomic<bool> stopping_{false};
  std::thread poller_;
  std::thread confirmer_;
};

} // namespace tt::adapters::cluster
