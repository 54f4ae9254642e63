#include "adapters/http/http_gateway.hpp"

namespace tt::adapters::http {

namespace {

/// Closing handshakes at shutdown: a client that does not answer its close is cut off after it.
constexpr std::chrono::milliseconds websocket_drain{3000};

} // namespace

std::variant<std::unique_ptr<http_gateway>, std::string>
http_gateway::start(http_gateway_options options, std::shared_ptr<grpc::Channel> node,
                    local_calls local, catalog_source catalog) {
  std::unique_ptr<http_gateway> out{new http_gateway};
  out->sockets_ = std::make_unique<websocket_registry>(options.max_websockets);
  out->gateway_ = std::make_unique<gateway>(
      std::move(options.gateway), contract_client{std::move(node), std::move(local)},
      std::move(catalog), *out->sockets_, std::move(options.direct));
  auto* g = out->gateway_.get();
  out->server_ = std::make_unique<http_server>(
      std::move(options.server),
      [g](request&& req, const std::string& peer, responder respond) {
        g->handle(std::move(req), peer, std::move(respond));
      },
      [g](request&& req, const std::string& peer, boost::beast::tcp_stream&& socket) {
        g->handle_upgrade(std::move(req), peer, std::move(socket));
      });
  auto started = out->server_->start();
  if (auto* err = std::get_if<std::string>(&started))
    return "http: " + *err;
  out->port_ = std::get<int>(started);
  out->drain_limit_ = options.drain_limit;
  return out;
}

http_gateway::~http_gateway() {
  // While the I/O threads still run: the close handshakes need them.
  if (sockets_)
    sockets_->close_all(websocket_drain);
  if (server_)
    server_->stop();
  if (gateway_)
    gateway_->client().wait_idle(drain_limit_);
  gateway_.reset(); // waits for the blocking work in progress
}

} // namespace tt::adapters::http
