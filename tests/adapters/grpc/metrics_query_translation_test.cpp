// GetMetrics' translation: given requests, the query or the INVALID_ARGUMENT naming the field;
// given a registry's families, the contract's reply (filters, histograms, time-range notes).
#include "adapters/grpc/metrics_query_translation.hpp"

#include <map>

#include <doctest/doctest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

using namespace tt;
using namespace tt::adapters;
namespace v1 = ::common::v1;

namespace {

std::string refused_field(const v1::GetMetricsRequest& r) {
  auto q = rpc::to_metrics_query(r);
  REQUIRE_FALSE(q);
  CHECK(q.error().code == errc::invalid_argument);
  REQUIRE(q.error().details.size() == 1);
  return q.error().details[0].field;
}

/// A registry like the node's: calls by code, a latency histogram, an event counter, a gauge.
struct sample_registry {
  prometheus::Registry registry;
  sample_registry() {
    auto& calls =
        prometheus::BuildCounter().Name("tt_rpc_requests_total").Help("c").Register(registry);
    calls.Add({{"service", "s.v1.A"}, {"method", "Hold"}, {"code", "OK"}}).Increment(3);
    calls.Add({{"service", "s.v1.B"}, {"method", "Join"}, {"code", "OK"}}).Increment(1);
    auto& latency =
        prometheus::BuildHistogram().Name("tt_rpc_latency_seconds").Help("l").Register(registry);
    auto& h = latency.Add({{"service", "s.v1.A"}, {"method", "Hold"}}, std::vector{0.01, 0.1});
    for (double v : {0.005, 0.005, 0.05, 0.05})
      h.Observe(v);
    prometheus::BuildCounter()
        .Name("tt_events_total")
        .Help("e")
        .Register(registry)
        .Add({{"type", "reservation.created"}})
        .Increment(3);
    prometheus::BuildGauge()
        .Name("tt_kafka_consumer_lag")
        .Help("g")
        .Register(registry)
        .Add({})
        .Set(7);
  }
};

using clock_type = std::chrono::system_clock;
const clock_type::time_point now = clock_type::time_point{std::chrono::seconds{1'800'000'000}};

v1::GetMetricsResponse reply(const v1::GetMetricsRequest& r) {
  sample_registry s;
  auto q = rpc::to_metrics_query(r);
  REQUIRE(q);
  v1::GetMetricsResponse out;
  rpc::fill(out, s.registry.Collect(), *q, now);
  return out;
}

std::map<std::string, double> by_name_and(const v1::GetMetricsResponse& r, const char* label) {
  std::map<std::string, double> out;
  for (const auto& d : r.metrics()) {
    auto it = d.labels().find(label);
    out[d.name() + (it == d.labels().end() ? "" : "/" + it->second)] = d.value();
  }
  return out;
}

} // namespace

TEST_CASE("GetMetrics refuses what it cannot read, naming the field") {
  v1::GetMetricsRequest r;
  r.set_metric_type("rate");
  CHECK(refused_field(r) == "metric_type");
  r = {};
  r.set_aggregation("avg");
  CHECK(refused_field(r) == "aggregation");
  r = {};
  r.mutable_start_time()->set_seconds(20);
  r.mutable_end_time()->set_seconds(10);
  CHECK(refused_field(r) == "start_time");
  r = {};
  r.mutable_end_time()->set_nanos(-1);
  CHECK(refused_field(r) == "end_time");
  r = {};
  r.set_service(std::string(200, 's'));
  CHECK(refused_field(r) == "service");
}

TEST_CASE("metric_type reads the kind in any case or as the enum's name") {
  for (const char* text : {"counter", "COUNTER", "METRIC_TYPE_COUNTER"}) {
    v1::GetMetricsRequest r;
    r.set_metric_type(text);
    auto q = rpc::to_metrics_query(r);
    REQUIRE(q);
    CHECK(q->type == prometheus::MetricType::Counter);
  }
  auto q = rpc::to_metrics_query(v1::GetMetricsRequest{});
  REQUIRE(q);
  CHECK_FALSE(q->type);
}

TEST_CASE("an empty request returns every series, stamped with the collection time") {
  auto out = reply({});
  CHECK(out.collected_at().seconds() == 1'800'000'000);
  CHECK_FALSE(out.has_error());
  auto values = by_name_and(out, "code");
  CHECK(values.at("tt_rpc_requests_total/OK") > 0);
  CHECK(by_name_and(out, "type").at("tt_events_total/reservation.created") == 3);
  CHECK(by_name_and(out, "").at("tt_kafka_consumer_lag") == 7);
  for (const auto& d : out.metrics())
    CHECK(d.timestamp().seconds() == 1'800'000'000);
}

TEST_CASE("service keeps one gRPC service's series, or one subsystem's by name") {
  v1::GetMetricsRequest r;
  r.set_service("s.v1.B");
  auto out = reply(r);
  REQUIRE(out.metrics_size() == 1);
  CHECK(out.metrics(0).labels().at("method") == "Join");
  CHECK(out.metrics(0).service() == "s.v1.B");
  r.set_service("kafka");
  out = reply(r);
  REQUIRE(out.metrics_size() == 1);
  CHECK(out.metrics(0).name() == "tt_kafka_consumer_lag");
  CHECK(out.metrics(0).type() == v1::METRIC_TYPE_GAUGE);
}

TEST_CASE("a histogram comes as count, sum, cumulative buckets and three quantiles") {
  v1::GetMetricsRequest r;
  r.set_metric_type("histogram");
  auto out = reply(r);
  for (const auto& d : out.metrics())
    CHECK(d.type() == v1::METRIC_TYPE_HISTOGRAM);
  auto le = by_name_and(out, "le");
  CHECK(le.at("tt_rpc_latency_seconds_count") == 4);
  CHECK(le.at("tt_rpc_latency_seconds_sum") == doctest::Approx(0.11));
  CHECK(le.at("tt_rpc_latency_seconds_bucket/0.01") == 2);
  CHECK(le.at("tt_rpc_latency_seconds_bucket/0.1") == 4);
  CHECK(le.at("tt_rpc_latency_seconds_bucket/+Inf") == 4);
  auto q = by_name_and(out, "quantile");
  // Half the calls are in (0, 0.01]: the median is that bucket's upper edge.
  CHECK(q.at("tt_rpc_latency_seconds/0.5") == doctest::Approx(0.01));
  // p90: rank 3.6 of 4, 1.6 of the 2 in (0.01, 0.1].
  CHECK(q.at("tt_rpc_latency_seconds/0.9") == doctest::Approx(0.01 + 0.09 * 0.8));
  for (const auto& d : out.metrics())
    if (d.name() == "tt_rpc_latency_seconds")
      CHECK(d.unit() == "seconds");
}

TEST_CASE("bucket quantiles interpolate as Prometheus does") {
  using bucket = prometheus::ClientMetric::Bucket;
  auto inf = std::numeric_limits<double>::infinity();
  CHECK(rpc::bucket_quantile(0.5, {}) == 0);
  CHECK(rpc::bucket_quantile(0.5, {bucket{0, 1}, bucket{0, inf}}) == 0);
  CHECK(rpc::bucket_quantile(0.5, {bucket{10, 1}, bucket{10, 2}, bucket{10, inf}}) ==
        doctest::Approx(0.5));
  // Everything above the last finite bound: that bound is the estimate.
  CHECK(rpc::bucket_quantile(0.99, {bucket{0, 1}, bucket{5, inf}}) == 1);
}

TEST_CASE("a time range is honoured by the collection time and the reply says what is not") {
  v1::GetMetricsRequest r;
  r.mutable_start_time()->set_seconds(1'800'000'000 - 60);
  auto out = reply(r);
  CHECK(out.metrics_size() > 0);
  CHECK(out.error().code() == v1::ERROR_CODE_UNSPECIFIED);
  CHECK(out.error().message().find("as of collected_at") != std::string::npos);
  CHECK(out.error().details(0).field() == "start_time");
  r = {};
  r.mutable_end_time()->set_seconds(1'800'000'000 - 60);
  out = reply(r);
  CHECK(out.metrics_size() == 0);
  CHECK(out.error().message().find("outside") != std::string::npos);
  CHECK(out.error().details(0).field() == "end_time");
}
