// POST /api/v1/auth/register and /login: users of the gateway, and the tokens they carry.
// Both hash a password (Argon2id), so they run on the gateway's blocking-work thread.
#include "adapters/http/route_support.hpp"

#include "adapters/grpc/status_mapping.hpp"

namespace tt::adapters::http::routes {

namespace {

json session_json(const gateway_settings& s, const user_record& u) {
  return {{"token", issue_token(s, u)},
          {"user_id", u.user_id},
          {"username", u.username},
          {"display_name", u.display_name},
          {"role", u.role},
          {"expires_in", s.token_lifetime.count()}};
}

api_error api_error_of(const failure& f) {
  return {rpc::map_code(f.code).code, f.message, {}};
}

} // namespace

void register_user(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  new_user u{f.text("username"), f.text("password"), f.text("email"), f.text("display_name")};
  f.require("username", u.username);
  f.require("password", u.password);
  if (!f.check(*x))
    return;
  bool queued = g.off_io_thread([&g, x, u = std::move(u)]() mutable {
    // The store answers on its writer thread, possibly after the gateway stopped: the answer
    // needs nothing of the gateway's but its settings.
    g.users().add(std::move(u), system_clock_source{}.now(),
                  [settings = g.settings(), x](result<user_record> added) {
                    if (added) {
                      x->reply(201, session_json(settings, *added));
                      return;
                    }
                    auto e = api_error_of(added.error());
                    if (added.error().code == errc::already_exists)
                      e.name = "USERNAME_EXISTS";
                    x->fail(e);
                  });
  });
  if (!queued)
    answer_busy(*x);
}

void login(gateway& g, exchange_ptr x) {
  body_fields f{x->body};
  auto username = f.text("username");
  auto password = f.text("password");
  f.require("username", username);
  f.require("password", password);
  if (!f.check(*x))
    return;
  bool queued =
      g.off_io_thread([&g, x, username = std::move(username), password = std::move(password)] {
        auto user = g.users().authenticate(username, password);
        if (user) {
          x->reply(200, session_json(g.settings(), *user));
          return;
        }
        auto e = api_error_of(user.error());
        if (user.error().code == errc::unauthenticated)
          e.name = "INVALID_CREDENTIALS";
        x->fail(e);
      });
  if (!queued)
    answer_busy(*x);
}

} // namespace tt::adapters::http::routes
