#pragma once
/// The spdlog sink that copies every line it receives into a log_buffer as a structured entry:
/// the line's level and time, its component (component_of), and the trace id and fields of the
/// writing thread's log_scope.

#include <memory>
#include <spdlog/details/null_mutex.h>

#include <spdlog/sinks/base_sink.h>

#include "adapters/logs/log_buffer.hpp"

namespace tt::adapters::logs {

class log_buffer_sink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit log_buffer_sink(std::shared_ptr<log_buffer> buffer) : buffer_(std::move(buffer)) {}

 protected:
  /// The buffer locks itself; base_sink's mutex would only add a second lock.
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::shared_ptr<log_buffer> buffer_;
};

} // namespace tt::adapters::logs
