#include "adapters/grpc/metrics_query_translation.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>

#include "adapters/grpc/proto_time.hpp"
#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/time_range.hpp"

namespace tt::adapters::rpc {

namespace v1 = common::v1;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

result<std::optional<prometheus::MetricType>> type_of(const std::string& text) {
  auto t = lower(text);
  if (t.rfind("metric_type_", 0) == 0)
    t = t.substr(12);
  if (t.empty() || t == "unspecified")
    return std::optional<prometheus::MetricType>{};
  if (t == "counter")
    return std::optional{prometheus::MetricType::Counter};
  if (t == "gauge")
    return std::optional{prometheus::MetricType::Gauge};
  if (t == "histogram")
    return std::optional{prometheus::MetricType::Histogram};
  if (t == "summary")
    return std::optional{prometheus::MetricType::Summary};
  return fail(errc::invalid_argument, "metric_type is not counter, gauge, histogram or summary",
              {{"metric_type", "unknown type", text.substr(0, 64)}});
}

v1::MetricType to_proto(prometheus::MetricType t) {
  switch (t) {
    case prometheus::MetricType::Counter:
      return v1::METRIC_TYPE_COUNTER;
    case prometheus::MetricType::Gauge:
    case prometheus::MetricType::Untyped:
      return v1::METRIC_TYPE_GAUGE;
    case prometheus::MetricType::Histogram:
      return v1::METRIC_TYPE_HISTOGRAM;
    case prometheus::MetricType::Summary:
      return v1::METRIC_TYPE_SUMMARY;
  }
  return v1::METRIC_TYPE_UNSPECIFIED;
}

std::string unit_of(const std::string& name) {
  for (const char* unit : {"seconds", "bytes"})
    if (name.find(std::string{"_"} + unit) != std::string::npos)
      return unit;
  return "";
}

std::string number(double v) {
  if (std::isinf(v))
    return "+Inf";
  auto s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.')
    s.pop_back();
  return s;
}

/// Adds one series to `out`, stamped and labelled like `metric`.
struct series_writer {
  v1::GetMetricsResponse& out;
  const prometheus::MetricFamily& family;
  const std::string& service;
  const google::protobuf::Timestamp& at;

  v1::MetricData& add(const prometheus::ClientMetric& metric, const std::string& suffix,
                      double value) {
    auto& d = *out.add_metrics();
    d.set_name(family.name + suffix);
    d.set_service(service);
    d.set_type(to_proto(family.type));
    d.set_value(value);
    d.set_unit(suffix == "_count" || suffix == "_bucket" ? "" : unit_of(family.name));
    for (const auto& l : metric.label)
      (*d.mutable_labels())[l.name] = l.value;
    *d.mutable_timestamp() = at;
    return d;
  }
};

void add_histogram(series_writer& w, const prometheus::ClientMetric& m) {
  const auto& h = m.histogram;
  w.add(m, "_count", static_cast<double>(h.sample_count));
  w.add(m, "_sum", h.sample_sum);
  for (const auto& b : h.bucket)
    (*w.add(m, "_bucket", static_cast<double>(b.cumulative_count)).mutable_labels())["le"] =
        number(b.upper_bound);
  for (double phi : {0.5, 0.9, 0.99})
    (*w.add(m, "", bucket_quantile(phi, h.bucket)).mutable_labels())["quantile"] = number(phi);
}

void add_series(series_writer& w, const prometheus::ClientMetric& m) {
  switch (w.family.type) {
    case prometheus::MetricType::Counter:
      w.add(m, "", m.counter.value);
      return;
    case prometheus::MetricType::Gauge:
      w.add(m, "", m.gauge.value);
      return;
    case prometheus::MetricType::Untyped:
      w.add(m, "", m.untyped.value);
      return;
    case prometheus::MetricType::Histogram:
      add_histogram(w, m);
      return;
    case prometheus::MetricType::Summary:
      w.add(m, "_count", static_cast<double>(m.summary.sample_count));
      w.add(m, "_sum", m.summary.sample_sum);
      for (const auto& q : m.summary.quantile)
        (*w.add(m, "", q.value).mutable_labels())["quantile"] = number(q.quantile);
      return;
  }
}

} // namespace

result<metrics_query> to_metrics_query(const v1::GetMetricsRequest& r) {
  if (auto bad = request_check{}
                     .optional("service", r.service())
                     .optional("metric_type", r.metric_type())
                     .optional("aggregation", r.aggregation())
                     .result())
    return *bad;
  auto agg = lower(r.aggregation());
  if (!agg.empty() && agg != "none")
    return fail(errc::invalid_argument,
                "aggregation is not supported: every series is returned as it is (none); "
                "aggregate over labels in Prometheus",
                {{"aggregation", "unsupported", r.aggregation()}});
  metrics_query q;
  q.service = r.service();
  auto type = type_of(r.metric_type());
  if (!type)
    return std::move(type).error();
  q.type = *type;
  auto range = time_range_of(r);
  if (!range)
    return std::move(range).error();
  q.from = range->from;
  q.until = range->until;
  return q;
}

std::string service_of(const prometheus::MetricFamily& family,
                       const prometheus::ClientMetric& metric) {
  for (const auto& l : metric.label)
    if (l.name == "service")
      return l.value;
  const auto& n = family.name;
  auto start = n.rfind("tt_", 0) == 0 ? size_t{3} : size_t{0};
  auto end = n.find('_', start);
  return n.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

double bucket_quantile(double phi, const std::vector<prometheus::ClientMetric::Bucket>& buckets) {
  if (buckets.empty() || buckets.back().cumulative_count == 0)
    return 0;
  auto total = static_cast<double>(buckets.back().cumulative_count);
  auto rank = phi * total;
  double lower_bound = 0;
  double below = 0;
  for (const auto& b : buckets) {
    auto count = static_cast<double>(b.cumulative_count);
    if (count >= rank) {
      // In the +Inf bucket the best estimate is the highest finite bound (as Prometheus does).
      if (std::isinf(b.upper_bound))
        return lower_bound;
      auto in_bucket = count - below;
      return in_bucket <= 0
                 ? b.upper_bound
                 : lower_bound + (b.upper_bound - lower_bound) * (rank - below) / in_bucket;
    }
    lower_bound = b.upper_bound;
    below = count;
  }
  return lower_bound;
}

void fill(v1::GetMetricsResponse& out, const std::vector<prometheus::MetricFamily>& families,
          const metrics_query& q, std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  set_timestamp(out.mutable_collected_at(),
                duration_cast<milliseconds>(now.time_since_epoch()).count());
  if (q.from || q.until) {
    auto& note = *out.mutable_error();
    note.set_code(v1::ERROR_CODE_UNSPECIFIED);
    bool inside = (!q.from || *q.from <= now) && (!q.until || now < *q.until);
    note.set_message(
        inside ? "the node keeps current values only: these are as of collected_at (counters "
                 "and histograms since the node started), not over [start_time, end_time); "
                 "Prometheus keeps the history"
               : "the node keeps current values only and collected_at lies outside "
                 "[start_time, end_time): no series; Prometheus keeps the history");
    auto* detail = note.add_details();
    detail->set_field(q.from ? "start_time" : "end_time");
    detail->set_reason("not honoured: no history in the node");
    if (!inside)
      return;
  }
  for (const auto& family : families) {
    if (q.type && family.type != *q.type)
      continue;
    for (const auto& metric : family.metric) {
      auto service = service_of(family, metric);
      if (!q.service.empty() && service != q.service)
        continue;
      series_writer w{out, family, service, out.collected_at()};
      add_series(w, metric);
    }
  }
}

} // namespace tt::adapters::rpc
