#include "adapters/kafka/embedded_cluster.hpp"

#include <librdkafka/rdkafka.h>
// Only after rdkafka.h (it relies on its declarations).
#include <librdkafka/rdkafka_mock.h>

namespace tt::adapters::kafka {

std::variant<std::unique_ptr<embedded_cluster>, std::string>
embedded_cluster::start(int brokers, const std::vector<std::string>& topics, int partitions) {
  // The mock lives inside a client instance; a producer that never produces is the lightest.
  auto conf = make_conf({{"client.id", "tt-embedded-kafka"}, {"log_level", "3"}});
  if (auto* err = std::get_if<std::string>(&conf))
    return *err;
  auto host = make_client(RD_KAFKA_PRODUCER, std::move(std::get<conf_handle>(conf)));
  if (auto* err = std::get_if<std::string>(&host))
    return *err;
  auto& rk = std::get<client_handle>(host);
  auto* mock = rd_kafka_mock_cluster_new(rk.get(), brokers);
  if (mock == nullptr)
    return std::string{"kafka: the embedded mock cluster did not start"};
  for (const auto& topic : topics)
    if (auto err = rd_kafka_mock_topic_create(mock, topic.c_str(), partitions, 1)) {
      rd_kafka_mock_cluster_destroy(mock);
      return "kafka: cannot create topic " + topic + ": " + rd_kafka_err2str(err);
    }
  std::string bootstrap = rd_kafka_mock_cluster_bootstraps(mock);
  return std::unique_ptr<embedded_cluster>{
      new embedded_cluster{std::move(rk), mock, std::move(bootstrap)}};
}

embedded_cluster::embedded_cluster(client_handle host, rd_kafka_mock_cluster_s* mock,
                                   std::string bootstrap)
    : host_(std::move(host)), mock_(mock), bootstrap_(std::move(bootstrap)) {}

std::optional<std::string> embedded_cluster::create_topic(const std::string& name, int partitions) {
  if (auto err = rd_kafka_mock_topic_create(mock_, name.c_str(), partitions, 1))
    return "kafka: cannot create topic " + name + ": " + rd_kafka_err2str(err);
  return std::nullopt;
}

embedded_cluster::~embedded_cluster() {
  rd_kafka_mock_cluster_destroy(mock_); // before the client instance it lives in
}

} // namespace tt::adapters::kafka
