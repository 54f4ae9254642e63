#pragma once
/// The Kafka side of actors::event_publisher: an idempotent producer (acks=all, no reordering or
/// duplicates on retries) that sends each event to its topic, keyed by reservation, with the
/// event id and type as headers. When the broker acknowledges an event that came from the outbox,
/// its outbox row is deleted (acknowledgements of one poll round share one store batch). Events
/// the producer cannot queue (its buffer is full while the broker is away) wait in a backlog, in
/// order, and later events queue behind them; whatever is undelivered at exit stays in the outbox
/// and is published again at the next start.

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "actors/runtime/event_publisher.hpp"
#include "adapters/kafka/kafka_settings.hpp"
#include "adapters/kafka/rdkafka_handles.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::adapters::kafka {

struct publisher_stats {
  uint64_t published = 0; // handed to the producer
  uint64_t delivered = 0; // acknowledged by the broker
  uint64_t failed = 0;    // deliveries that failed (queued again)
  uint64_t backlog = 0;   // waiting for room in the producer
  uint64_t in_producer = 0;
};

class kafka_publisher final : public actors::event_publisher {
 public:
  /// `store` receives the outbox deletes; it must outlive the publisher.
  static std::variant<std::unique_ptr<kafka_publisher>, std::string>
  start(const kafka_settings& settings, storage::snapshot_store* store);

  kafka_publisher(const kafka_publisher&) = delete;
  kafka_publisher& operator=(const kafka_publisher&) = delete;
  /// Stops polling; undelivered events stay in the outbox.
  ~kafka_publisher() override;

  void publish(std::vector<actors::outbound_event> events) override;

  /// Waits up to `timeout` for everything queued to be acknowledged (graceful shutdown).
  void flush(std::chrono::milliseconds timeout);

  publisher_stats stats() const;

  /// The brokers answer a metadata request within `timeout` (blocks that long at most: for the
  /// detached health actor, never a scheduler thread). The number of brokers, or why not.
  std::variant<int, std::string> brokers(std::chrono::milliseconds timeout) const;

 private:
  kafka_publisher(const kafka_settings& settings, storage::snapshot_store* store);
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);

  /// Makes the producer know every configured topic and its partitions now. Left alone,
  /// librdkafka asks for a topic's metadata only at its next 1-second scan after the first
  /// event for that topic, and holds the event until then: the node's first payment (or first
  /// dead letter) after a start would wait up to a second.
  void learn_topics();
  /// With shard partitioning (a clustered node), why the worker's topics do not have one
  /// partition per shard; nothing when they do.
  std::optional<std::string> check_shard_partitions() const;
  /// Where `event` goes: its reservation's shard for the shard-partitioned topics, else wherever
  /// the key hashes to.
  int32_t partition_of(const actors::outbound_event& event) const;
  /// False when the producer's queue is full (the event is not taken).
  bool send(actors::outbound_event& event);
  /// Sends from the backlog until it is empty or the producer is full again.
  void drain_backlog();
  void poll_loop();
  void delete_acknowledged();

  kafka_settings settings_;
  storage::snapshot_store* store_;
  client_handle producer_;
  /// Kept for the producer's life: a topic librdkafka knows keeps its partitions known.
  std::vector<topic_handle> topics_;
  mutable std::mutex mutex_;
  std::deque<actors::outbound_event> backlog_;
  /// Outbox rows of acknowledged events, deleted after each poll round (poller thread only).
  std::vector<std::string> acknowledged_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failed_{0};
  std::thread poller_;
};

} // namespace tt::adapters::kafka
