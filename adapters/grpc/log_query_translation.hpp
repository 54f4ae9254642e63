#pragma once
/// AdminService/GetLogs <-> the node's log buffer. The contract's GetLogsRequest has no cursor
/// field, so the `next_cursor` of a page is sent back in the request header `x-cursor`.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "actors/common/result.hpp"
#include "adapters/logs/log_buffer.hpp"
#include "proto/common/v1/admin.pb.h"

namespace tt::adapters::rpc {

/// Lines a page holds when the request's limit is 0, and the most it may ask for.
constexpr int32_t default_log_page = 100;
constexpr int32_t max_log_page = 1000;

/// The query a request (and its `cursor` header, empty when absent) asks `buffer`; or
/// INVALID_ARGUMENT naming the field: a limit outside 0..max_log_page, a level outside the enum,
/// a malformed timestamp, start_time after end_time, an over-long service or search_query, a
/// cursor this buffer did not issue.
/// `max_reply_bytes` is the transport's message limit: a page stays well inside it.
result<logs::log_query> to_log_query(const common::v1::GetLogsRequest& request,
                                     std::string_view cursor, const logs::log_buffer& buffer,
                                     size_t max_reply_bytes);

void fill(common::v1::GetLogsResponse& out, const logs::log_page& page);

} // namespace tt::adapters::rpc
