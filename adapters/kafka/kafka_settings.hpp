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
  /// Partitions of each topic the embedded cluster creates (the mock keeps ~5 MiB per partition).
  int embedded_partitions = 8;
  /// A failed effect is retried this many times, with doubling backoff from retry_backoff, before
  /// the event goes to the dead-letter topic.
  int max_attempts = 5;
  std::chrono::milliseconds retry_backoff{100};
};

} // namespace tt::adapters::kafka
