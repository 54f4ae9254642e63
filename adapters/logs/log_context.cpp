#include "adapters/logs/log_context.hpp"

namespace tt::adapters::logs {

namespace {

thread_local log_context current;

} // namespace

const log_context& current_log_context() noexcept {
  return current;
}

log_scope::log_scope(std::string_view trace_id, const log_fields* fields) noexcept
    : saved_(current) {
  current = log_context{trace_id, fields};
}

log_scope::~log_scope() {
  current = saved_;
}

} // namespace tt::adapters::logs
