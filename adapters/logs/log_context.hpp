#pragma once
/// What a log line knows about the work it was written for, beyond its text: the trace id of the
/// call being served and structured fields (an audit line's who / what / outcome). Held per
/// thread: a `log_scope` sets it around the statements that log on a call's behalf, and the
/// node's sinks (log_buffer_sink, json_formatter) read it while the line is written, on the same
/// thread (the node's logger is synchronous). Lines written by actors on their own threads carry
/// no trace id.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tt::adapters::logs {

using log_fields = std::vector<std::pair<std::string, std::string>>;

struct log_context {
  std::string_view trace_id;
  /// Not owned; null when the line has no fields.
  const log_fields* fields = nullptr;
};

/// The context of lines written now on this thread (empty outside any scope).
const log_context& current_log_context() noexcept;

/// Sets this thread's context until the scope ends, then restores the previous one. `trace_id`
/// and `fields` must outlive the scope.
class log_scope {
 public:
  explicit log_scope(std::string_view trace_id, const log_fields* fields = nullptr) noexcept;
  ~log_scope();
  log_scope(const log_scope&) = delete;
  log_scope& operator=(const log_scope&) = delete;

 private:
  log_context saved_;
};

} // namespace tt::adapters::logs
