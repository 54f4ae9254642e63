#include "adapters/grpc/trace_id.hpp"

#include <random>

namespace tt::adapters::rpc {

namespace {

constexpr size_t max_trace_id_length = 64;

bool is_token(std::string_view s) {
  if (s.empty() || s.size() > max_trace_id_length)
    return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_' || c == '.';
    if (!ok)
      return false;
  }
  return true;
}

// traceparent = version "-" trace-id(32 hex) "-" parent-id(16 hex) "-" flags(2 hex)
std::string_view traceparent_id(std::string_view tp) {
  if (tp.size() < 55 || tp[2] != '-' || tp[35] != '-')
    return {};
  auto id = tp.substr(3, 32);
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return {};
  return id;
}

std::string mint() {
  // One generator per thread: gRPC callbacks run on several threads.
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (size_t i = 0; i < out.size(); i += 16) {
    auto bits = gen();
    for (size_t j = 0; j < 16; ++j, bits >>= 4)
      out[i + j] = hex[bits & 0xf];
  }
  return out;
}

} // namespace

std::string resolve_trace_id(std::string_view x_trace_id, std::string_view traceparent) {
  if (is_token(x_trace_id))
    return std::string(x_trace_id);
  if (auto id = traceparent_id(traceparent); !id.empty())
    return std::string(id);
  return mint();
}

} // namespace tt::adapters::rpc
