#pragma once
/// The `[start_time, end_time)` of an operator's query (GetLogs, GetMetrics), either end open.

#include <chrono>
#include <optional>

#include <google/protobuf/timestamp.pb.h>

#include "actors/common/result.hpp"

namespace tt::adapters::rpc {

struct time_range {
  std::optional<std::chrono::system_clock::time_point> from;
  std::optional<std::chrono::system_clock::time_point> until;
};

/// The range of `start` and `end` (null: open); INVALID_ARGUMENT naming the field for a
/// timestamp outside google.protobuf.Timestamp's valid range, or start after end.
result<time_range> time_range_of(const google::protobuf::Timestamp* start,
                                 const google::protobuf::Timestamp* end);

/// The range of a request with optional `start_time` and `end_time` fields.
template <class Request>
result<time_range> time_range_of(const Request& r) {
  return time_range_of(r.has_start_time() ? &r.start_time() : nullptr,
                       r.has_end_time() ? &r.end_time() : nullptr);
}

} // namespace tt::adapters::rpc
