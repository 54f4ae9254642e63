#pragma once
/// The trace id of a call: taken from the client's `x-trace-id` header or W3C `traceparent`, when
/// well-formed, else minted (32 lower-case hex digits). It is echoed in the `x-trace-id` response
/// header and stamped on every common.v1.Error.

#include <string>
#include <string_view>

namespace tt::adapters::rpc {

/// `x_trace_id` / `traceparent` are the raw header values (empty when absent).
std::string resolve_trace_id(std::string_view x_trace_id, std::string_view traceparent);

} // namespace tt::adapters::rpc
