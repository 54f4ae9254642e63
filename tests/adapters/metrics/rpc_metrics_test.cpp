#include "adapters/metrics/rpc_metrics.hpp"

#include <doctest/doctest.h>
#include <prometheus/text_serializer.h>

namespace tt::adapters::metrics {

namespace {

using namespace std::chrono_literals;

/// The registry's exposition text, as /metrics serves it.
std::string exposition(prometheus::Registry& registry) {
  return prometheus::TextSerializer{}.Serialize(registry.Collect());
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

} // namespace

TEST_CASE("a method path splits into its service and method labels") {
  auto labels = method_labels("/reservation.v1.ReservationService/CreateReservation");
  CHECK(labels.at("service") == "reservation.v1.ReservationService");
  CHECK(labels.at("method") == "CreateReservation");
}

TEST_CASE("calls count by method and status code, and every call lands in the latency") {
  prometheus::Registry registry;
  rpc_metrics rpc{registry};
  auto& create = rpc.unary("/reservation.v1.ReservationService/CreateReservation");
  auto& status = rpc.unary("/gateway.v1.QueueService/GetQueueStatus");
  CHECK(&create == &rpc.unary("/reservation.v1.ReservationService/CreateReservation"));
  create.record(0, 2ms);
  create.record(0, 40ms);
  create.record(10, 300us); // ABORTED
  status.record(0, 100us);
  auto text = exposition(registry);
  const std::string create_labels =
      "method=\"CreateReservation\",service=\"reservation.v1.ReservationService\"";
  // Labels come in name order (prometheus::Labels is a std::map).
  CHECK(has_line(text, "tt_rpc_requests_total{code=\"OK\"," + create_labels + "} 2"));
  CHECK(has_line(text, "tt_rpc_requests_total{code=\"ABORTED\"," + create_labels + "} 1"));
  CHECK(has_line(text, "tt_rpc_latency_seconds_count{" + create_labels + "} 3"));
  // 300 us and 2 ms are at or under 2.5 ms; 40 ms is not.
  CHECK(has_line(text, "tt_rpc_latency_seconds_bucket{" + create_labels + ",le=\"0.0025\"} 2"));
  CHECK(has_line(text, "tt_rpc_latency_seconds_bucket{" + create_labels + ",le=\"+Inf\"} 3"));
  CHECK(has_line(text, "tt_rpc_latency_seconds_count{method=\"GetQueueStatus\",service="
                       "\"gateway.v1.QueueService\"} 1"));
  // A code is a series only once it happened.
  CHECK(text.find("code=\"INTERNAL\"") == std::string::npos);
}

TEST_CASE("a status code outside gRPC's counts as UNKNOWN") {
  prometheus::Registry registry;
  rpc_metrics rpc{registry};
  rpc.unary("/a.B/C").record(99, 1ms);
  rpc.unary("/a.B/C").record(-1, 1ms);
  CHECK(has_line(exposition(registry),
                 "tt_rpc_requests_total{code=\"UNKNOWN\",method=\"C\",service=\"a.B\"} 2"));
  CHECK(status_code_name(16) == "UNAUTHENTICATED");
  CHECK(status_code_name(4) == "DEADLINE_EXCEEDED");
}

TEST_CASE("open streams go up and down per method") {
  prometheus::Registry registry;
  rpc_metrics rpc{registry};
  auto& open = rpc.open_streams("/gateway.v1.WebSocketService/StreamQueueUpdates");
  CHECK(&open == &rpc.open_streams("/gateway.v1.WebSocketService/StreamQueueUpdates"));
  open.Increment();
  open.Increment();
  open.Decrement();
  CHECK(has_line(exposition(registry), "tt_rpc_open_streams{method=\"StreamQueueUpdates\","
                                       "service=\"gateway.v1.WebSocketService\"} 1"));
}

} // namespace tt::adapters::metrics
