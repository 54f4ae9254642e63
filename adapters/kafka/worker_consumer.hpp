#pragma once
/// The worker's Kafka side: a consumer-group member reading the payment and hold-expiry topics.
/// Each event is translated into an actors::worker_job and handed to the worker actor; events run
/// concurrently (an expiry event waits in the worker until its deadline), and a partition's offset
/// is committed only past events whose effect is durable (offset_tracker): after a crash the
/// uncommitted tail is delivered again and absorbed by event id / current state. A failed effect
/// is retried with doubling backoff; after max_attempts, or at once for bytes that are not one of
/// our events, the event goes to the dead-letter topic (through the outbox, so it is not lost
/// either) and its offset moves on.
///
/// A single node subscribes to the topics in the worker's group. A clustered node
/// (kafka_settings::shard_partitions) reads the partitions of the shards it serves instead, as
/// the shard host tells it (serve_shards / release_shards): every effect runs on the owner of
/// its reservation, and a shard's effects move with the shard.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "actors/common/result.hpp"
#include "actors/runtime/event_publisher.hpp"
#include "actors/runtime/worker_actor.hpp"
#include "adapters/kafka/kafka_settings.hpp"
#include "adapters/kafka/rdkafka_handles.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::adapters::kafka {

struct consumer_stats {
  int64_t consumed = 0;
  int64_t in_hand = 0; // handed to the worker, not finished
  int64_t retries = 0;
  int64_t dead_lettered = 0;
  int64_t lag = 0; // over the assigned partitions, as of the last second
  int32_t assigned_partitions = 0;
};

class worker_consumer {
 public:
  /// `publisher` sends the dead letters whose outbox rows go to `store`; both must outlive this.
  static std::variant<std::unique_ptr<worker_consumer>, std::string>
  start(const kafka_settings& settings, actors::worker_actor worker,
        actors::event_publisher& publisher, storage::snapshot_store* store);

  worker_consumer(const worker_consumer&) = delete;
  worker_consumer& operator=(const worker_consumer&) = delete;
  /// Stops consuming, commits what is finished, leaves the group (bounded wait).
  ~worker_consumer();

  /// True once the group gave this member partitions (a new group takes seconds), false if
  /// none came within `timeout` (e.g. other members own them all).
  bool wait_for_assignment(std::chrono::milliseconds timeout) const;

  consumer_stats stats() const;

  /// RESTART_SERVICE "worker-consumer": stops consuming, commits what is finished, leaves the
  /// group and joins it again with a new client. Events in hand and not finished are dropped
  /// uncommitted and read again from the committed offsets (the worker absorbs a repeat by event
  /// id and current state), so no work is lost. Blocks for the leave (at most ~5 s). What was
  /// restarted, or why the new client could not start (the consumer then reads nothing until the
  /// next restart). Called from one thread at a time.
  result<std::string> restart();

  /// Clustered: read the worker topics' partitions of `shards` (served here from now on) from
  /// their committed offsets. Thread-safe; taken up by the consumer's thread within ~50 ms.
  void serve_shards(std::vector<uint32_t> shards);
  /// Clustered: stop reading the partitions of `shards` (lost). What is finished is committed;
  /// what is still in hand is dropped without a commit, a retry or a dead letter: the shard's
  /// next owner reads it again from the committed offset. Thread-safe.
  void release_shards(std::vector<uint32_t> shards);

 private:
  struct impl;
  explicit worker_consumer(std::unique_ptr<impl> impl);
  std::unique_ptr<impl> impl_;
};

} // namespace tt::adapters::kafka
