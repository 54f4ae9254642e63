#pragma once
/// The HTTP gateway as the node starts it: its routes and its listener, started together and
/// stopped in the one safe order (WebSockets closed 1001 and their streams cancelled, then the
/// listener, then contract calls still answering, then blocking work in progress). Start it after
/// the gRPC server (it calls that server in process) and stop it before that server: its stop waits
/// for the calls it made.

#include <memory>
#include <string>
#include <variant>

#include <grpcpp/channel.h>

#include "adapters/http/gateway.hpp"
#include "adapters/http/http_server.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::adapters::http {

struct http_gateway_options {
  server_settings server;
  gateway_settings gateway;
  /// How long a stop waits for contract calls in flight: the longest budget the server gives.
  std::chrono::milliseconds drain_limit{30'000};
  /// Open WebSockets at most (each holds one subscription to the node's actors or one stream).
  size_t max_websockets = 20'000;
  /// The actors sockets subscribe to directly (nullopt: every socket through gRPC in process).
  std::optional<direct_streams> direct;
};

class http_gateway {
 public:
  /// `node` is the node's gRPC server in process, `local` its methods called directly
  /// (contract_client.hpp); users too are its calls (UserService).
  static std::variant<std::unique_ptr<http_gateway>, std::string>
  start(http_gateway_options options, std::shared_ptr<grpc::Channel> node, local_calls local,
        catalog_source catalog);

  ~http_gateway();
  int port() const noexcept { return port_; }

 private:
  http_gateway() = default;
  // Declared first, destroyed after the server: a socket still queued in the server's I/O
  // context when it is destroyed counts itself out here.
  std::unique_ptr<websocket_registry> sockets_;
  // Destroyed last: answers still queued for its I/O context go with it.
  std::unique_ptr<http_server> server_;
  std::unique_ptr<gateway> gateway_;
  int port_ = 0;
  std::chrono::milliseconds drain_limit_{0};
};

} // namespace tt::adapters::http
