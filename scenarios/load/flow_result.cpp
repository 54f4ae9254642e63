#include "scenarios/load/flow_result.hpp"

namespace tt::load {

const char* flow_step_name(flow_step step) {
  static constexpr std::array<const char*, flow_step_count> names{
      "join", "status", "admission", "hold", "intent", "process", "confirm"};
  return names.at(static_cast<size_t>(step));
}

uint64_t flow_result::failed() const {
  uint64_t n = not_admitted + unconfirmed + confirm_timeouts;
  for (const auto& by_code : failed_calls)
    for (auto count : by_code)
      n += count;
  return n;
}

void flow_result::merge(const flow_result& other) {
  confirmed += other.confirmed;
  rpcs += other.rpcs;
  for (size_t s = 0; s < flow_step_count; ++s) {
    calls[s] += other.calls[s];
    call_latency[s].merge(other.call_latency[s]);
    for (size_t c = 0; c < status_code_count; ++c)
      failed_calls[s][c] += other.failed_calls[s][c];
  }
  not_admitted += other.not_admitted;
  unconfirmed += other.unconfirmed;
  confirm_timeouts += other.confirm_timeouts;
  latency.merge(other.latency);
}

} // namespace tt::load
