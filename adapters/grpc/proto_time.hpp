#pragma once
/// Milliseconds since the Unix epoch <-> google.protobuf.Timestamp.

#include <cstdint>

#include <google/protobuf/timestamp.pb.h>

namespace tt::adapters::rpc {

inline void set_timestamp(google::protobuf::Timestamp* out, int64_t epoch_ms) {
  out->set_seconds(epoch_ms / 1000);
  out->set_nanos(static_cast<int32_t>((epoch_ms % 1000) * 1000000));
}

/// Microseconds rounded up to whole milliseconds, as the contract's *_time_ms fields want.
inline int32_t to_ms_ceil(int64_t micros) {
  return static_cast<int32_t>((micros + 999) / 1000);
}

} // namespace tt::adapters::rpc
