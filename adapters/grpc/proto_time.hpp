#pragma once
/// Milliseconds since the Unix epoch <-> google.protobuf.Timestamp.

#include <chrono>
#include <cstdint>

#include <google/protobuf/timestamp.pb.h>

namespace tt::adapters::rpc {

inline void set_timestamp(google::protobuf::Timestamp* out, int64_t epoch_ms) {
  out->set_seconds(epoch_ms / 1000);
  out->set_nanos(static_cast<int32_t>((epoch_ms % 1000) * 1000000));
}

/// The current wall-clock time (an operator reply's "done at").
inline void set_timestamp_now(google::protobuf::Timestamp* out) {
  set_timestamp(out, std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
}

/// Microseconds rounded up to whole milliseconds, as the contract's *_time_ms fields want.
inline int32_t to_ms_ceil(int64_t micros) {
  return static_cast<int32_t>((micros + 999) / 1000);
}

} // namespace tt::adapters::rpc
