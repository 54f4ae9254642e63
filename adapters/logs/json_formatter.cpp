#include "adapters/logs/json_formatter.hpp"

#include <string_view>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "adapters/logs/log_buffer.hpp"
#include "adapters/logs/log_context.hpp"

namespace tt::adapters::logs {

namespace {

void append(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

/// `text` as a JSON string, quotes included. Bytes >= 0x80 pass unchanged: the line stays as
/// valid (or invalid) UTF-8 as the message was.
void append_string(spdlog::memory_buf_t& dest, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  dest.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        append(dest, "\\\"");
        break;
      case '\\':
        append(dest, "\\\\");
        break;
      case '\n':
        append(dest, "\\n");
        break;
      case '\t':
        append(dest, "\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char esc[] = {'\\', 'u', '0', '0', hex[(c >> 4) & 0xf], hex[c & 0xf]};
          dest.append(esc, esc + sizeof esc);
        } else {
          dest.push_back(c);
        }
    }
  }
  dest.push_back('"');
}

void append_field(spdlog::memory_buf_t& dest, std::string_view key, std::string_view value) {
  dest.push_back(',');
  append_string(dest, key);
  dest.push_back(':');
  append_string(dest, value);
}

} // namespace

void json_formatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  using namespace std::chrono;
  std::string_view text(msg.payload.data(), msg.payload.size());
  auto since_epoch = msg.time.time_since_epoch();
  auto ms = duration_cast<milliseconds>(since_epoch).count() % 1000;
  fmt::format_to(std::back_inserter(dest), R"({{"ts":"{:%Y-%m-%dT%H:%M:%S}.{:03}Z")",
                 fmt::gmtime(system_clock::to_time_t(msg.time)), ms);
  auto level = spdlog::level::to_string_view(msg.level);
  append_field(dest, "level", std::string_view(level.data(), level.size()));
  append_field(dest, "logger", std::string_view(msg.logger_name.data(), msg.logger_name.size()));
  fmt::format_to(std::back_inserter(dest), R"(,"thread":{})", msg.thread_id);
  append_field(dest, "component", component_of(text));
  const auto& context = current_log_context();
  if (!context.trace_id.empty())
    append_field(dest, "trace_id", context.trace_id);
  if (context.fields != nullptr && !context.fields->empty()) {
    append(dest, R"(,"fields":{)");
    bool first = true;
    for (const auto& [key, value] : *context.fields) {
      if (!first)
        dest.push_back(',');
      first = false;
      append_string(dest, key);
      dest.push_back(':');
      append_string(dest, value);
    }
    dest.push_back('}');
  }
  append_field(dest, "msg", text);
  append(dest, "}\n");
}

std::unique_ptr<spdlog::formatter> json_formatter::clone() const {
  return std::make_unique<json_formatter>();
}

} // namespace tt::adapters::logs
