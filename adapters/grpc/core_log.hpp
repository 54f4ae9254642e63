#pragma once
/// Routes gRPC core's own log (gpr_set_log_function) into the node's logger through a
/// throttled_log, keyed by the line of gRPC that logs: a client speaking plaintext to the TLS
/// port, or any flood of failed handshakes, then writes one "grpc core: ..." line per interval
/// with a count, not one line per connection on stderr outside the logger. gRPC has one
/// process-wide log function: one core_log at a time; the default returns when it is destroyed.

#include "adapters/logs/throttled_log.hpp"

namespace tt::adapters::rpc {

class core_log {
 public:
  /// `out` must outlive this object.
  explicit core_log(logs::throttled_log& out);
  ~core_log();
  core_log(const core_log&) = delete;
  core_log& operator=(const core_log&) = delete;
};

} // namespace tt::adapters::rpc
