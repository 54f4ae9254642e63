#pragma once
/// The node's figures that other components already keep, read into the metrics registry at each
/// collection (node_metrics::source): the Kafka publisher (produced, acknowledged, failed,
/// outbox backlog), the worker's consumer (consumed, lag, retries, dead letters), the webhook
/// sender (deliveries, retries, given up) and the snapshot store (commits, group-commit batches,
/// fsyncs, last fsync latency, pending commits).

#include "adapters/kafka/kafka_publisher.hpp"
#include "adapters/kafka/worker_consumer.hpp"
#include "adapters/metrics/node_metrics.hpp"
#include "adapters/webhooks/webhook_sender.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::node {

/// What the sources read; every one must outlive `metrics.remove_sources()`.
struct metric_inputs {
  const adapters::kafka::kafka_publisher* publisher = nullptr;
  const adapters::kafka::worker_consumer* consumer = nullptr;
  const adapters::webhooks::webhook_sender* webhooks = nullptr;
  const storage::snapshot_store* store = nullptr;
};

void add_metric_sources(adapters::metrics::node_metrics& metrics, const metric_inputs& in);

} // namespace tt::node
