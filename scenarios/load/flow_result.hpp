// What a tt_flowgen run measured: whole flows (join -> confirmed), their calls by step, and how
// the failed ones ended.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "scenarios/load/histogram.hpp"
#include "scenarios/load/load_run.hpp"

namespace tt::load {

/// The calls of one flow, in order; `status` and `confirm` repeat while the user waits.
enum class flow_step : uint8_t { join, status, admission, hold, intent, process, confirm };
inline constexpr size_t flow_step_count = 7;

/// "join", "status", "admission", "hold", "intent", "process", "confirm".
const char* flow_step_name(flow_step step);

/// Measured flows only: those started after the warm-up.
struct flow_result {
  uint64_t confirmed = 0; ///< flows that ended with their reservation CONFIRMED
  uint64_t rpcs = 0;      ///< calls the confirmed flows made
  std::array<uint64_t, flow_step_count> calls{}; ///< every measured flow's calls, by step
  std::array<latency_histogram, flow_step_count> call_latency; ///< those calls' latency, by step
  /// Flows ended by a failed call: by the step and the call's gRPC status code.
  std::array<std::array<uint64_t, status_code_count>, flow_step_count> failed_calls{};
  uint64_t not_admitted = 0;     ///< still waiting at --admission-timeout
  uint64_t unconfirmed = 0;      ///< the reservation left HOLD other than CONFIRMED
  uint64_t confirm_timeouts = 0; ///< still HOLD at --confirm-timeout
  latency_histogram latency;     ///< confirmed flows, nanoseconds from JoinQueue to confirmed
  double duration_s = 0;         ///< end of warm-up to the last measured flow's end

  uint64_t failed() const;
  double flows_per_second() const {
    return duration_s > 0 ? static_cast<double>(confirmed) / duration_s : 0;
  }
  double rpcs_per_flow() const {
    return confirmed > 0 ? static_cast<double>(rpcs) / static_cast<double>(confirmed) : 0;
  }
  void merge(const flow_result& other);
};

} // namespace tt::load
