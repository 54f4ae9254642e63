#include "adapters/node/event_backbone.hpp"

#include <spdlog/spdlog.h>

#include "actors/runtime/outbox_events.hpp"

namespace tt::node {

adapters::kafka::kafka_settings kafka_settings_of(const node_config& cfg) {
  adapters::kafka::kafka_settings s;
  s.bootstrap_servers = cfg.kafka_bootstrap_servers;
  s.group_id = cfg.kafka_group_id;
  s.client_id = cfg.node_id;
  s.topics = {cfg.kafka_topic_lifecycle, cfg.kafka_topic_payment, cfg.kafka_topic_expiry,
              cfg.kafka_topic_dead_letter};
  s.embedded_partitions = static_cast<int>(cfg.kafka_embedded_partitions);
  s.max_attempts = static_cast<int>(cfg.kafka_max_attempts);
  s.retry_backoff = std::chrono::milliseconds{cfg.kafka_retry_backoff_ms};
  if (cfg.cluster_enabled) {
    s.shard_partitions = static_cast<uint32_t>(cfg.shards);
    s.linger = std::chrono::milliseconds{0};
  }
  return s;
}

std::variant<event_backbone, std::string> start_event_backbone(const node_config& cfg,
                                                               storage::snapshot_store& store) {
  event_backbone out;
  out.settings = kafka_settings_of(cfg);
  if (cfg.kafka_bootstrap_servers == "embedded") {
    const auto& t = out.settings.topics;
    auto cluster = adapters::kafka::embedded_cluster::start(
        1, {t.lifecycle, t.payment, t.expiry, t.dead_letter}, out.settings.embedded_partitions);
    if (auto* err = std::get_if<std::string>(&cluster))
      return *err;
    out.cluster = std::move(std::get<0>(cluster));
    out.settings.bootstrap_servers = out.cluster->bootstrap();
    // Tests and kcat read this line to find the embedded broker.
    spdlog::info("kafka: embedded cluster on {} ({} partitions per topic)",
                 out.settings.bootstrap_servers, out.settings.embedded_partitions);
  } else {
    spdlog::info("kafka: cluster {}", out.settings.bootstrap_servers);
  }
  auto publisher = adapters::kafka::kafka_publisher::start(out.settings, &store);
  if (auto* err = std::get_if<std::string>(&publisher))
    return *err;
  out.publisher = std::move(std::get<0>(publisher));
  if (cfg.cluster_enabled)
    return out;
  auto pending = actors::load_outbox(store);
  if (!pending)
    return "kafka: cannot read the outbox: " + pending.error().message;
  if (!pending->empty())
    spdlog::info("kafka: publishing {} events stored before the last stop", pending->size());
  out.publisher->publish(std::move(*pending));
  return out;
}

} // namespace tt::node
