#include "scenarios/load/flow_report.hpp"

#include <utility>
#include <vector>

#include "scenarios/load/report.hpp"

namespace tt::load {

namespace {

/// Every non-zero way measured flows failed, named as flow_json_report documents.
std::vector<std::pair<std::string, uint64_t>> failures(const flow_result& r) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (size_t s = 0; s < flow_step_count; ++s)
    for (size_t c = 0; c < status_code_count; ++c)
      if (r.failed_calls[s][c] > 0)
        out.emplace_back(std::string{flow_step_name(static_cast<flow_step>(s))} + ":" +
                             status_code_name(c),
                         r.failed_calls[s][c]);
  for (auto [name, n] :
       {std::pair{"not_admitted", r.not_admitted}, std::pair{"unconfirmed", r.unconfirmed},
        std::pair{"confirm_timeout", r.confirm_timeouts}})
    if (n > 0)
      out.emplace_back(name, n);
  return out;
}

std::string ms(uint64_t nanos) {
  return decimal(static_cast<double>(nanos) / 1e6, 3);
}
std::string us(uint64_t nanos) {
  return decimal(static_cast<double>(nanos) / 1e3, 1);
}

} // namespace

std::string flow_human_line(const flow_options& o, const flow_result& r) {
  std::string failed;
  for (const auto& [name, n] : failures(r))
    failed += std::string{failed.empty() ? " (" : ", "} + name + " " + std::to_string(n);
  if (!failed.empty())
    failed += ")";
  const auto& h = r.latency;
  return "flows @ " + o.target + " event " + o.event + ", " + std::to_string(o.users) +
         " users: " + std::to_string(r.confirmed) + " confirmed, " + std::to_string(r.failed()) +
         " failed" + failed + " in " + decimal(r.duration_s, 2) +
         " s = " + decimal(r.flows_per_second(), 1) + " flows/s, " + decimal(r.rpcs_per_flow(), 2) +
         " RPCs per flow; flow latency ms p50 " + ms(h.quantile(0.5)) + " p90 " +
         ms(h.quantile(0.9)) + " p99 " + ms(h.quantile(0.99)) + " max " + ms(h.max());
}

std::string flow_json_report(const flow_options& o, const flow_result& r) {
  std::string calls, p50, p99;
  for (size_t s = 0; s < flow_step_count; ++s) {
    auto key =
        std::string{s == 0 ? "" : ","} + "\"" + flow_step_name(static_cast<flow_step>(s)) + "\":";
    calls += key + std::to_string(r.calls[s]);
    p50 += key + us(r.call_latency[s].quantile(0.5));
    p99 += key + us(r.call_latency[s].quantile(0.99));
  }
  std::string failed;
  for (const auto& [name, n] : failures(r))
    failed += std::string{failed.empty() ? "" : ","} + "\"" + name + "\":" + std::to_string(n);
  const auto& h = r.latency;
  // Target and event come from the command line; ids and host names need no JSON escaping.
  return "{\"target\":\"" + o.target + "\",\"event\":\"" + o.event +
         "\",\"users\":" + std::to_string(o.users) +
         ",\"connections\":" + std::to_string(o.connections) +
         ",\"flows\":" + std::to_string(r.confirmed) + ",\"failed\":" + std::to_string(r.failed()) +
         ",\"flows_per_s\":" + decimal(r.flows_per_second(), 1) +
         ",\"rpcs_per_flow\":" + decimal(r.rpcs_per_flow(), 2) +
         ",\"p50_us\":" + us(h.quantile(0.5)) + ",\"p90_us\":" + us(h.quantile(0.9)) +
         ",\"p99_us\":" + us(h.quantile(0.99)) + ",\"max_us\":" + us(h.max()) +
         ",\"duration_s\":" + decimal(r.duration_s, 3) + ",\"calls\":{" + calls +
         "},\"call_p50_us\":{" + p50 + "},\"call_p99_us\":{" + p99 + "},\"failures\":{" + failed +
         "}}";
}

} // namespace tt::load
