// Printing a tt_flowgen result: one human line, or one JSON object for ops/bench/run.sh.

#pragma once

#include <string>

#include "scenarios/load/flow_options.hpp"
#include "scenarios/load/flow_result.hpp"

namespace tt::load {

/// Flows, failures, flows/s, RPCs per flow and whole-flow latency percentiles in milliseconds.
std::string flow_human_line(const flow_options& options, const flow_result& result);

/// One JSON object, no newline. Keys: target, event, users, connections, flows (confirmed),
/// failed, flows_per_s, rpcs_per_flow, p50_us, p90_us, p99_us, max_us, duration_s, calls
/// (object: step -> measured calls), call_p50_us and call_p99_us (objects: step -> that call's
/// latency percentile), failures (object: "step:CODE", "not_admitted",
/// "unconfirmed", "confirm_timeout" -> count; only non-zero ones).
std::string flow_json_report(const flow_options& options, const flow_result& result);

} // namespace tt::load
