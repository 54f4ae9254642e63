#pragma once
/// The node's Kafka: the embedded mock cluster when no cluster is configured, the publisher the
/// actors hand their events to, and (once the actors run) the worker's consumer. Built and torn
/// down by main.cpp in dependency order.

#include <memory>
#include <string>
#include <variant>

#include "adapters/kafka/embedded_cluster.hpp"
#include "adapters/kafka/kafka_publisher.hpp"
#include "adapters/kafka/kafka_settings.hpp"
#include "adapters/node/config.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::node {

struct event_backbone {
  adapters::kafka::kafka_settings settings;
  /// Only when kafka.bootstrap_servers is "embedded".
  std::unique_ptr<adapters::kafka::embedded_cluster> cluster;
  std::shared_ptr<adapters::kafka::kafka_publisher> publisher;
};

adapters::kafka::kafka_settings kafka_settings_of(const node_config& cfg);

/// Starts the cluster (if embedded) and the publisher, then publishes whatever the outbox still
/// holds from before (events stored but not acknowledged when the node last stopped). A
/// clustered node publishes a shard's outbox when it gains the shard instead (its local copy of
/// the others may be stale).
std::variant<event_backbone, std::string> start_event_backbone(const node_config& cfg,
                                                               storage::snapshot_store& store);

} // namespace tt::node
