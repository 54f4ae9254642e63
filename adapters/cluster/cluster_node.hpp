#pragma once
/// A node's membership of the clustered node set, assembled: shard ownership (the Kafka group),
/// the changelog and the clustered snapshot store over the node's RocksDB, the membership
/// announcements, the host that restores gained shards into the actors and stops lost ones, and
/// the shard directory the gRPC forwarding asks. The composition root joins before the actors
/// start (they write through `store()`), starts serving once they run, and stops taking shards
/// before they stop.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "actors/runtime/health_report.hpp"
#include "adapters/cluster/changelog.hpp"
#include "adapters/cluster/changelog_store.hpp"
#include "adapters/cluster/membership.hpp"
#include "adapters/cluster/shard_host.hpp"
#include "adapters/cluster/shard_ownership.hpp"
#include "adapters/grpc/cluster_control.hpp"
#include "adapters/grpc/forwarding.hpp"

namespace tt::adapters::cluster {

struct cluster_settings {
  std::string bootstrap_servers;
  std::string node_id;
  /// host:port where peers reach this node's gRPC server.
  std::string advertise;
  std::string group_id = "tt-shards";
  std::string shard_topic = "tt.shards";
  std::string members_topic = "tt.members";
  std::chrono::milliseconds session_timeout{6000};
  std::chrono::milliseconds announce_interval{1000};
  uint32_t shard_count = 64;
  /// changelog_settings::snapshot_every_bytes.
  int64_t snapshot_every_bytes = 1 << 20;
  /// Negative control only (testing.unsafe_skip_fence): changelog writes are acknowledged
  /// without the group's fence.
  bool unsafe_skip_fence = false;
};

class cluster_node final : public rpc::shard_directory, public rpc::cluster_control {
 public:
  /// Joins the group and opens the changelog and the membership topic. Shards the group gives
  /// meanwhile wait for `serve`.
  static std::variant<std::unique_ptr<cluster_node>, std::string>
  join(const cluster_settings& settings, std::shared_ptr<storage::snapshot_store> local);

  cluster_node(const cluster_node&) = delete;
  cluster_node& operator=(const cluster_node&) = delete;
  /// Announces that it leaves, flushes the changelog, leaves the group (the others take its
  /// shards without waiting for a session timeout).
  ~cluster_node() override;

  /// The store the actors write to: the changelog plus the local RocksDB.
  std::shared_ptr<storage::snapshot_store> store() const { return store_; }

  /// Starts restoring and serving the shards the group gives this node.
  void serve(shard_host_parts parts);
  /// Stops taking shards (before the actors stop).
  void stop_serving();
  /// Who follows the shards this node serves (shard_host::follow): the worker's consumer.
  void follow_serving(shard_host::serving_listener listener) { host_.follow(std::move(listener)); }

  // rpc::shard_directory
  uint32_t shard_count() const override { return settings_.shard_count; }
  placement place(uint32_t shard) const override;
  std::vector<std::string> peer_addresses() const override;

  // rpc::cluster_control
  std::optional<std::string> stand_aside(bool aside) override;
  bool standing_aside() const override { return ownership_->standing_aside(); }
  size_t serving_count() const override { return host_.states().serving.size(); }
  size_t other_serving_nodes() const override;

  /// GetSystemHealth's "cluster" component: peers, owned and served shards, moves.
  actors::component_health health() const;

 private:
  explicit cluster_node(cluster_settings settings);

  cluster_settings settings_;
  // Declared in the order they start; destroyed in reverse.
  shard_host host_;
  std::unique_ptr<shard_ownership> ownership_;
  std::unique_ptr<changelog> log_;
  std::shared_ptr<changelog_store> store_;
  std::unique_ptr<membership> membership_;
};

} // namespace tt::adapters::cluster
