// GetLogs' translation: given requests (and cursor headers), the query the buffer is asked, or
// the INVALID_ARGUMENT naming the field; given a page, the contract's reply.
#include "adapters/grpc/log_query_translation.hpp"

#include <doctest/doctest.h>

using namespace tt;
using namespace tt::adapters;
namespace v1 = ::common::v1;

namespace {

constexpr size_t reply_bytes = 1 << 20;

std::string refused_field(const v1::GetLogsRequest& r, std::string_view cursor = {}) {
  logs::log_buffer buffer{10, 100};
  auto q = rpc::to_log_query(r, cursor, buffer, reply_bytes);
  REQUIRE_FALSE(q);
  CHECK(q.error().code == errc::invalid_argument);
  REQUIRE(q.error().details.size() == 1);
  return q.error().details[0].field;
}

} // namespace

TEST_CASE("an empty request asks for the newest 100 lines of every level") {
  logs::log_buffer buffer{10, 100};
  auto q = rpc::to_log_query(v1::GetLogsRequest{}, {}, buffer, reply_bytes);
  REQUIRE(q);
  CHECK(q->limit == 100);
  CHECK(q->min_level == spdlog::level::trace);
  CHECK_FALSE(q->from);
  CHECK_FALSE(q->until);
  CHECK_FALSE(q->before);
  CHECK(q->max_bytes == reply_bytes / 4 * 3);
}

TEST_CASE("each contract level maps to the spdlog level at and above which lines are kept") {
  logs::log_buffer buffer{10, 100};
  std::pair<v1::LogLevel, spdlog::level::level_enum> levels[] = {
      {v1::LOG_LEVEL_TRACE, spdlog::level::trace}, {v1::LOG_LEVEL_DEBUG, spdlog::level::debug},
      {v1::LOG_LEVEL_INFO, spdlog::level::info},   {v1::LOG_LEVEL_WARN, spdlog::level::warn},
      {v1::LOG_LEVEL_ERROR, spdlog::level::err},   {v1::LOG_LEVEL_FATAL, spdlog::level::critical}};
  for (auto [proto, expected] : levels) {
    v1::GetLogsRequest r;
    r.set_level(proto);
    auto q = rpc::to_log_query(r, {}, buffer, reply_bytes);
    REQUIRE(q);
    CHECK(q->min_level == expected);
  }
}

TEST_CASE("malformed requests name their field") {
  v1::GetLogsRequest r;
  r.set_limit(-1);
  CHECK(refused_field(r) == "limit");
  r.set_limit(rpc::max_log_page + 1);
  CHECK(refused_field(r) == "limit");
  r = {};
  r.set_level(static_cast<v1::LogLevel>(42));
  CHECK(refused_field(r) == "level");
  r = {};
  r.mutable_start_time()->set_seconds(20);
  r.mutable_end_time()->set_seconds(10);
  CHECK(refused_field(r) == "start_time");
  r = {};
  r.mutable_start_time()->set_nanos(1'000'000'000);
  CHECK(refused_field(r) == "start_time");
  r = {};
  r.mutable_end_time()->set_seconds(253402300800); // year 10000
  CHECK(refused_field(r) == "end_time");
  r = {};
  r.set_service(std::string(65, 's'));
  CHECK(refused_field(r) == "service");
  r = {};
  r.set_search_query(std::string(513, 'q'));
  CHECK(refused_field(r) == "search_query");
  CHECK(refused_field(v1::GetLogsRequest{}, "abc.1") == "x-cursor");
}

TEST_CASE("a page becomes the reply: entries, levels, fields, has_more and next_cursor") {
  logs::log_page page;
  logs::log_entry e;
  e.seq = 7;
  e.time = logs::log_clock::time_point{std::chrono::milliseconds{1'700'000'000'250}};
  e.level = spdlog::level::err;
  e.component = "grpc";
  e.trace_id = "t-1";
  e.message = "grpc: failed";
  e.fields = {{"who", "alice"}};
  page.entries.push_back(e);
  page.has_more = true;
  page.next_cursor = "abcd1234.7";
  v1::GetLogsResponse out;
  rpc::fill(out, page);
  REQUIRE(out.logs_size() == 1);
  const auto& line = out.logs(0);
  CHECK(line.timestamp().seconds() == 1'700'000'000);
  CHECK(line.timestamp().nanos() == 250'000'000);
  CHECK(line.level() == v1::LOG_LEVEL_ERROR);
  CHECK(line.service() == "grpc");
  CHECK(line.trace_id() == "t-1");
  CHECK(line.message() == "grpc: failed");
  CHECK(line.fields().at("who") == "alice");
  CHECK(line.fields().at("seq") == "7");
  CHECK(out.has_more());
  CHECK(out.next_cursor() == "abcd1234.7");
}
