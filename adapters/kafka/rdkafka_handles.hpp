#pragma once
/// Owning handles for librdkafka's C objects, and one way to build a client configuration.

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <librdkafka/rdkafka.h>

namespace tt::adapters::kafka {

struct client_deleter {
  void operator()(rd_kafka_t* rk) const noexcept { rd_kafka_destroy(rk); }
};
using client_handle = std::unique_ptr<rd_kafka_t, client_deleter>;

struct conf_deleter {
  void operator()(rd_kafka_conf_t* conf) const noexcept { rd_kafka_conf_destroy(conf); }
};
using conf_handle = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;

struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const noexcept {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;

struct topic_deleter {
  void operator()(rd_kafka_topic_t* t) const noexcept { rd_kafka_topic_destroy(t); }
};
using topic_handle = std::unique_ptr<rd_kafka_topic_t, topic_deleter>;

/// A configuration with every property of `props` set, or the first property librdkafka refused.
std::variant<conf_handle, std::string> make_conf(const std::map<std::string, std::string>& props);

/// Creates a client from `conf` (which it takes over), or says why not.
std::variant<client_handle, std::string> make_client(rd_kafka_type_t type, conf_handle conf);

/// The partition ids of `topic` as the brokers report them within `timeout_ms`, or why not (the
/// brokers did not answer, the topic does not exist or has no partitions).
std::variant<std::vector<int32_t>, std::string>
partitions_of(rd_kafka_t* rk, const std::string& topic, int timeout_ms);

} // namespace tt::adapters::kafka
