#include <doctest/doctest.h>

#include "adapters/grpc/trace_id.hpp"

using tt::adapters::rpc::resolve_trace_id;

TEST_CASE("a well-formed x-trace-id is kept") {
  CHECK(resolve_trace_id("req-42_a.b", "") == "req-42_a.b");
}

TEST_CASE("a W3C traceparent supplies the trace id") {
  CHECK(resolve_trace_id("", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") ==
        "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_CASE("malformed or oversized ids are replaced by a fresh one") {
  for (auto bad : {std::string("has space"), std::string(65, 'a'), std::string("semi;colon")}) {
    auto id = resolve_trace_id(bad, "00-XYZ");
    CHECK(id.size() == 32);
    CHECK(id != bad);
  }
  CHECK(resolve_trace_id("", "") != resolve_trace_id("", ""));
}
