#include "adapters/http/gateway.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "adapters/auth/jwt_signer.hpp"
#include "adapters/grpc/trace_id.hpp"
#include "adapters/http/web_assets.hpp"

namespace tt::adapters::http {

namespace bhttp = boost::beast::http;
using common::v1::ErrorCode;

namespace {

enum class auth_rule : uint8_t { none, optional, required, operator_role };
/// Writes carry an Idempotency-Key: the contract call's idempotency key.
enum class key_rule : uint8_t { none, required };

struct route {
  bhttp::verb method;
  std::string_view pattern; // segments; ":x" matches any one segment
  auth_rule auth;
  key_rule key;
  route_handler run;
};

constexpr auto anyone = auth_rule::none;
constexpr auto bearer_if_any = auth_rule::optional;
constexpr auto bearer = auth_rule::required;
constexpr auto operator_token = auth_rule::operator_role;
constexpr auto GET = bhttp::verb::get;
constexpr auto POST = bhttp::verb::post;
constexpr auto DELETE = bhttp::verb::delete_;
constexpr auto no_key = key_rule::none;
constexpr auto with_key = key_rule::required;

const std::vector<route>& route_table() {
  static const std::vector<route> table{
      {GET, "/healthz", anyone, no_key, routes::healthz},
      {GET, "/readyz", anyone, no_key, routes::readyz},
      {GET, "/version", anyone, no_key, routes::version},
      {POST, "/api/v1/auth/register", anyone, no_key, routes::register_user},
      {POST, "/api/v1/auth/login", anyone, no_key, routes::login},
      {POST, "/api/v1/queue/join", bearer_if_any, no_key, routes::queue_join},
      {GET, "/api/v1/queue/status", anyone, no_key, routes::queue_status},
      {POST, "/api/v1/queue/enter", bearer_if_any, no_key, routes::queue_enter},
      {DELETE, "/api/v1/queue/leave", anyone, no_key, routes::queue_leave},
      {POST, "/api/v1/reservations", bearer, with_key, routes::reservation_create},
      {GET, "/api/v1/reservations", bearer, no_key, routes::reservation_list},
      {GET, "/api/v1/reservations/:id", bearer, no_key, routes::reservation_get},
      {POST, "/api/v1/reservations/:id/confirm", bearer, with_key, routes::reservation_confirm},
      {POST, "/api/v1/reservations/:id/cancel", bearer, with_key, routes::reservation_cancel},
      {POST, "/api/v1/reservations/:id/extend", bearer, with_key, routes::reservation_extend},
      {POST, "/api/v1/payment/intent", bearer, with_key, routes::payment_intent},
      {POST, "/api/v1/payments/intent", bearer, with_key, routes::payment_intent},
      {GET, "/api/v1/payment/:id/status", bearer, no_key, routes::payment_status},
      {GET, "/api/v1/payments/:id/status", bearer, no_key, routes::payment_status},
      {POST, "/api/v1/payment/process", bearer, with_key, routes::payment_process},
      {POST, "/api/v1/payments/process", bearer, with_key, routes::payment_process},
      {GET, "/api/v1/events", anyone, no_key, routes::events_list},
      {GET, "/api/v1/events/:id/seats", anyone, no_key, routes::event_seats},
      {GET, "/api/v1/admin/events/:id", operator_token, no_key, routes::console_event},
      // A switch set twice stays set: no Idempotency-Key (the contract call has none either).
      {POST, "/api/v1/admin/emergency", operator_token, no_key, routes::console_emergency},
  };
  return table;
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return out;
}

/// The path parameters when `path` matches `pattern`.
std::optional<std::vector<std::string>> match(std::string_view pattern,
                                              const std::vector<std::string_view>& path) {
  auto want = segments(pattern);
  if (want.size() != path.size())
    return std::nullopt;
  std::vector<std::string> params;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!want[i].empty() && want[i].front() == ':') {
      auto decoded = url_decode(path[i], false);
      if (!decoded || decoded->empty())
        return std::nullopt;
      params.push_back(std::move(*decoded));
    } else if (want[i] != path[i]) {
      return std::nullopt;
    }
  }
  return params;
}

/// 8-4-4-4-12 hex digits, any version: what the original clients send.
bool is_uuid(std::string_view s) {
  if (s.size() != 36)
    return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = s[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex)
      return false;
  }
  return true;
}

struct socket_route {
  std::string_view path;
  auth_rule auth;
  live_route run;
};

const std::vector<socket_route>& socket_routes() {
  static const std::vector<socket_route> table{
      {"/ws/queue", anyone, routes::live_queue},
      {"/ws/reservations", bearer, routes::live_reservations},
      {"/ws/payments", bearer, routes::live_payments},
  };
  return table;
}

/// The subprotocols a WebSocket client offered, in its order.
std::vector<std::string> offered_subprotocols(const request& req) {
  std::vector<std::string> out;
  auto it = req.find(bhttp::field::sec_websocket_protocol);
  if (it == req.end())
    return out;
  std::string_view list{it->value().data(), it->value().size()};
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (!item.empty())
      out.emplace_back(item);
  }
  return out;
}

constexpr std::string_view bearer_subprotocol = "bearer.";

/// The pages may load and call this node only (and open its WebSockets), nothing inline.
constexpr const char* page_policy = "default-src 'self'; connect-src 'self' ws: wss:; "
                                    "img-src 'self' data:; frame-ancestors 'none'";

/// Answers a GET or HEAD of one of the storefront's files; false when `req` is not one.
bool serve_web_asset(const request& req, const responder& respond) {
  if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head)
    return false;
  std::string_view target{req.target().data(), req.target().size()};
  auto path = target.substr(0, target.find('?'));
  auto asset = find_web_asset(path);
  if (!asset)
    return false;
  response res{bhttp::status::ok, req.version()};
  res.set(bhttp::field::content_type, content_type_of(asset->path));
  res.set(bhttp::field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy", page_policy);
  res.keep_alive(req.keep_alive());
  res.body() = std::string{asset->bytes};
  res.prepare_payload();
  if (req.method() == bhttp::verb::head)
    res.body().clear();
  respond(std::move(res));
  return true;
}

std::string header(const request& req, std::string_view name) {
  auto it = req.find(boost::beast::string_view{name.data(), name.size()});
  return it == req.end() ? std::string{} : std::string{it->value()};
}

auth::jwt_verifier verifier_of(const gateway_settings& s) {
  auth::jwt_config cfg;
  cfg.hs256_secret = s.jwt_secret;
  cfg.issuer = s.issuer;
  cfg.audience = s.audience;
  auto v = auth::jwt_verifier::create(std::move(cfg));
  if (!v)
    throw std::invalid_argument("http gateway: " + v.error().message);
  return std::move(*v);
}

} // namespace

gateway::gateway(gateway_settings settings, contract_client client, catalog_source catalog,
                 websocket_registry& sockets, std::optional<direct_streams> direct)
    : settings_(std::move(settings)), client_(std::move(client)), catalog_(std::move(catalog)),
      sockets_(sockets), direct_(std::move(direct)), verifier_(verifier_of(settings_)),
      limiter_(settings_.rate_per_second, settings_.rate_burst) {}

gateway::~gateway() {
  blocking_.join();
}

bool gateway::off_io_thread(std::function<void()> job) {
  if (waiting_jobs_.fetch_add(1) >= max_waiting_jobs) {
    --waiting_jobs_;
    return false;
  }
  boost::asio::post(blocking_, [this, job = std::move(job)] {
    --waiting_jobs_;
    job();
  });
  return true;
}

std::shared_ptr<const std::vector<domain::event_definition>> gateway::events() {
  std::lock_guard lock{catalog_mutex_};
  auto now = std::chrono::steady_clock::now();
  if (!events_ || now - events_read_at_ >= catalog_refresh) {
    events_ = std::make_shared<const std::vector<domain::event_definition>>(catalog_());
    events_read_at_ = now;
  }
  return events_;
}

std::string issue_token(const gateway_settings& s, const tt::internal::v1::UserRecord& user) {
  auth::issued_claims c;
  c.subject = user.user_id();
  c.issuer = s.issuer;
  c.audience = s.audience;
  c.issued_at = system_clock_source{}.now();
  c.lifetime = s.token_lifetime;
  c.strings = {{"username", user.username()}, {"role", user.role()}};
  return auth::sign_hs256(s.jwt_secret, c);
}

std::optional<std::string> gateway::allowed_origin(const request& req) const {
  auto origin = header(req, "Origin");
  if (origin.empty())
    return std::nullopt;
  const auto& allowed = settings_.cors_origins;
  if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end() ||
      std::find(allowed.begin(), allowed.end(), origin) != allowed.end())
    return origin;
  return std::nullopt;
}

void gateway::preflight(request&& req, const std::string& origin, responder respond) const {
  response res{bhttp::status::no_content, req.version()};
  add_cors_headers(res, origin);
  res.set(bhttp::field::access_control_allow_methods, "GET, POST, DELETE, OPTIONS");
  res.set(bhttp::field::access_control_allow_headers,
          "Authorization, Content-Type, Idempotency-Key, X-Trace-Id, traceparent");
  res.set(bhttp::field::access_control_max_age, "600");
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  respond(std::move(res));
}

bool gateway::authenticate(exchange& x) const {
  auto value = header(x.req(), "Authorization");
  if (value.empty())
    return true;
  constexpr std::string_view scheme = "Bearer ";
  if (value.size() <= scheme.size() || value.compare(0, scheme.size(), scheme) != 0) {
    x.fail(ErrorCode::ERROR_CODE_UNAUTHENTICATED, "Authorization must be 'Bearer <token>'");
    return false;
  }
  return verify_token(x, std::string_view{value}.substr(scheme.size()));
}

bool gateway::verify_token(exchange& x, std::string_view token) const {
  auto claims = verifier_.verify(token, system_clock_source{}.now());
  if (!claims) {
    x.fail(ErrorCode::ERROR_CODE_UNAUTHENTICATED, claims.error().message);
    return false;
  }
  auto text = [&](const char* name) {
    auto it = claims->string_claims.find(name);
    return it == claims->string_claims.end() ? std::string{} : it->second;
  };
  x.user = caller{claims->subject, text("username"), text("role"), claims->roles};
  return true;
}

void gateway::handle_upgrade(request&& req, const std::string& peer,
                             boost::beast::tcp_stream&& socket) {
  auto origin = allowed_origin(req);
  auto trace = rpc::resolve_trace_id(header(req, "X-Trace-Id"), header(req, "traceparent"));
  std::string_view target{req.target().data(), req.target().size()};
  auto path = target.substr(0, target.find('?'));
  // A page of another origin may open a socket (browsers apply no CORS to it) with the
  // visitor's token: only the node's own pages and the configured origins may.
  auto page_origin = header(req, "Origin");
  bool origin_ok = page_origin.empty() || origin ||
                   page_origin == "http://" + header(req, "Host") ||
                   page_origin == "https://" + header(req, "Host");
  auto offered = offered_subprotocols(req);
  auto held = std::make_shared<boost::beast::tcp_stream>(std::move(socket));
  auto x = std::make_shared<exchange>(std::move(req), peer, answer_on(held), std::move(trace),
                                      origin.value_or(""));
  auto found = std::find_if(socket_routes().begin(), socket_routes().end(),
                            [&](const socket_route& r) { return r.path == path; });
  if (found == socket_routes().end()) {
    x->fail(ErrorCode::ERROR_CODE_NOT_FOUND, "no such route");
    return;
  }
  if (!origin_ok) {
    x->fail(ErrorCode::ERROR_CODE_FORBIDDEN, "this origin may not open a WebSocket here");
    return;
  }
  std::string token;
  std::string answered; // the subprotocol the 101 names: the first one that is not the token
  for (const auto& p : offered) {
    if (p.compare(0, bearer_subprotocol.size(), bearer_subprotocol) == 0)
      token = p.substr(bearer_subprotocol.size());
    else if (answered.empty())
      answered = p;
  }
  if (token.empty())
    token = x->query("access_token");
  if (!header(x->req(), "Authorization").empty()) {
    if (!authenticate(*x))
      return;
  } else if (!token.empty() && !verify_token(*x, token)) {
    return;
  }
  if (found->auth == auth_rule::required && !x->user) {
    x->fail(ErrorCode::ERROR_CODE_UNAUTHENTICATED,
            "this socket needs a token: ?access_token=, a 'bearer.<token>' subprotocol or "
            "'Authorization: Bearer'");
    return;
  }
  if (!limiter_.allow(x->user ? "u:" + x->user->user_id : "ip:" + x->peer(),
                      std::chrono::steady_clock::now())) {
    x->fail(ErrorCode::ERROR_CODE_RATE_LIMITED, "too many requests; slow down");
    return;
  }
  if (!sockets_.enter()) {
    x->fail(ErrorCode::ERROR_CODE_UNAVAILABLE, "too many open WebSockets; retry later");
    return;
  }
  auto spec = found->run(*this, *x);
  if (!spec) {
    sockets_.leave();
    return;
  }
  spec->subprotocol = answered;
  open_websocket_bridge(sockets_, client_.stub(), std::move(*held), std::move(x), std::move(*spec),
                        settings_.websocket_idle_timeout);
}

void gateway::handle(request&& req, const std::string& peer, responder respond) {
  auto origin = allowed_origin(req);
  if (req.method() == bhttp::verb::options && origin &&
      req.find(bhttp::field::access_control_request_method) != req.end()) {
    preflight(std::move(req), *origin, std::move(respond));
    return;
  }
  if (serve_web_asset(req, respond))
    return;
  auto trace = rpc::resolve_trace_id(header(req, "X-Trace-Id"), header(req, "traceparent"));
  std::string_view target{req.target().data(), req.target().size()};
  auto path = segments(target.substr(0, target.find('?')));
  auto x = std::make_shared<exchange>(std::move(req), peer, std::move(respond), std::move(trace),
                                      origin.value_or(""));
  const route* found = nullptr;
  bool path_known = false;
  for (const auto& r : route_table()) {
    auto params = match(r.pattern, path);
    if (!params)
      continue;
    path_known = true;
    if (r.method != x->req().method())
      continue;
    found = &r;
    x->params = std::move(*params);
    break;
  }
  if (found == nullptr) {
    x->fail(path_known ? ErrorCode::ERROR_CODE_INVALID_ARGUMENT : ErrorCode::ERROR_CODE_NOT_FOUND,
            path_known ? "method not allowed on this path" : "no such route",
            path_known ? "METHOD_NOT_ALLOWED" : "");
    return;
  }
  if (!authenticate(*x))
    return;
  bool needs_user = found->auth == auth_rule::required || found->auth == auth_rule::operator_role;
  if (needs_user && !x->user) {
    x->fail(ErrorCode::ERROR_CODE_UNAUTHENTICATED, "this route needs 'Authorization: Bearer'");
    return;
  }
  const auto& roles = x->user ? x->user->roles : std::vector<std::string>{};
  if (found->auth == auth_rule::operator_role && !settings_.operator_role.empty() &&
      std::find(roles.begin(), roles.end(), settings_.operator_role) == roles.end()) {
    x->fail(ErrorCode::ERROR_CODE_FORBIDDEN, "this route is for operators");
    return;
  }
  if (!limiter_.allow(x->user ? "u:" + x->user->user_id : "ip:" + x->peer(),
                      std::chrono::steady_clock::now())) {
    x->fail(ErrorCode::ERROR_CODE_RATE_LIMITED, "too many requests; slow down");
    return;
  }
  if (found->key == key_rule::required) {
    x->idempotency_key = header(x->req(), "Idempotency-Key");
    if (x->idempotency_key.empty()) {
      x->fail(ErrorCode::ERROR_CODE_IDEMPOTENCY_REQUIRED, "this write needs an Idempotency-Key");
      return;
    }
    if (!is_uuid(x->idempotency_key)) {
      x->fail(ErrorCode::ERROR_CODE_INVALID_ARGUMENT, "Idempotency-Key must be a UUID");
      return;
    }
  }
  if (x->req().method() == bhttp::verb::post && !x->req().body().empty()) {
    auto parsed = nlohmann::json::parse(x->req().body(), nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object()) {
      x->fail(ErrorCode::ERROR_CODE_INVALID_ARGUMENT, "the body must be a JSON object");
      return;
    }
    x->body = std::move(parsed);
  }
  found->run(*this, std::move(x));
}

} // namespace tt::adapters::http
