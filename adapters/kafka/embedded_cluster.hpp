#pragma once
/// librdkafka's mock cluster: a real Kafka-protocol broker implementation (produce, fetch,
/// consumer groups, committed offsets, idempotent producers) running on loopback ports inside
/// this process, for as long as this object lives. Other processes (kcat, other nodes) can use it
/// through bootstrap(). It keeps nothing on disk and only ~5 MiB per partition.

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "adapters/kafka/rdkafka_handles.hpp"

struct rd_kafka_mock_cluster_s;

namespace tt::adapters::kafka {

class embedded_cluster {
 public:
  /// `brokers` brokers with each of `topics` created with `partitions` partitions.
  static std::variant<std::unique_ptr<embedded_cluster>, std::string>
  start(int brokers, const std::vector<std::string>& topics, int partitions);

  embedded_cluster(const embedded_cluster&) = delete;
  embedded_cluster& operator=(const embedded_cluster&) = delete;
  ~embedded_cluster();

  /// Creates one more topic (the cluster's topics have partition counts of their own). Returns
  /// the broker's error text, if any.
  std::optional<std::string> create_topic(const std::string& name, int partitions);

  /// "127.0.0.1:port,..." for bootstrap.servers.
  const std::string& bootstrap() const noexcept { return bootstrap_; }

 private:
  embedded_cluster(client_handle host, rd_kafka_mock_cluster_s* mock, std::string bootstrap);

  client_handle host_;
  rd_kafka_mock_cluster_s* mock_;
  std::string bootstrap_;
};

} // namespace tt::adapters::kafka
