#pragma once
/// Who serves which shard, as every node sees it: each node announces itself (node id, gRPC
/// address, the shards it serves) on the membership topic, periodically and whenever its shards
/// change, and reads every announcement of every node to route. The topic has one partition, so
/// its offsets order all announcements; the embedded broker has no compaction, so the reader
/// keeps the latest value per node itself and forgets a node it has not heard from for `expiry`
/// (a crashed node stops announcing).
///
/// The view only routes. It can be briefly wrong while a shard moves (two nodes claim it, or
/// none does); that costs a forwarded call an UNAVAILABLE and a retry, never a wrong answer: a
/// node serves and acknowledges only the shards the group gave it (shard_ownership).
///
/// Thread-safety: every member may be called from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "adapters/cluster/shard_ownership.hpp"
#include "adapters/kafka/rdkafka_handles.hpp"

namespace tt::adapters::cluster {

struct membership_settings {
  std::string bootstrap_servers;
  std::string topic = "tt.members";
  std::string node_id;
  /// Where peers reach this node's gRPC server (host:port).
  std::string address;
  std::chrono::milliseconds interval{1000};
  /// A node unheard of for this long is gone (several intervals: one lost announcement is not
  /// a death).
  std::chrono::milliseconds expiry{5000};
};

/// One node as its latest announcement describes it.
struct peer {
  std::string node_id;
  std::string address;
  shard_list shards;
  /// Shards it owns but is still restoring (requests for them wait).
  shard_list restoring;
  bool leaving = false;
  /// When it was announced (the announcer's wall clock, milliseconds since the epoch).
  int64_t at_ms = 0;
  /// Position of the announcement in the membership topic: the later one wins a disputed shard.
  int64_t offset = -1;
};

/// What this node announces about itself, asked for at every announcement.
struct self_report {
  shard_list shards;
  shard_list restoring;
};

class membership {
 public:
  static std::variant<std::unique_ptr<membership>, std::string>
  start(const membership_settings& settings, std::function<self_report()> report);

  membership(const membership&) = delete;
  membership& operator=(const membership&) = delete;
  /// Announces that this node leaves (its shards are routed elsewhere at once), then stops.
  ~membership();

  /// Announces now (after the node's shards changed) instead of at the next interval.
  void announce_soon();

  /// The live node that serves `shard` (the latest announcement claiming it), if any.
  std::optional<peer> owner_of(uint32_t shard) const;
  /// Every live node, this one included, by node id.
  std::vector<peer> peers() const;

 private:
  membership(membership_settings settings, std::function<self_report()> report);
  void run();
  void announce(bool leaving);
  void read_announcements();

  struct seen {
    peer who;
    std::chrono::steady_clock::time_point heard_at;
  };
  bool live(const seen& s, std::chrono::steady_clock::time_point now) const;

  membership_settings settings_;
  std::function<self_report()> report_;
  kafka::client_handle producer_;
  kafka::client_handle consumer_;
  mutable std::mutex mutex_;
  std::map<std::string, seen> nodes_; // under mutex_
  std::atomic<bool> announce_soon_{true};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

} // namespace tt::adapters::cluster
