// A tt_flowgen run: channels, virtual users spread over completion-queue threads, the result.

#pragma once

#include <string>
#include <variant>

#include "scenarios/load/flow_options.hpp"
#include "scenarios/load/flow_result.hpp"

namespace tt::load {

/// Connects `options.connections` channels, runs `options.users` users (flow_user) until no
/// flow starts any more and every flow in progress has ended, and merges what they measured.
/// Blocks the calling thread. Returns an error message, without a call sent, when a connection
/// is not ready within `options.connect_timeout_s`.
std::variant<flow_result, std::string> run_flows(const flow_options& options);

} // namespace tt::load
