#include "adapters/metrics/metrics_listener.hpp"

#include <doctest/doctest.h>
#include <httplib.h>
#include <prometheus/counter.h>

namespace tt::adapters::metrics {

TEST_CASE("the listener serves the registry as Prometheus text on GET /metrics") {
  auto metrics = std::make_shared<node_metrics>();
  prometheus::BuildCounter()
      .Name("tt_listener_test_total")
      .Help("test")
      .Register(metrics->registry())
      .Add({{"type", "x"}})
      .Increment(4);
  auto started = metrics_listener::start("localhost:0", metrics);
  REQUIRE(std::holds_alternative<std::unique_ptr<metrics_listener>>(started));
  auto listener = std::move(std::get<0>(started));
  REQUIRE(listener->port() > 0);
  httplib::Client client{"127.0.0.1", listener->port()};
  auto got = client.Get("/metrics");
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(got->body.find("tt_listener_test_total{type=\"x\"} 4\n") != std::string::npos);
  CHECK(got->get_header_value("Content-Type").rfind("text/plain", 0) == 0);
}

TEST_CASE("a listener address that cannot be bound or read is refused with the reason") {
  auto metrics = std::make_shared<node_metrics>();
  auto first = metrics_listener::start("127.0.0.1:0", metrics);
  REQUIRE(std::holds_alternative<std::unique_ptr<metrics_listener>>(first));
  auto taken = "127.0.0.1:" + std::to_string(std::get<0>(first)->port());
  auto second = metrics_listener::start(taken, metrics);
  REQUIRE(std::holds_alternative<std::string>(second));
  CHECK(std::get<std::string>(second).find(taken) != std::string::npos);
  auto malformed = metrics_listener::start("no-port", metrics);
  REQUIRE(std::holds_alternative<std::string>(malformed));
  CHECK(std::get<std::string>(malformed).find("host:port") != std::string::npos);
}

} // namespace tt::adapters::metrics
