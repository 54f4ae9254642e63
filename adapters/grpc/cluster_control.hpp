#pragma once
/// What an operator may ask of the clustered node set (AdminService: EmergencyAction
/// FORCE_FAILOVER), implemented by the cluster adapter over the Kafka group it belongs to.
/// Thread-safe.

#include <cstddef>
#include <optional>
#include <string>

namespace tt::adapters::rpc {

class cluster_control {
 public:
  virtual ~cluster_control() = default;
  /// FORCE_FAILOVER on: this node leaves the group, so the others take all of its shards in one
  /// rebalance, and it keeps forwarding every call to them; off: it joins again and gets its
  /// share. Kept across a restart. The error text when the choice could not be stored.
  virtual std::optional<std::string> stand_aside(bool aside) = 0;
  virtual bool standing_aside() const = 0;
  /// Shards this node serves now.
  virtual size_t serving_count() const = 0;
  /// Other live nodes that serve shards (one standing aside serves none).
  virtual size_t other_serving_nodes() const = 0;
};

} // namespace tt::adapters::rpc
