// The load run itself: channels, in-flight call slots and completion-queue polling threads.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "scenarios/load/histogram.hpp"
#include "scenarios/load/options.hpp"
#include "scenarios/load/request_pool.hpp"

namespace tt::load {

/// gRPC status codes are 0 (OK) to 16 (UNAUTHENTICATED).
constexpr size_t status_code_count = 17;

/// What the measured part of a run saw (warm-up calls are not in it).
struct load_result {
  uint64_t requests = 0;                             ///< measured calls completed
  std::array<uint64_t, status_code_count> by_code{}; ///< calls per final gRPC status code
  uint64_t echo_mismatches = 0; ///< --echo only: OK replies whose size differs from the request
  latency_histogram latency;    ///< nanoseconds, start (or scheduled start) to completion
  double duration_s = 0;        ///< from the end of warm-up to the last measured completion

  uint64_t ok() const { return by_code[0]; }
  uint64_t errors() const { return requests - ok(); }
  double rate() const { return duration_s > 0 ? static_cast<double>(requests) / duration_s : 0; }
};

/// Connects `options.connections` channels to `options.target` and drives `options.method` with
/// the requests of `pool` until the duration or request count is reached, then waits for every
/// call in flight. Blocks the calling thread. Returns an error message, without sending any call,
/// when a connection is not ready within `options.connect_timeout_s`.
std::variant<load_result, std::string> run_load(const load_options& options,
                                                const request_pool& pool);

} // namespace tt::load
