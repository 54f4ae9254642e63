// log.format=json: every line is one JSON object carrying the fields the log buffer keeps
// (level, time, component, trace id, fields), whatever the message holds.
#include "adapters/logs/json_formatter.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <spdlog/details/log_msg.h>

#include "adapters/logs/log_context.hpp"

using namespace tt::adapters::logs;
using json = nlohmann::json;

namespace {

json format(std::string_view text, spdlog::level::level_enum level = spdlog::level::info) {
  spdlog::details::log_msg msg{"tacosd", level, spdlog::string_view_t(text.data(), text.size())};
  msg.time = spdlog::log_clock::time_point{std::chrono::milliseconds{1'700'000'000'123}};
  spdlog::memory_buf_t out;
  json_formatter{}.format(msg, out);
  std::string line(out.data(), out.size());
  REQUIRE(line.back() == '\n');
  REQUIRE(line.find('\n') == line.size() - 1);
  return json::parse(line);
}

} // namespace

TEST_CASE("a line carries time, level, logger, component and message") {
  auto j = format("kafka: embedded cluster on 127.0.0.1:9092", spdlog::level::warn);
  CHECK(j["ts"] == "2023-11-14T22:13:20.123Z");
  CHECK(j["level"] == "warning");
  CHECK(j["logger"] == "tacosd");
  CHECK(j["component"] == "kafka");
  CHECK(j["msg"] == "kafka: embedded cluster on 127.0.0.1:9092");
  CHECK(j.contains("thread"));
  CHECK_FALSE(j.contains("trace_id"));
  CHECK_FALSE(j.contains("fields"));
}

TEST_CASE("the writing thread's trace id and fields are on the line") {
  log_fields fields{{"who", "alice (ipv4:1.2.3.4:5)"}, {"outcome", "done: \"ok\""}};
  log_scope scope{"trace-abc", &fields};
  auto j = format("audit: x");
  CHECK(j["trace_id"] == "trace-abc");
  CHECK(j["fields"]["who"] == "alice (ipv4:1.2.3.4:5)");
  CHECK(j["fields"]["outcome"] == "done: \"ok\"");
}

TEST_CASE("the scope ends with its block") {
  {
    log_scope scope{"inner"};
    CHECK(format("grpc: x")["trace_id"] == "inner");
  }
  CHECK_FALSE(format("grpc: x").contains("trace_id"));
}

TEST_CASE("quotes, backslashes and control characters cannot break the line") {
  auto j = format("grpc: \"quoted\" back\\slash\nnew line\ttab\x01");
  CHECK(j["msg"] == "grpc: \"quoted\" back\\slash\nnew line\ttab\x01");
}
