#include "adapters/logs/log_buffer_sink.hpp"

namespace tt::adapters::logs {

void log_buffer_sink::sink_it_(const spdlog::details::log_msg& msg) {
  std::string_view text(msg.payload.data(), msg.payload.size());
  const auto& context = current_log_context();
  log_entry entry;
  entry.time = msg.time;
  entry.level = msg.level;
  entry.component = component_of(text);
  entry.trace_id = std::string(context.trace_id);
  entry.message = std::string(text);
  if (context.fields != nullptr)
    entry.fields = *context.fields;
  buffer_->add(std::move(entry));
}

} // namespace tt::adapters::logs
