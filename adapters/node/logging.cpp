#include "adapters/node/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "adapters/logs/json_formatter.hpp"
#include "adapters/logs/log_buffer_sink.hpp"

namespace tt::node {

namespace {

/// Longer messages are cut in the buffer (memory stays below lines x this).
constexpr size_t buffer_message_bytes = 2048;

} // namespace

node_logging setup_logging(const log_settings& settings) {
  node_logging out;
  out.buffer =
      std::make_shared<adapters::logs::log_buffer>(settings.buffer_lines, buffer_message_bytes);
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  if (settings.format == "json")
    console->set_formatter(std::make_unique<adapters::logs::json_formatter>());
  else
    console->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
  out.console = console;
  out.buffered = std::make_shared<adapters::logs::log_buffer_sink>(out.buffer);
  out.buffer_level = spdlog::level::from_str(settings.buffer_level);
  auto logger =
      std::make_shared<spdlog::logger>("tacosd", spdlog::sinks_init_list{console, out.buffered});
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  set_log_level(out, settings.level);
  out.throttle = std::make_unique<adapters::logs::throttled_log>(settings.repeat_interval);
  out.protobuf = std::make_unique<adapters::logs::protobuf_log>(*out.throttle);
  return out;
}

void set_log_level(const node_logging& logging, const std::string& level) {
  auto written = spdlog::level::from_str(level);
  auto kept = std::min(written, logging.buffer_level);
  logging.console->set_level(written);
  logging.buffered->set_level(kept);
  spdlog::default_logger()->set_level(kept);
}

} // namespace tt::node
