#include "adapters/logs/protobuf_log.hpp"

#include <atomic>
#include <stdexcept>

namespace tt::adapters::logs {

namespace {

std::atomic<throttled_log*> target{nullptr};

spdlog::level::level_enum level_of(google::protobuf::LogLevel level) {
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      return spdlog::level::info;
    case google::protobuf::LOGLEVEL_WARNING:
      return spdlog::level::warn;
    case google::protobuf::LOGLEVEL_ERROR:
      return spdlog::level::err;
    case google::protobuf::LOGLEVEL_FATAL:
      return spdlog::level::critical;
  }
  return spdlog::level::err;
}

void handle(google::protobuf::LogLevel level, const char* filename, int line,
            const std::string& message) {
  if (auto* out = target.load())
    out->write_from("protobuf", filename, line, level_of(level), message);
}

} // namespace

protobuf_log::protobuf_log(throttled_log& out) {
  throttled_log* none = nullptr;
  if (!target.compare_exchange_strong(none, &out))
    throw std::logic_error("protobuf's log is routed already");
  previous_ = google::protobuf::SetLogHandler(&handle);
}

protobuf_log::~protobuf_log() {
  google::protobuf::SetLogHandler(previous_);
  target.store(nullptr);
}

} // namespace tt::adapters::logs
