#include "adapters/grpc/log_query_translation.hpp"

#include <string>

#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/time_range.hpp"

namespace tt::adapters::rpc {

namespace {

namespace v1 = common::v1;
using spdlog::level::level_enum;

level_enum from_proto(v1::LogLevel level) {
  switch (level) {
    case v1::LOG_LEVEL_TRACE:
      return spdlog::level::trace;
    case v1::LOG_LEVEL_DEBUG:
      return spdlog::level::debug;
    case v1::LOG_LEVEL_INFO:
      return spdlog::level::info;
    case v1::LOG_LEVEL_WARN:
      return spdlog::level::warn;
    case v1::LOG_LEVEL_ERROR:
      return spdlog::level::err;
    case v1::LOG_LEVEL_FATAL:
      return spdlog::level::critical;
    default: // LOG_LEVEL_UNSPECIFIED: every level (unknown values were refused before)
      return spdlog::level::trace;
  }
}

v1::LogLevel to_proto(level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return v1::LOG_LEVEL_TRACE;
    case spdlog::level::debug:
      return v1::LOG_LEVEL_DEBUG;
    case spdlog::level::info:
      return v1::LOG_LEVEL_INFO;
    case spdlog::level::warn:
      return v1::LOG_LEVEL_WARN;
    case spdlog::level::err:
      return v1::LOG_LEVEL_ERROR;
    case spdlog::level::critical:
      return v1::LOG_LEVEL_FATAL;
    default: // spdlog's "off" is never a line's level
      return v1::LOG_LEVEL_UNSPECIFIED;
  }
}

} // namespace

result<logs::log_query> to_log_query(const v1::GetLogsRequest& r, std::string_view cursor,
                                     const logs::log_buffer& buffer, size_t max_reply_bytes) {
  if (auto bad = request_check{}
                     .optional("service", r.service())
                     .optional("search_query", r.search_query(), max_text_length)
                     .range("limit", r.limit(), 0, max_log_page)
                     .result())
    return *bad;
  if (!v1::LogLevel_IsValid(r.level()))
    return fail(errc::invalid_argument, "level is not a common.v1.LogLevel",
                {{"level", "unknown value", std::to_string(r.level())}});
  logs::log_query q;
  q.min_level = from_proto(r.level());
  q.component = r.service();
  q.text = r.search_query();
  q.limit = static_cast<size_t>(r.limit() == 0 ? default_log_page : r.limit());
  // Three quarters: the protobuf framing of each entry (timestamp, level, map entries) on top.
  q.max_bytes = max_reply_bytes / 4 * 3;
  auto range = time_range_of(r);
  if (!range)
    return std::move(range).error();
  q.from = range->from;
  q.until = range->until;
  if (!cursor.empty()) {
    q.before = buffer.parse_cursor(cursor);
    if (!q.before)
      return fail(errc::invalid_argument,
                  "the x-cursor header is not a cursor this node issued since it started",
                  {{"x-cursor", "unknown cursor", std::string(cursor.substr(0, 64))}});
  }
  return q;
}

void fill(v1::GetLogsResponse& out, const logs::log_page& page) {
  using namespace std::chrono;
  for (const auto& e : page.entries) {
    auto* entry = out.add_logs();
    auto ns = duration_cast<nanoseconds>(e.time.time_since_epoch()).count();
    entry->mutable_timestamp()->set_seconds(ns / 1'000'000'000);
    entry->mutable_timestamp()->set_nanos(static_cast<int32_t>(ns % 1'000'000'000));
    entry->set_level(to_proto(e.level));
    entry->set_service(e.component);
    entry->set_message(e.message);
    entry->set_trace_id(e.trace_id);
    auto& fields = *entry->mutable_fields();
    for (const auto& [key, value] : e.fields)
      fields[key] = value;
    fields["seq"] = std::to_string(e.seq);
  }
  out.set_has_more(page.has_more);
  out.set_next_cursor(page.next_cursor);
}

} // namespace tt::adapters::rpc
