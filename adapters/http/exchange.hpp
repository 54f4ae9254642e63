#pragma once
/// One HTTP request in flight through the gateway, shared by the route and the contract call
/// answering it: the request, what the gateway learned about it (trace id, verified caller,
/// idempotency key, path parameters, JSON body) and the one way to answer. It answers exactly
/// once; every answer carries X-Trace-Id and, for an allowed origin, the CORS headers.

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/http/http_errors.hpp"
#include "adapters/http/http_server.hpp"

namespace tt::adapters::http {

/// The user a verified token names: the only source of a user id.
struct caller {
  std::string user_id;
  std::string username;
  std::string role;
  /// Every role the token names (`roles` and `role`), as the node's admin calls read them.
  std::vector<std::string> roles;
};

class exchange {
 public:
  exchange(request req, std::string peer, responder respond, std::string trace_id,
           std::string allowed_origin);

  const request& req() const noexcept { return req_; }
  const std::string& peer() const noexcept { return peer_; }
  const std::string& trace_id() const noexcept { return trace_id_; }

  /// The query parameter `name`, percent-decoded; empty when absent.
  std::string query(std::string_view name) const;

  /// Answers through `respond` from now on: a connection being upgraded changes hands before its
  /// answer is known. Call before anything may answer.
  void answer_through(responder respond) { respond_ = std::move(respond); }

  void reply(unsigned status, const nlohmann::json& body);
  void fail(const api_error& e);
  void fail(common::v1::ErrorCode code, std::string message, std::string name = {});

  std::optional<caller> user;
  std::string idempotency_key;
  std::vector<std::string> params;
  nlohmann::json body = nlohmann::json::object();

 private:
  void send(unsigned status, std::string body);

  request req_;
  std::string peer_;
  responder respond_;
  std::string trace_id_;
  std::string allowed_origin_;
  std::atomic<bool> done_{false};
};

/// Percent-decoding of a path segment or query value ('+' is a space in a query); nullopt when
/// malformed.
std::optional<std::string> url_decode(std::string_view s, bool plus_is_space);

/// The CORS headers of an answer to `origin` (when it is allowed).
void add_cors_headers(response& res, const std::string& origin);

} // namespace tt::adapters::http
