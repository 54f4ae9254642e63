#pragma once
/// Routes protobuf's own log (google::protobuf::SetLogHandler) into the node's logger through a
/// throttled_log, keyed by the line of protobuf that logs: a flood of requests with invalid UTF-8
/// strings then writes one "protobuf: ..." line per interval with a count, not one per request.
/// Protobuf has one process-wide handler: one protobuf_log at a time; it restores the previous
/// handler when destroyed.

#include <google/protobuf/stubs/logging.h>

#include "adapters/logs/throttled_log.hpp"

namespace tt::adapters::logs {

class protobuf_log {
 public:
  /// `out` must outlive this object.
  explicit protobuf_log(throttled_log& out);
  ~protobuf_log();
  protobuf_log(const protobuf_log&) = delete;
  protobuf_log& operator=(const protobuf_log&) = delete;

 private:
  google::protobuf::LogHandler* previous_;
};

} // namespace tt::adapters::logs
