#include "adapters/node/metrics_sources.hpp"

#include <algorithm>

namespace tt::node {

namespace {

using adapters::metrics::counter_family;
using adapters::metrics::gauge_family;
using families = std::vector<prometheus::MetricFamily>;

double d(uint64_t v) {
  return static_cast<double>(v);
}
double d(int64_t v) {
  return static_cast<double>(v);
}

families kafka_families(const metric_inputs& in) {
  auto p = in.publisher->stats();
  families out{
      counter_family("tt_kafka_produced_total", "Events handed to the Kafka producer",
                     {{{}, d(p.published)}}),
      counter_family("tt_kafka_delivered_total", "Events the brokers acknowledged",
                     {{{}, d(p.delivered)}}),
      counter_family("tt_kafka_delivery_failures_total", "Deliveries that failed (queued again)",
                     {{{}, d(p.failed)}}),
      gauge_family("tt_kafka_outbox_backlog",
                   "Events waiting for the brokers: in the producer or waiting for room in it",
                   {{{}, d(p.backlog + p.in_producer)}}),
  };
  if (in.consumer != nullptr) {
    auto c = in.consumer->stats();
    out.push_back(counter_family("tt_kafka_consumed_total", "Events the worker consumed",
                                 {{{}, d(c.consumed)}}));
    out.push_back(gauge_family("tt_kafka_consumer_lag",
                               "Worker consumer lag over its partitions, as of the last second",
                               {{{}, d(c.lag)}}));
    out.push_back(counter_family("tt_kafka_consumer_retries_total", "Worker retries of an event",
                                 {{{}, d(c.retries)}}));
    out.push_back(counter_family("tt_kafka_dead_letters_total", "Events sent to the dead letters",
                                 {{{}, d(c.dead_lettered)}}));
  }
  return out;
}

families webhook_families(const adapters::webhooks::webhook_sender& sender) {
  auto s = sender.stats();
  return {
      counter_family("tt_webhook_deliveries_total", "Outgoing webhooks delivered",
                     {{{}, d(s.delivered)}}),
      counter_family("tt_webhook_retries_total", "Outgoing webhook attempts that failed (retried)",
                     {{{}, d(s.attempts_failed)}}),
      counter_family("tt_webhook_given_up_total", "Outgoing webhooks given up after the last try",
                     {{{}, d(s.given_up)}}),
      gauge_family("tt_webhook_pending", "Outgoing webhooks waiting to be sent",
                   {{{}, d(s.pending)}}),
  };
}

families storage_families(const storage::snapshot_store& store) {
  auto s = store.stats();
  return {
      counter_family("tt_storage_commits_total", "Commits acknowledged as durable",
                     {{{}, d(s.commits)}}),
      counter_family("tt_storage_failed_commits_total", "Commits whose write failed",
                     {{{}, d(s.failed_commits)}}),
      counter_family("tt_storage_batches_total",
                     "Group-commit batches written (commits / batches: the mean batch size)",
                     {{{}, d(s.batches_written)}}),
      counter_family("tt_storage_syncs_total", "Batches written with an fsync", {{{}, d(s.syncs)}}),
      counter_family("tt_storage_written_bytes_total", "Approximate bytes written",
                     {{{}, d(s.bytes_written)}}),
      gauge_family("tt_storage_pending_commits", "Commits accepted and not yet durable",
                   {{{}, d(s.pending_commits)}}),
      gauge_family("tt_storage_last_sync_seconds", "Duration of the most recent synced write",
                   {{{}, std::chrono::duration<double>(s.last_sync_latency).count()}}),
  };
}

adapters::metrics::histogram_sample histogram_of(const storage::bucket_counts& b,
                                                 prometheus::ClientMetric::Label label = {}) {
  return {std::move(label), b.bounds, b.counts, b.sum};
}

families local_store_families(const storage::rocksdb_snapshot_store& store) {
  auto f = store.figures();
  return {
      adapters::metrics::histogram_family(
          "tt_storage_write_seconds",
          "Seconds per group-commit write to RocksDB (one WriteBatch); sync=true includes the "
          "WAL fsync",
          {histogram_of(f.synced_write_seconds, {"sync", "true"}),
           histogram_of(f.unsynced_write_seconds, {"sync", "false"})}),
      adapters::metrics::histogram_family("tt_storage_group_commits",
                                          "Commits per group written (group-commit batch size)",
                                          {histogram_of(f.group_commits)}),
      adapters::metrics::summary_family(
          "tt_storage_wal_fsync_seconds", "RocksDB's own timing of its WAL fsyncs, since start",
          {f.fsyncs.count,
           f.fsyncs.sum,
           {{0.5, f.fsyncs.p50}, {0.95, f.fsyncs.p95}, {0.99, f.fsyncs.p99}, {1, f.fsyncs.max}}}),
      gauge_family("tt_storage_degraded",
                   "1 while writes are refused (a full disk) and reads served; the store resumes "
                   "by itself once space is back",
                   {{{}, store.degraded() ? 1.0 : 0.0}}),
  };
}

families actor_families(const actors::actor_counts& counts) {
  auto running = counts.reservation_actors.load(std::memory_order_relaxed);
  // A reservation kept with no actor running is passivated; an actor spawned a moment before its
  // event registers it is not counted twice.
  auto passivated = std::max<int64_t>(0, counts.reservations.load() - running);
  return {
      gauge_family("tt_reservation_actors",
                   "Reservations the event actors keep, by whether an actor runs for them "
                   "(live) or not (passivated: back from the store on the next request)",
                   {{{"state", "live"}, d(running)}, {{"state", "passivated"}, d(passivated)}}),
      gauge_family("tt_idempotency_records",
                   "Idempotency records kept in memory (completed and in flight)",
                   {{{}, d(counts.idempotency_records.load())}}),
  };
}

} // namespace

void add_metric_sources(adapters::metrics::node_metrics& metrics, const metric_inputs& in) {
  if (in.publisher != nullptr)
    metrics.add_source([in] { return kafka_families(in); });
  if (in.webhooks != nullptr)
    metrics.add_source([s = in.webhooks] { return webhook_families(*s); });
  if (in.store != nullptr)
    metrics.add_source([s = in.store] { return storage_families(*s); });
  if (in.local_store != nullptr)
    metrics.add_source([s = in.local_store] { return local_store_families(*s); });
  if (in.actors != nullptr)
    metrics.add_source([c = in.actors] { return actor_families(*c); });
}

} // namespace tt::node
