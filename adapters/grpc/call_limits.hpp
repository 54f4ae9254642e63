#pragma once
/// Limits every call shares: how long an actor may take when the client set no deadline (and the
/// most it may take when it did).

#include <chrono>

namespace tt::adapters::rpc {

struct call_limits {
  std::chrono::milliseconds default_timeout{5000};
  std::chrono::milliseconds max_timeout{30000};
};

} // namespace tt::adapters::rpc
