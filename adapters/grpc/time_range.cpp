#include "adapters/grpc/time_range.hpp"

#include <string>

namespace tt::adapters::rpc {

namespace {

/// google.protobuf.Timestamp's valid range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
result<std::chrono::system_clock::time_point> time_of(const char* field,
                                                      const google::protobuf::Timestamp& t) {
  if (t.seconds() < -62135596800 || t.seconds() > 253402300799 || t.nanos() < 0 ||
      t.nanos() > 999999999)
    return fail(errc::invalid_argument, std::string(field) + " is not a valid timestamp",
                {{field, "malformed timestamp", std::to_string(t.seconds())}});
  using namespace std::chrono;
  return system_clock::time_point{
      duration_cast<system_clock::duration>(seconds{t.seconds()} + nanoseconds{t.nanos()})};
}

} // namespace

result<time_range> time_range_of(const google::protobuf::Timestamp* start,
                                 const google::protobuf::Timestamp* end) {
  time_range range;
  if (start != nullptr) {
    auto from = time_of("start_time", *start);
    if (!from)
      return std::move(from).error();
    range.from = *from;
  }
  if (end != nullptr) {
    auto until = time_of("end_time", *end);
    if (!until)
      return std::move(until).error();
    range.until = *until;
  }
  if (range.from && range.until && *range.from > *range.until)
    return fail(errc::invalid_argument, "start_time is after end_time",
                {{"start_time", "after end_time", std::to_string(start->seconds())}});
  return range;
}

} // namespace tt::adapters::rpc
