#include "adapters/http/exchange.hpp"

namespace tt::adapters::http {

namespace bhttp = boost::beast::http;

exchange::exchange(request req, std::string peer, responder respond, std::string trace_id,
                   std::string allowed_origin)
    : req_(std::move(req)), peer_(std::move(peer)), respond_(std::move(respond)),
      trace_id_(std::move(trace_id)), allowed_origin_(std::move(allowed_origin)) {}

std::string exchange::query(std::string_view name) const {
  std::string_view target{req_.target().data(), req_.target().size()};
  auto q = target.find('?');
  if (q == std::string_view::npos)
    return {};
  auto rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    auto eq = pair.find('=');
    auto key = url_decode(pair.substr(0, eq), true);
    if (key && *key == name)
      return eq == std::string_view::npos ? std::string{}
                                          : url_decode(pair.substr(eq + 1), true).value_or("");
  }
  return {};
}

void exchange::reply(unsigned status, const nlohmann::json& body) {
  send(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void exchange::fail(const api_error& e) {
  send(http_status_of(e.code), error_body(e, trace_id_));
}

void exchange::fail(common::v1::ErrorCode code, std::string message, std::string name) {
  fail(api_error{code, std::move(message), std::move(name)});
}

void exchange::send(unsigned status, std::string body) {
  if (done_.exchange(true))
    return;
  response res{static_cast<bhttp::status>(status), req_.version()};
  res.set(bhttp::field::content_type, "application/json");
  res.set(bhttp::field::cache_control, "no-store");
  res.set("X-Trace-Id", trace_id_);
  if (!allowed_origin_.empty())
    add_cors_headers(res, allowed_origin_);
  res.keep_alive(req_.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  respond_(std::move(res));
}

std::optional<std::string> url_decode(std::string_view s, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size())
        return std::nullopt;
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0)
        return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void add_cors_headers(response& res, const std::string& origin) {
  res.set(bhttp::field::access_control_allow_origin, origin);
  res.set(bhttp::field::vary, "Origin");
  res.set(bhttp::field::access_control_expose_headers, "X-Trace-Id");
}

} // namespace tt::adapters::http
