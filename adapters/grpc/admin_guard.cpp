#include "adapters/grpc/admin_guard.hpp"

#include <algorithm>
#include <cctype>

#include "adapters/logs/log_context.hpp"

namespace tt::adapters::rpc {

namespace {

std::string_view header(const grpc::CallbackServerContext& ctx, const char* key) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(key);
  return it == md.end() ? std::string_view{}
                        : std::string_view(it->second.data(), it->second.size());
}

/// The token of an "authorization: Bearer <token>" header (scheme case-insensitive, RFC 6750);
/// empty when there is none.
std::string_view bearer_token(std::string_view value) {
  constexpr std::string_view scheme = "bearer ";
  if (value.size() <= scheme.size())
    return {};
  for (size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(value[i])) != scheme[i])
      return {};
  auto token = value.substr(scheme.size());
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  return token;
}

/// The peer's address, and with mutual TLS the identity its certificate names: what audit lines
/// call the caller besides a token's subject.
std::string peer_of(const grpc::CallbackServerContext& ctx) {
  auto out = ctx.peer();
  auto auth = ctx.auth_context();
  if (auth && auth->IsPeerAuthenticated())
    for (const auto& identity : auth->GetPeerIdentity())
      out += ", certificate " + std::string(identity.data(), identity.size());
  return out;
}

} // namespace

admin_guard::admin_guard(logs::throttled_log& refusals) : refusals_(&refusals) {}

admin_guard::admin_guard(auth::jwt_verifier verifier, std::string role,
                         logs::throttled_log& refusals)
    : verifier_(std::move(verifier)), role_(std::move(role)), refusals_(&refusals) {}

result<std::string> admin_guard::admit(const grpc::CallbackServerContext& ctx,
                                       std::string_view method, std::string_view trace_id) const {
  auto who = check(ctx);
  if (who)
    return who;
  const auto& refusal = who.error();
  auto peer = peer_of(ctx);
  logs::log_fields fields{
      {"who", "peer " + peer},
      {"what", std::string(method)},
      {"outcome", std::string("refused: ") + std::string(to_string(refusal.code))}};
  logs::log_scope scope{trace_id, &fields};
  refusals_->write("refused " + std::string(method) + " " + std::string(to_string(refusal.code)),
                   spdlog::level::warn,
                   "audit: refused " + std::string(method) + " from " + peer + ": " +
                       refusal.message);
  return who;
}

result<std::string> admin_guard::check(const grpc::CallbackServerContext& ctx) const {
  if (!verifier_)
    return "anonymous (" + peer_of(ctx) + ")";
  auto value = header(ctx, "authorization");
  if (value.empty())
    return fail(errc::unauthenticated,
                "operator calls need an 'authorization: Bearer <JWT>' header (auth.admin_role)",
                {{"authorization", "required", ""}});
  auto token = bearer_token(value);
  if (token.empty())
    return fail(errc::unauthenticated, "the authorization header is not 'Bearer <JWT>'",
                {{"authorization", "not a bearer token", ""}});
  auto claims = verifier_->verify(token, system_clock_source{}.now());
  if (!claims)
    return std::move(claims).error();
  if (std::find(claims->roles.begin(), claims->roles.end(), role_) == claims->roles.end())
    return fail(errc::forbidden,
                "the token of " + claims->subject.substr(0, 64) + " lacks the role " + role_,
                {{"authorization", "role " + role_ + " required", claims->subject.substr(0, 64)}});
  return claims->subject + " (" + peer_of(ctx) + ")";
}

} // namespace tt::adapters::rpc
