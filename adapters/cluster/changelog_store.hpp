#pragma once
/// The snapshot store of a clustered node: the node's RocksDB (the fast local copy) plus the
/// cluster's changelog (the copy that survives the node). A batch of a shard is acknowledged
/// when both took it and the fence confirmed it; a batch of a shard this node does not serve is
/// refused (not_owner) before anything is written. Batches of no shard (the node's own records,
/// such as webhook registrations) go to the local store only. Reads come from the local store.
///
/// Storage sits behind one interface: the actors see a snapshot_store and nothing of Kafka.

#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>

#include "adapters/cluster/changelog.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::adapters::cluster {

/// The shard a record belongs to; nullopt for the node's own records.
using shard_of_record =
    std::function<std::optional<uint32_t>(storage::entity_kind kind, std::string_view key)>;

class changelog_store final : public storage::snapshot_store {
 public:
  changelog_store(std::shared_ptr<storage::snapshot_store> local, changelog& log,
                  shard_of_record shard_of);

  /// From now on, batches of `shard` are written under `claim` (after its restore).
  void serve(uint32_t shard, int64_t claim);
  /// From now on, batches of `shard` are refused (the group took it away).
  void stop_serving(uint32_t shard);

  void commit(std::vector<storage::mutation> batch, storage::durable_callback on_durable) override;
  std::variant<std::optional<std::string>, storage::storage_error>
  get(storage::entity_kind kind, std::string_view key) const override;
  std::optional<storage::storage_error>
  scan(storage::entity_kind kind, std::string_view key_prefix,
       const std::function<bool(std::string_view, std::string_view)>& visit) const override;
  storage::store_stats stats() const override;
  std::optional<storage::storage_error> health() const override;

 private:
  std::shared_ptr<storage::snapshot_store> local_;
  changelog& log_;
  shard_of_record shard_of_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<uint32_t, int64_t> claims_; // under mutex_
};

} // namespace tt::adapters::cluster
