#pragma once
/// How the node reaches Kafka: the configured cluster (`kafka.bootstrap_servers`), or, when none
/// is set, librdkafka's mock cluster started inside the node (the embedded default).

#include <chrono>
#include <string>

#include "actors/runtime/event_publisher.hpp"

namespace tt::adapters::kafka {

struct topic_names {
  std::string lifecycle = "tt.reservation.lifecycle";
  std::string payment = "tt.payment.results";
  std::string expiry = "tt.hold.expiry";
  std::string dead_letter = "tt.dead-letters";

  const std::string& of(actors::topic_kind kind) const noexcept {
    switch (kind) {
      case actors::topic_kind::payment:
        return payment;
      case actors::topic_kind::expiry:
        return expiry;
      case actors::topic_kind::dead_letter:
        return dead_letter;
      case actors::topic_kind::lifecycle:
        break;
    }
    return lifecycle;
  }
};

struct kafka_settings {
  /// Empty: start the embedded mock cluster.
  std::string bootstrap_servers;
  topic_names topics;
  /// The worker's consumer group: nodes sharing a cluster share the work.
  std::string group_id = "tt-worker";
  std::string client_id = "tacosd";
  /// Partitions of each topic the embedded cluster creates. Few: the embedded cluster serves one
  /// node, whose consumers run effects concurrently whatever the partition count, and the mock
  /// broker finds a fetch's offset by walking the partition's message sets from the oldest. That
  /// walk costs about partitions squared: each partition keeps up to ~5 MiB, in message sets that
  /// get smaller as the same load spreads over more partitions. Two, not one, because the mock
  /// drops what is past 5 MiB per partition: with the publisher's lz4 batches two keep about
  /// 117,000 expiry events, against 50,000 for the four uncompressed partitions before, at less
  /// of the mock's CPU (README, design notes).
  int embedded_partitions = 2;
  /// A failed effect is retried this many times, with doubling backoff from retry_backoff, before
  /// the event goes to the dead-letter topic.
  int max_attempts = 5;
  std::chrono::milliseconds retry_backoff{100};
  /// A clustered node's cluster.shards (0 for a single node). The worker's topics (payment,
  /// expiry) then have one partition per shard, every event goes to the partition of its
  /// reservation's shard, and each node's worker reads the partitions of the shards it serves:
  /// an effect runs where its reservation lives, without a hop (co-partitioning, as Kafka
  /// Streams does with a changelog and its input topics).
  uint32_t shard_partitions = 0;
  /// How long the publisher lets events gather into one batch. 20 ms on one node: bigger lz4
  /// batches keep more expiry events in the embedded broker's window. A clustered node sends at
  /// once (0): there, a hold's reply waited for the publisher's next batch (measured on
  /// tacos-broker, sequential CreateReservation to the owner: p50 21.3 ms at 20, 5.8 ms at 5,
  /// 1.7 ms at 0; the changelog's own appends were delayed by as much, docs/cluster.md).
  std::chrono::milliseconds linger{20};

  /// The shard partitioning applies to this topic.
  bool partitioned_by_shard(actors::topic_kind kind) const noexcept {
    return shard_partitions > 0 &&
           (kind == actors::topic_kind::payment || kind == actors::topic_kind::expiry);
  }
};

} // namespace tt::adapters::kafka
