// POST /api/v1/auth/register and /login: users of the gateway, and the tokens they carry. Both
// are the node's UserService calls (proto/tt/internal/v1/users.proto), which hash the password
// off the gRPC threads and, in a cluster, run on the node that keeps the user.
#include "adapters/http/route_support.hpp"

namespace tt::adapters::http::routes {

namespace {

namespace pb = tt::internal::v1;

json session_json(const gateway_settings& s, const pb::UserRecord& u) {
  return {{"token", issue_token(s, u)}, {"user_id", u.user_id()},
          {"username", u.username()},   {"display_name", u.display_name()},
          {"role", u.role()},           {"expires_in", s.token_lifetime.count()}};
}

} // namespace

void register_user(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  pb::RegisterUserRequest r;
  r.set_username(f.text("username"));
  r.set_password(f.text("password"));
  r.set_email(f.text("email"));
  r.set_display_name(f.text("display_name"));
  f.require("username", r.username());
  f.require("password", r.password());
  if (!f.check(*x))
    return;
  ask<pb::RegisterUserResponse>(
      g, x, "/tt.internal.v1.UserService/RegisterUser", r,
      [settings = g.settings()](exchange& ex, pb::RegisterUserResponse& reply) {
        ex.reply(201, session_json(settings, reply.user()));
      },
      [](api_error& e) {
        if (e.code == common::v1::ERROR_CODE_ALREADY_EXISTS)
          e.name = "USERNAME_EXISTS";
      });
}

void login(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  pb::AuthenticateUserRequest r;
  r.set_username(f.text("username"));
  r.set_password(f.text("password"));
  f.require("username", r.username());
  f.require("password", r.password());
  if (!f.check(*x))
    return;
  ask<pb::AuthenticateUserResponse>(
      g, x, "/tt.internal.v1.UserService/AuthenticateUser", r,
      [settings = g.settings()](exchange& ex, pb::AuthenticateUserResponse& reply) {
        ex.reply(200, session_json(settings, reply.user()));
      },
      [](api_error& e) {
        if (e.code == common::v1::ERROR_CODE_UNAUTHENTICATED)
          e.name = "INVALID_CREDENTIALS";
      });
}

} // namespace tt::adapters::http::routes
