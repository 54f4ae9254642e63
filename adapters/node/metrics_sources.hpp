#pragma once
/// The node's figures that other components already keep, read into the metrics registry at each
/// collection (node_metrics::source): the Kafka publisher (produced, acknowledged, failed,
/// outbox backlog), the worker's consumer (consumed, lag, retries, dead letters), the webhook
/// sender (deliveries, retries, given up), the snapshot store (commits, group-commit batches,
/// fsyncs, last fsync latency, pending commits; the local store's write-time and batch-size
/// histograms, RocksDB's fsync timings and the degraded state) and the actors' counts (running
/// and passivated reservation actors, idempotency records). No label carries an id.

#include "actors/runtime/runtime_config.hpp"
#include "adapters/kafka/kafka_publisher.hpp"
#include "adapters/kafka/worker_consumer.hpp"
#include "adapters/metrics/node_metrics.hpp"
#include "adapters/webhooks/webhook_sender.hpp"
#include "storage/rocksdb_snapshot_store.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::node {

/// What the sources read; every one must outlive `metrics.remove_sources()`.
struct metric_inputs {
  const adapters::kafka::kafka_publisher* publisher = nullptr;
  const adapters::kafka::worker_consumer* consumer = nullptr;
  const adapters::webhooks::webhook_sender* webhooks = nullptr;
  const storage::snapshot_store* store = nullptr;
  /// The node's own RocksDB store (in a cluster `store` writes through the changelog to it).
  const storage::rocksdb_snapshot_store* local_store = nullptr;
  const actors::actor_counts* actors = nullptr;
};

void add_metric_sources(adapters::metrics::node_metrics& metrics, const metric_inputs& in);

} // namespace tt::node
