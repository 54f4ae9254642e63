// Printing a load run's result: one human line, or one JSON object for scripts (ops/bench/run.sh).

#pragma once

#include <string>

#include "scenarios/load/load_run.hpp"
#include "scenarios/load/options.hpp"

namespace tt::load {

/// `v` with `decimals` digits after the point, as printf's "%.*f" writes it.
std::string decimal(double v, int decimals);

/// "OK", "CANCELLED", ... "UNAUTHENTICATED", as grpc::StatusCode spells them; `code` < 17.
const char* status_code_name(size_t code);

/// One line: method, target, counts, req/s and latency percentiles in milliseconds.
std::string human_line(const load_options& options, const load_result& result);

/// One JSON object, no newline. Keys: target, method, echo, mode ("closed" or "open"),
/// target_rate, connections, concurrency, request_bytes (mean), requests, ok, errors (object:
/// status code name → count), echo_mismatches, rps, p50_us, p90_us, p99_us, max_us, mean_us,
/// duration_s.
std::string json_report(const load_options& options, double request_bytes,
                        const load_result& result);

} // namespace tt::load
