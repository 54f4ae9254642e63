#pragma once
/// What the cluster tests share: the embedded broker with the cluster's topics, and a wait for a
/// condition the group's threads bring about (a rebalance takes a few hundred milliseconds on
/// loopback, more while members join; the tests check what happens, never how fast).

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include <doctest/doctest.h>

#include "adapters/kafka/embedded_cluster.hpp"

namespace tt::tests {

/// A broker with tt.shards (`shards` partitions) and tt.members (one).
inline std::unique_ptr<adapters::kafka::embedded_cluster> start_cluster_broker(int shards) {
  auto started = adapters::kafka::embedded_cluster::start(1, {}, 1);
  REQUIRE(std::holds_alternative<std::unique_ptr<adapters::kafka::embedded_cluster>>(started));
  auto broker = std::move(std::get<std::unique_ptr<adapters::kafka::embedded_cluster>>(started));
  REQUIRE_FALSE(broker->create_topic("tt.shards", shards));
  REQUIRE_FALSE(broker->create_topic("tt.members", 1));
  return broker;
}

/// Polls `condition` every 20 ms until it holds or `limit` passes; returns its last value.
inline bool eventually_within(const std::function<bool()>& condition,
                              std::chrono::milliseconds limit = std::chrono::seconds{20}) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (condition())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return condition();
}

} // namespace tt::tests
