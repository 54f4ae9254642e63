#include "scenarios/load/report.hpp"

#include <array>
#include <cstdio>

namespace tt::load {

namespace {

double micros(uint64_t nanos) {
  return static_cast<double>(nanos) / 1e3;
}
double millis(uint64_t nanos) {
  return static_cast<double>(nanos) / 1e6;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      std::array<char, 8> buf{};
      std::snprintf(buf.data(), buf.size(), "\\u%04x", static_cast<unsigned>(c));
      out += buf.data();
    } else {
      out += c;
    }
  }
  return out + "\"";
}

} // namespace

std::string decimal(double v, int decimals) {
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%.*f", decimals, v);
  return buf.data();
}

const char* status_code_name(size_t code) {
  static constexpr std::array<const char*, status_code_count> names{"OK",
                                                                    "CANCELLED",
                                                                    "UNKNOWN",
                                                                    "INVALID_ARGUMENT",
                                                                    "DEADLINE_EXCEEDED",
                                                                    "NOT_FOUND",
                                                                    "ALREADY_EXISTS",
                                                                    "PERMISSION_DENIED",
                                                                    "RESOURCE_EXHAUSTED",
                                                                    "FAILED_PRECONDITION",
                                                                    "ABORTED",
                                                                    "OUT_OF_RANGE",
                                                                    "UNIMPLEMENTED",
                                                                    "INTERNAL",
                                                                    "UNAVAILABLE",
                                                                    "DATA_LOSS",
                                                                    "UNAUTHENTICATED"};
  return names.at(code);
}

std::string human_line(const load_options& options, const load_result& r) {
  std::string errors;
  for (size_t c = 1; c < status_code_count; ++c)
    if (r.by_code[c] > 0)
      errors += std::string{errors.empty() ? " (" : ", "} + status_code_name(c) + " " +
                std::to_string(r.by_code[c]);
  if (!errors.empty())
    errors += ")";
  if (options.echo && r.echo_mismatches > 0)
    errors += ", " + std::to_string(r.echo_mismatches) + " echo replies differ";
  const auto& h = r.latency;
  return options.method + " @ " + options.target + (options.echo ? " [echo]" : "") + ": " +
         std::to_string(r.requests) + " calls, " + std::to_string(r.ok()) + " ok, " +
         std::to_string(r.errors()) + " errors" + errors + " in " + decimal(r.duration_s, 2) +
         " s = " + decimal(r.rate(), 0) + " req/s; latency ms p50 " +
         decimal(millis(h.quantile(0.5)), 3) + " p90 " + decimal(millis(h.quantile(0.9)), 3) +
         " p99 " + decimal(millis(h.quantile(0.99)), 3) + " max " + decimal(millis(h.max()), 3);
}

std::string json_report(const load_options& options, double request_bytes, const load_result& r) {
  std::string errors;
  for (size_t c = 1; c < status_code_count; ++c)
    if (r.by_code[c] > 0)
      errors += std::string{errors.empty() ? "" : ","} + json_string(status_code_name(c)) + ":" +
                std::to_string(r.by_code[c]);
  const auto& h = r.latency;
  return "{\"target\":" + json_string(options.target) +
         ",\"method\":" + json_string(options.method) +
         ",\"echo\":" + (options.echo ? "true" : "false") + ",\"mode\":\"" +
         (options.rate > 0 ? "open" : "closed") + "\",\"target_rate\":" + decimal(options.rate, 1) +
         ",\"connections\":" + std::to_string(options.connections) +
         ",\"concurrency\":" + std::to_string(options.concurrency) +
         ",\"request_bytes\":" + decimal(request_bytes, 1) +
         ",\"requests\":" + std::to_string(r.requests) + ",\"ok\":" + std::to_string(r.ok()) +
         ",\"errors\":{" + errors + "},\"echo_mismatches\":" + std::to_string(r.echo_mismatches) +
         ",\"rps\":" + decimal(r.rate(), 1) + ",\"p50_us\":" + decimal(micros(h.quantile(0.5)), 1) +
         ",\"p90_us\":" + decimal(micros(h.quantile(0.9)), 1) +
         ",\"p99_us\":" + decimal(micros(h.quantile(0.99)), 1) +
         ",\"max_us\":" + decimal(micros(h.max()), 1) +
         ",\"mean_us\":" + decimal(micros(h.mean()), 1) +
         ",\"duration_s\":" + decimal(r.duration_s, 3) + "}";
}

} // namespace tt::load
