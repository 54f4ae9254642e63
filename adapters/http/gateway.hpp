#pragma once
/// The HTTP/JSON gateway: the original REST API's routes (and what a storefront needs besides),
/// each translated into the contract calls its gRPC counterpart makes, on the node's own gRPC
/// server in process (contract_client.hpp). Before a route runs, the gateway resolves the trace
/// id (X-Trace-Id or traceparent, else minted), answers CORS preflights, verifies the Bearer token
/// (HS256, this node's key, iss/aud checked: the user id comes only from it), limits the rate per
/// user or IP, requires a UUID Idempotency-Key on writes and parses the JSON body. Users
/// (register/login) are the node's UserService calls, so in a cluster they reach the node that
/// keeps the user. What blocks (reading the catalog files) runs on a worker thread of its own,
/// never an I/O thread. Thread-safe: `handle` is
/// called from the server's I/O threads.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "actors/domain/catalog.hpp"
#include "actors/runtime/shard_region.hpp"
#include "actors/runtime/user_hub_actor.hpp"
#include "adapters/auth/jwt.hpp"
#include "adapters/http/contract_client.hpp"
#include "adapters/http/exchange.hpp"
#include "adapters/http/rate_limiter.hpp"
#include "adapters/http/websocket_bridge.hpp"
#include "proto/tt/internal/v1/users.pb.h"

namespace tt::adapters::http {

struct gateway_settings {
  /// Origins allowed to call from a browser ("https://shop.example"); "*" allows any.
  std::vector<std::string> cors_origins;
  /// Requests a second per user (or IP when anonymous), and the burst; 0: no limit.
  double rate_per_second = 20;
  double rate_burst = 40;
  /// Tokens issued at login: HS256 under `jwt_secret`, with these iss and aud.
  std::string jwt_secret;
  std::string issuer = "traffic-tacos";
  std::string audience = "traffic-tacos-api";
  std::chrono::seconds token_lifetime{24 * 3600};
  /// A WebSocket's reservation or payment changes not sent yet, at most (then it is closed); the
  /// node's streams.max_pending_updates.
  size_t max_pending_updates = 64;
  /// A WebSocket whose client answers no ping for this long is closed.
  std::chrono::milliseconds websocket_idle_timeout{60'000};
  /// The role an operator's token carries (auth.admin_role) for the console's routes; empty:
  /// any signed-in user, as the node's admin calls are then open to anyone.
  std::string operator_role;
  std::string service = "tacosd";
  std::string version;
  std::string node_id;
};

/// The actors a WebSocket subscribes to directly where the node serves its stream itself
/// (adapters/grpc/live_subscriptions.hpp), instead of through an in-process gRPC stream.
struct direct_streams {
  caf::actor_system* system = nullptr;
  actors::shard_region region;
  actors::user_hub_actor hub;
  /// Queue sockets too. False in a cluster: a waiting token's shard may be another node's, and
  /// the gRPC stream's routing relays it from there (or ends it when the shard moves away).
  bool queue = true;
};

/// A signed token for `user` under `s`, valid for s.token_lifetime from now.
std::string issue_token(const gateway_settings& s, const tt::internal::v1::UserRecord& user);

/// The event definitions GET /api/v1/events lists (the catalog the node loaded).
using catalog_source = std::function<std::vector<domain::event_definition>()>;

class gateway;

/// A route: the gateway has checked everything its flags ask for before it runs.
using route_handler = void (*)(gateway&, std::shared_ptr<exchange>);
/// A WebSocket route: the stream to bridge, or nullopt when it answered `x` with an error.
using live_route = std::optional<live_stream_spec> (*)(gateway&, exchange& x);

class gateway {
 public:
  /// `sockets` (outlives the gateway and every socket) counts and closes the WebSockets;
  /// `direct` (nullopt: every socket through gRPC in process) outlives them too.
  gateway(gateway_settings settings, contract_client client, catalog_source catalog,
          websocket_registry& sockets, std::optional<direct_streams> direct);
  gateway(const gateway&) = delete;
  gateway& operator=(const gateway&) = delete;
  /// Waits for the blocking work in progress.
  ~gateway();

  /// The http_server handler.
  void handle(request&& req, const std::string& peer, responder respond);
  /// The http_server upgrade handler: the WebSocket routes (/ws/...). The bearer token may come
  /// as the Authorization header, `?access_token=`, or a subprotocol `bearer.<token>` offered
  /// beside the one the client wants answered (browsers cannot set headers on a WebSocket).
  void handle_upgrade(request&& req, const std::string& peer, boost::beast::tcp_stream&& socket);

  const gateway_settings& settings() const noexcept { return settings_; }
  const contract_client& client() const noexcept { return client_; }
  /// The actors sockets subscribe to directly; null when they go through gRPC in process.
  const direct_streams* direct() const noexcept { return direct_ ? &*direct_ : nullptr; }
  /// The catalog, read again at most every `catalog_refresh`. Blocking (files): call it from
  /// off_io_thread only.
  std::shared_ptr<const std::vector<domain::event_definition>> events();
  /// Runs `job` on the gateway's thread for blocking work; false (and `job` dropped) when
  /// `max_waiting_jobs` already wait there: a flood of sign-ins must not queue without end.
  bool off_io_thread(std::function<void()> job);

  /// Jobs waiting for the blocking-work thread, at most.
  static constexpr size_t max_waiting_jobs = 64;
  static constexpr std::chrono::seconds catalog_refresh{5};

 private:
  std::optional<std::string> allowed_origin(const request& req) const;
  void preflight(request&& req, const std::string& origin, responder respond) const;
  /// Verifies the Bearer token if one came; false (and answered 401) when it is bad.
  bool authenticate(exchange& x) const;
  /// Verifies `token`; false (and answered 401) when it is bad.
  bool verify_token(exchange& x, std::string_view token) const;

  gateway_settings settings_;
  contract_client client_;
  catalog_source catalog_;
  websocket_registry& sockets_;
  std::optional<direct_streams> direct_;
  std::mutex catalog_mutex_;
  std::shared_ptr<const std::vector<domain::event_definition>> events_; // under catalog_mutex_
  std::chrono::steady_clock::time_point events_read_at_;                // under catalog_mutex_
  auth::jwt_verifier verifier_;
  rate_limiter limiter_;
  std::atomic<size_t> waiting_jobs_{0};
  boost::asio::thread_pool blocking_{1};
};

/// The routes of each area (routes_*.cpp), looked up by the gateway.
namespace routes {
void healthz(gateway&, std::shared_ptr<exchange>);
void readyz(gateway&, std::shared_ptr<exchange>);
void version(gateway&, std::shared_ptr<exchange>);
void register_user(gateway&, std::shared_ptr<exchange>);
void login(gateway&, std::shared_ptr<exchange>);
void queue_join(gateway&, std::shared_ptr<exchange>);
void queue_status(gateway&, std::shared_ptr<exchange>);
void queue_enter(gateway&, std::shared_ptr<exchange>);
void queue_leave(gateway&, std::shared_ptr<exchange>);
void reservation_create(gateway&, std::shared_ptr<exchange>);
void reservation_get(gateway&, std::shared_ptr<exchange>);
void reservation_list(gateway&, std::shared_ptr<exchange>);
void reservation_confirm(gateway&, std::shared_ptr<exchange>);
void reservation_cancel(gateway&, std::shared_ptr<exchange>);
void reservation_extend(gateway&, std::shared_ptr<exchange>);
void payment_intent(gateway&, std::shared_ptr<exchange>);
void payment_status(gateway&, std::shared_ptr<exchange>);
void payment_process(gateway&, std::shared_ptr<exchange>);
void events_list(gateway&, std::shared_ptr<exchange>);
void event_seats(gateway&, std::shared_ptr<exchange>);
void console_event(gateway&, std::shared_ptr<exchange>);
void console_emergency(gateway&, std::shared_ptr<exchange>);
std::optional<live_stream_spec> live_queue(gateway&, exchange&);
std::optional<live_stream_spec> live_reservations(gateway&, exchange&);
std::optional<live_stream_spec> live_payments(gateway&, exchange&);
} // namespace routes

} // namespace tt::adapters::http
