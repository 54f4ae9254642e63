// The waiting room: POST /api/v1/queue/join, GET /status, POST /enter, DELETE /leave, each one
// gateway.v1.QueueService call. Where the original gateway named its own errors (TOKEN_NOT_FOUND,
// TOKEN_EXPIRED, NOT_READY), the contract's are renamed to those, status unchanged.
#include "adapters/http/route_support.hpp"

#include <cctype>

#include "actors/common/hmac.hpp"
#include "proto/gateway/v1/queue.pb.h"

namespace tt::adapters::http::routes {

namespace v1 = ::gateway::v1;

namespace {

constexpr const char* service = "/gateway.v1.QueueService/";

/// The user a queue call is for: the token's, or for a caller without one a stable guest id
/// per client address (keyed, so the address cannot be read back from it). A guest can wait and
/// be admitted, but a hold needs a signed-in user whose id the admission was granted to.
std::string queue_user(const gateway& g, const exchange& x) {
  if (x.user)
    return x.user->user_id;
  return "guest-" + hmac_sha256_hex(g.settings().jwt_secret, "guest:" + x.peer()).substr(0, 24);
}

void token_not_found(api_error& e) {
  if (e.code == common::v1::ERROR_CODE_NOT_FOUND)
    e.name = "TOKEN_NOT_FOUND";
}

std::string status_word(v1::QueueStatus s) {
  auto word = enum_word(v1::QueueStatus_Name(s), "QUEUE_STATUS_");
  for (auto& c : word)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return word;
}

/// ?token= (the original's name), or ?waiting_token=; false (and answered 400) when neither.
bool token_param(exchange& x, std::string* token) {
  *token = x.query("token");
  if (token->empty())
    *token = x.query("waiting_token");
  if (!token->empty())
    return true;
  x.fail(common::v1::ERROR_CODE_INVALID_ARGUMENT, "?token= is required");
  return false;
}

} // namespace

void queue_join(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  v1::JoinQueueRequest req;
  req.set_event_id(f.text("event_id"));
  req.set_user_id(queue_user(g, *x));
  f.require("event_id", req.event_id());
  if (!f.check(*x))
    return;
  ask<v1::JoinQueueResponse>(g, x, std::string{service} + "JoinQueue", req,
                             [](exchange& ex, v1::JoinQueueResponse& r) {
                               ex.reply(202, {{"waiting_token", r.waiting_token()},
                                              {"position_hint", r.position_hint()},
                                              {"eta_sec", r.eta_seconds()},
                                              {"status", status_word(r.status())},
                                              {"expires_at", rfc3339(r.expires_at())}});
                             });
}

void queue_status(gateway& g, exchange_ptr x) {
  v1::GetQueueStatusRequest req;
  if (!token_param(*x, req.mutable_waiting_token()))
    return;
  ask<v1::GetQueueStatusResponse>(
      g, x, std::string{service} + "GetQueueStatus", req,
      [](exchange& ex, v1::GetQueueStatusResponse& r) {
        if (r.status() == v1::QUEUE_STATUS_EXPIRED || r.status() == v1::QUEUE_STATUS_LEFT) {
          ex.fail(common::v1::ERROR_CODE_NOT_FOUND,
                  "the waiting token is " + status_word(r.status()),
                  r.status() == v1::QUEUE_STATUS_EXPIRED ? "TOKEN_EXPIRED" : "TOKEN_NOT_FOUND");
          return;
        }
        ex.reply(200, {{"status", status_word(r.status())},
                       {"position", r.position()},
                       {"eta_sec", r.eta_seconds()},
                       {"ready_for_entry", r.admission_ready()},
                       {"expires_at", rfc3339(r.expires_at())}});
      },
      token_not_found);
}

void queue_enter(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  v1::RequestAdmissionRequest req;
  req.set_waiting_token(f.text("waiting_token"));
  req.set_event_id(f.text("event_id"));
  req.set_user_id(queue_user(g, *x));
  f.require("waiting_token", req.waiting_token());
  if (!f.check(*x))
    return;
  ask<v1::RequestAdmissionResponse>(
      g, x, std::string{service} + "RequestAdmission", req,
      [](exchange& ex, v1::RequestAdmissionResponse& r) {
        ex.reply(200, {{"admission", "granted"},
                       {"reservation_token", r.reservation_token()},
                       {"ttl_sec", r.ttl_seconds()},
                       {"valid_until", rfc3339(r.valid_until())}});
      },
      [](api_error& e) {
        token_not_found(e);
        // Not admitted yet (or its admission already used): the original's 403 NOT_READY.
        if (e.code == common::v1::ERROR_CODE_FAILED_PRECONDITION) {
          e.code = common::v1::ERROR_CODE_FORBIDDEN;
          e.name = "NOT_READY";
        }
      });
}

void queue_leave(gateway& g, exchange_ptr x) {
  v1::LeaveQueueRequest req;
  if (!token_param(*x, req.mutable_waiting_token()))
    return;
  ask<v1::LeaveQueueResponse>(
      g, x, std::string{service} + "LeaveQueue", req,
      [](exchange& ex, v1::LeaveQueueResponse& r) {
        ex.reply(200, {{"status", "left"}, {"left_at", rfc3339(r.left_at())}});
      },
      token_not_found);
}

} // namespace tt::adapters::http::routes
