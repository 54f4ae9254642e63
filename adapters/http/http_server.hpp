#pragma once
/// The HTTP/1.1 listener of the gateway: Boost.Beast over asio, a few I/O threads for every
/// connection (never one thread per connection), keep-alive, one request at a time per
/// connection. Limits: header and body sizes (a larger request gets 431/413 and the connection
/// closes), the time a request may take to arrive once it started (read timeout), the time a
/// kept-alive connection may sit idle, and the number of open connections (past it a new one gets
/// 503 and is closed).
///
/// The handler runs on an I/O thread and must not block: it answers through the responder, once,
/// from any thread (the write is posted back to the connection's strand). A WebSocket upgrade
/// request goes to the upgrade handler instead, with the connection itself (its executor is the
/// connection's strand): from then on the connection is the upgrade handler's, no longer counted
/// or timed here.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace tt::adapters::http {

using request = boost::beast::http::request<boost::beast::http::string_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;
using responder = std::function<void(response)>;

struct server_settings {
  /// host:port; port 0 picks a free one.
  std::string listen = "localhost:8000";
  size_t threads = 1;
  size_t max_connections = 10'000;
  uint32_t max_header_bytes = 8 * 1024;
  uint64_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
};

class http_server {
 public:
  /// `peer` is the client's IP address as text.
  using handler = std::function<void(request&&, const std::string& peer, responder)>;

  using upgrade_handler =
      std::function<void(request&&, const std::string& peer, boost::beast::tcp_stream&&)>;

  /// Without `on_upgrade`, an upgrade request is an ordinary request.
  http_server(server_settings settings, handler on_request, upgrade_handler on_upgrade = {});
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;
  ~http_server();

  /// Binds and starts the I/O threads: the bound port, or why not.
  std::variant<int, std::string> start();

  /// Runs `job` on an I/O thread (to close upgraded connections before `stop`).
  void post(std::function<void()> job);

  /// Stops accepting, closes every connection, joins the I/O threads. Responders called later
  /// are dropped. Idempotent.
  void stop();

  size_t open_connections() const noexcept { return open_.load(); }

 private:
  class session;
  void accept();

  server_settings settings_;
  handler on_request_;
  upgrade_handler on_upgrade_;
  // Declared before io_: sessions still queued in io_ when it is destroyed count themselves out.
  std::atomic<size_t> open_{0};
  std::atomic<bool> stopped_{false};
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
};

} // namespace tt::adapters::http
