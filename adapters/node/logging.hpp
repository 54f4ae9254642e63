#pragma once
/// Process-wide logging on spdlog. Every line goes to stderr (human-readable text, or one JSON
/// object per line for log shippers: adapters/logs/json_formatter.hpp) at log.level and above,
/// and to the in-memory buffer AdminService/GetLogs reads at log.buffer_level and above, and at
/// log.level and above when that is lower (what stderr shows, GetLogs finds).
/// Protobuf's own log is routed in too, with repeated lines throttled.

#include <chrono>
#include <memory>
#include <string>

#include <spdlog/common.h>
#include <spdlog/sinks/sink.h>

#include "adapters/logs/log_buffer.hpp"
#include "adapters/logs/protobuf_log.hpp"
#include "adapters/logs/throttled_log.hpp"

namespace tt::node {

struct log_settings {
  /// Validated by the config.
  std::string level = "info";
  std::string format = "text";
  std::string buffer_level = "debug";
  size_t buffer_lines = 10000;
  std::chrono::milliseconds repeat_interval{10000};
};

/// The node's logging, for the life of the process: the buffer, the throttle repeated lines go
/// through (protobuf's and the refused admin calls'), and protobuf's handler.
struct node_logging {
  std::shared_ptr<adapters::logs::log_buffer> buffer;
  std::unique_ptr<adapters::logs::throttled_log> throttle;
  std::unique_ptr<adapters::logs::protobuf_log> protobuf;
  /// For set_log_level.
  std::shared_ptr<spdlog::sinks::sink> console;
  std::shared_ptr<spdlog::sinks::sink> buffered;
  spdlog::level::level_enum buffer_level = spdlog::level::debug;
};

/// Sets spdlog's default logger. Call once, before any thread logs.
node_logging setup_logging(const log_settings& settings);

/// Changes log.level at once (a level log_settings validates): stderr and the buffer (see
/// above) from the next line on. Any thread.
void set_log_level(const node_logging& logging, const std::string& level);

} // namespace tt::node
