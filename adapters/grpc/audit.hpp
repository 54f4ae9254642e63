#pragma once
/// Audit lines of operator calls: when the call completes, one info line "audit: ..." with the
/// fields who (the caller its call_guard admitted), what (the method), parameters, outcome and
/// the call's trace id, written before the client hears the answer, so GetLogs finds it (by the
/// trace id, by `audit`, by the operation's id) as soon as the call returned.

#include <map>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "adapters/grpc/unary_call.hpp"
#include "adapters/logs/log_context.hpp"

namespace tt::adapters::rpc {

/// `outcome(response)` describes a success. Call before the call is handed on.
template <class Request, class Response, class Outcome>
void audit(unary_call<Request, Response>& call, std::string parameters, Outcome outcome) {
  // Requests are audited before their shape is checked: an over-long one is cut here.
  constexpr size_t max_parameters = 1024;
  if (parameters.size() > max_parameters)
    parameters = parameters.substr(0, max_parameters) + "...";
  auto* c = &call; // the hook is the call's own: it runs inside the call's reply() or fail()
  call.on_done([c, parameters = std::move(parameters), outcome](const failure* f) {
    auto what = std::string(c->method());
    auto who = c->caller().empty() ? std::string{"unknown"} : c->caller();
    auto result = f == nullptr ? "done: " + outcome(c->response())
                               : "failed: " + std::string(to_string(f->code)) + ": " + f->message;
    logs::log_fields fields{
        {"who", who}, {"what", what}, {"parameters", parameters}, {"outcome", result}};
    logs::log_scope scope{c->trace_id(), &fields};
    spdlog::info("audit: {} by {} with {}: {}", what, who, parameters, result);
  });
}

/// "key=value, ..." of a request's parameters map, in key order.
template <class Map>
std::string parameters_text(const Map& map) {
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  std::string out;
  for (const auto& [key, value] : sorted)
    out += (out.empty() ? "" : ", ") + key + "=" + value;
  return out.empty() ? std::string{"none"} : "{" + out + "}";
}

} // namespace tt::adapters::rpc
