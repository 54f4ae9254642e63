#pragma once
/// log.format=json: one JSON object per line with the fields the log buffer keeps, so a log
/// shipper sees what GetLogs shows:
///   {"ts":"2026-12-06T21:00:00.123Z","level":"info","logger":"tacosd","thread":42,
///    "component":"kafka","trace_id":"...","fields":{"who":"..."},"msg":"kafka: ..."}
/// `trace_id` and `fields` appear when the writing thread's log_scope sets them. Every string is
/// escaped, so no message can break the line's JSON.

#include <memory>

#include <spdlog/formatter.h>

namespace tt::adapters::logs {

class json_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

} // namespace tt::adapters::logs
