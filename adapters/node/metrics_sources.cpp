#include "adapters/node/metrics_sources.hpp"

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

} // namespace

void add_metric_sources(adapters::metrics::node_metrics& metrics, const metric_inputs& in) {
  if (in.publisher != nullptr)
    metrics.add_source([in] { return kafka_families(in); });
  if (in.webhooks != nullptr)
    metrics.add_source([s = in.webhooks] { return webhook_families(*s); });
  if (in.store != nullptr)
    metrics.add_source([s = in.store] { return storage_families(*s); });
}

} // namespace tt::node
