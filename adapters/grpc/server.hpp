#pragma once
/// The node's one gRPC server: every contract service and our UserService (each served from its
/// descriptor, see rpc_service), gRPC server reflection and the standard grpc.health.v1.Health
/// service, on one port, with an explicit maximum message size, in plaintext or TLS (optionally
/// verifying client certificates). Callback API: no thread blocks per call.

#include <chrono>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "adapters/grpc/rpc_service.hpp"

namespace tt::adapters::rpc {

/// Full names of the 9 contract services, in contract order.
const std::vector<std::string>& contract_service_names();
/// Our own services beside them (proto/tt/internal): the gateway's users (UserService).
const std::vector<std::string>& internal_service_names();

/// TLS of the listener (PEM contents, not paths); no certificate: plaintext.
struct tls_options {
  std::string certificate_chain;
  std::string private_key;
  /// When set, every client must present a certificate signed by one of these CAs.
  std::string client_ca;
};

struct server_options {
  std::string listen = "localhost:8080";
  tls_options tls;
  int max_message_bytes = 1 << 20;
  call_limits limits;
};

class server {
 public:
  /// One rpc_service per contract and internal service, nothing bound yet: adapters bind their
  /// RPCs before `start`.
  explicit server(server_options options);

  /// The service with this full name (one of contract_service_names() or
  /// internal_service_names()).
  rpc_service& service(const std::string& full_name);

  /// The in-process entry of a unary method ("/pkg.Service/Method"; rpc_service::local), or null
  /// when it must be called over gRPC. Ask once the server started (guards and router are set).
  const rpc_service::local_unary* local_call(std::string_view method_path) const;

  /// Routes every service's unary calls through `router` (not owned; outlives the server).
  void set_router(call_router* router);

  /// Measures every service's calls in `metrics` (not owned; outlives the server).
  void measure(metrics::rpc_metrics& metrics);

  /// Binds and starts serving. Returns the bound port, or the error text (address in use...).
  std::variant<int, std::string> start();

  /// A channel to this server inside the process (no socket): the HTTP gateway's way in, so its
  /// calls take the same path as a client's. Only after a successful `start`.
  std::shared_ptr<grpc::Channel> in_process_channel();

  /// Stops accepting calls (new ones get UNAVAILABLE), lets in-flight calls finish until `grace`
  /// runs out, then cancels the rest, and waits until every call has completed.
  void shutdown(std::chrono::milliseconds grace);

 private:
  server_options options_;
  std::vector<std::unique_ptr<rpc_service>> services_;
  std::unique_ptr<grpc::Server> server_;
};

} // namespace tt::adapters::rpc
