#include "adapters/metrics/node_metrics.hpp"

#include <atomic>

#include <doctest/doctest.h>
#include <prometheus/counter.h>
#include <prometheus/text_serializer.h>

namespace tt::adapters::metrics {

TEST_CASE("a collection reads the registry and every source at that moment") {
  node_metrics metrics;
  auto& counter =
      prometheus::BuildCounter().Name("tt_test_total").Help("test").Register(metrics.registry());
  counter.Add({}).Increment(3);
  std::atomic<int> backlog{5};
  metrics.add_source([&backlog] {
    return std::vector{
        gauge_family("tt_test_backlog", "backlog", {{{}, double(backlog.load())}}),
        counter_family("tt_test_sent_total", "sent", {{{"topic", "a"}, 1}, {{"topic", "b"}, 2}})};
  });
  auto text = prometheus::TextSerializer{}.Serialize(metrics.Collect());
  CHECK(text.find("tt_test_total 3\n") != std::string::npos);
  CHECK(text.find("tt_test_backlog 5\n") != std::string::npos);
  CHECK(text.find("# TYPE tt_test_backlog gauge\n") != std::string::npos);
  CHECK(text.find("tt_test_sent_total{topic=\"b\"} 2\n") != std::string::npos);
  CHECK(text.find("# TYPE tt_test_sent_total counter\n") != std::string::npos);
  backlog = 7;
  text = prometheus::TextSerializer{}.Serialize(metrics.Collect());
  CHECK(text.find("tt_test_backlog 7\n") != std::string::npos);
  metrics.remove_sources();
  text = prometheus::TextSerializer{}.Serialize(metrics.Collect());
  CHECK(text.find("tt_test_backlog") == std::string::npos);
  CHECK(text.find("tt_test_total 3\n") != std::string::npos);
}

TEST_CASE("a component's bucket counts are exposed as a cumulative histogram, and a summary") {
  node_metrics metrics;
  metrics.add_source([] {
    return std::vector{
        histogram_family("tt_test_seconds", "seconds",
                         {{{"sync", "true"}, {0.1, 1}, {2, 3, 4}, 9.5},
                          {{"sync", "false"}, {0.1, 1}, {0, 0, 0}, 0}}),
        summary_family("tt_test_fsync_seconds", "fsync", {5, 0.5, {{0.5, 0.1}, {0.99, 0.2}}})};
  });
  auto text = prometheus::TextSerializer{}.Serialize(metrics.Collect());
  CHECK(text.find("# TYPE tt_test_seconds histogram\n") != std::string::npos);
  CHECK(text.find("tt_test_seconds_bucket{sync=\"true\",le=\"0.1\"} 2\n") != std::string::npos);
  CHECK(text.find("tt_test_seconds_bucket{sync=\"true\",le=\"1\"} 5\n") != std::string::npos);
  CHECK(text.find("tt_test_seconds_bucket{sync=\"true\",le=\"+Inf\"} 9\n") != std::string::npos);
  CHECK(text.find("tt_test_seconds_count{sync=\"true\"} 9\n") != std::string::npos);
  CHECK(text.find("tt_test_seconds_sum{sync=\"true\"} 9.5\n") != std::string::npos);
  CHECK(text.find("tt_test_seconds_count{sync=\"false\"} 0\n") != std::string::npos);
  CHECK(text.find("# TYPE tt_test_fsync_seconds summary\n") != std::string::npos);
  CHECK(text.find("tt_test_fsync_seconds{quantile=\"0.99\"} 0.2\n") != std::string::npos);
  CHECK(text.find("tt_test_fsync_seconds_count 5\n") != std::string::npos);
}

} // namespace tt::adapters::metrics
