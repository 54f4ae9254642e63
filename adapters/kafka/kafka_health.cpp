#include "adapters/kafka/kafka_health.hpp"

#include <variant>

namespace tt::adapters::kafka {

actors::component_health check_kafka(const std::string& endpoint, const kafka_publisher& publisher,
                                     const worker_consumer* consumer,
                                     std::chrono::milliseconds timeout) {
  auto start = std::chrono::steady_clock::now();
  actors::component_health c;
  c.name = "kafka";
  c.kind = actors::component_kind::dependency;
  c.endpoint = endpoint;
  c.status = actors::health_status::healthy;
  std::vector<std::string> problems;
  auto brokers = publisher.brokers(timeout);
  if (auto* why = std::get_if<std::string>(&brokers)) {
    c.status = actors::health_status::unhealthy;
    problems.push_back(*why);
  } else {
    c.metrics["brokers"] = std::to_string(std::get<int>(brokers));
  }
  c.response_time_us = actors::micros_since(start);
  auto degrade = [&](std::string why) {
    if (c.status == actors::health_status::healthy)
      c.status = actors::health_status::degraded;
    problems.push_back(std::move(why));
  };
  auto sent = publisher.stats();
  c.metrics["published"] = std::to_string(sent.published);
  c.metrics["delivered"] = std::to_string(sent.delivered);
  c.metrics["failed_deliveries"] = std::to_string(sent.failed);
  c.metrics["in_producer"] = std::to_string(sent.in_producer);
  c.metrics["backlog"] = std::to_string(sent.backlog);
  if (sent.backlog > degraded_backlog)
    degrade(std::to_string(sent.backlog) + " events wait for room in the producer");
  if (consumer == nullptr) {
    degrade("the worker consumer is not running");
  } else {
    auto got = consumer->stats();
    c.metrics["worker_partitions"] = std::to_string(got.assigned_partitions);
    c.metrics["worker_consumed"] = std::to_string(got.consumed);
    c.metrics["worker_in_hand"] = std::to_string(got.in_hand);
    c.metrics["worker_lag"] = std::to_string(got.lag);
    c.metrics["worker_retries"] = std::to_string(got.retries);
    c.metrics["worker_dead_lettered"] = std::to_string(got.dead_lettered);
    if (got.assigned_partitions == 0)
      degrade("the worker owns no partition: holds end by their backstop timers");
  }
  for (size_t i = 0; i < problems.size(); ++i)
    c.problem += (i == 0 ? "" : "; ") + problems[i];
  return c;
}

} // namespace tt::adapters::kafka
