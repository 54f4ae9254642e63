#include "adapters/http/http_server.hpp"

#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "adapters/http/http_errors.hpp"

namespace tt::adapters::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

/// The few answers the server gives itself, before any handler sees the request (so no trace
/// id yet); the connection closes after them.
response plain_error(common::v1::ErrorCode code, const std::string& message,
                     std::optional<bhttp::status> status = std::nullopt) {
  response res{status.value_or(static_cast<bhttp::status>(http_status_of(code))), 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = error_body({code, message, {}}, "");
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

} // namespace

class http_server::session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, http_server& server) : stream_(std::move(socket)), server_(server) {
    ++server_.open_;
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? std::string{} : endpoint.address().to_string();
  }
  ~session() { --server_.open_; }

  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->await_request(); });
  }

  /// Answers at once and closes: the server is at its connection cap.
  void refuse() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->write(plain_error(common::v1::ERROR_CODE_UNAVAILABLE,
                              "too many open connections; retry later"));
    });
  }

 private:
  /// Idle wait: a kept-alive connection may sit silent for idle_timeout before its next request.
  void await_request() {
    if (buffer_.size() > 0) {
      read_request();
      return;
    }
    stream_.expires_after(server_.settings_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec)
                                return self->close();
                              self->buffer_.commit(n);
                              self->read_request();
                            });
  }

  /// Once a request has started, all of it must arrive within read_timeout.
  void read_request() {
    parser_.emplace();
    parser_->header_limit(server_.settings_.max_header_bytes);
    parser_->body_limit(server_.settings_.max_body_bytes);
    stream_.expires_after(server_.settings_.read_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    using common::v1::ERROR_CODE_INVALID_ARGUMENT;
    if (ec == bhttp::error::body_limit)
      return write(plain_error(ERROR_CODE_INVALID_ARGUMENT,
                               "the body is larger than the gateway accepts",
                               bhttp::status::payload_too_large));
    if (ec == bhttp::error::header_limit)
      return write(plain_error(ERROR_CODE_INVALID_ARGUMENT,
                               "the headers are larger than the gateway accepts",
                               bhttp::status::request_header_fields_too_large));
    if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted)
      return close();
    if (ec)
      return write(plain_error(ERROR_CODE_INVALID_ARGUMENT, "malformed HTTP request"));
    stream_.expires_never(); // the handler's own budget bounds the wait for its answer
    auto req = parser_->release();
    if (server_.on_upgrade_ && beast::websocket::is_upgrade(req)) {
      server_.on_upgrade_(std::move(req), peer_, std::move(stream_));
      return; // the connection is the upgrade handler's now; this session ends here
    }
    auto self = shared_from_this();
    server_.on_request_(std::move(req), peer_, [self](response res) {
      net::post(self->stream_.get_executor(),
                [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    });
  }

  void write(response res) {
    out_ = std::make_shared<response>(std::move(res));
    stream_.expires_after(server_.settings_.read_timeout);
    bhttp::async_write(stream_, *out_, [self = shared_from_this()](beast::error_code ec, size_t) {
      bool again = !ec && self->out_->keep_alive() && !self->server_.stopped_;
      self->out_.reset();
      if (again)
        self->await_request();
      else
        self->close();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  http_server& server_;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<response> out_;
};

http_server::http_server(server_settings settings, handler on_request, upgrade_handler on_upgrade)
    : settings_(std::move(settings)), on_request_(std::move(on_request)),
      on_upgrade_(std::move(on_upgrade)), acceptor_(io_) {}

void http_server::post(std::function<void()> job) {
  net::post(io_, std::move(job));
}

http_server::~http_server() {
  stop();
}

std::variant<int, std::string> http_server::start() {
  auto colon = settings_.listen.rfind(':');
  if (colon == std::string::npos)
    return "http.listen '" + settings_.listen + "' is not host:port";
  auto host = settings_.listen.substr(0, colon);
  auto port = settings_.listen.substr(colon + 1);
  beast::error_code ec;
  tcp::resolver resolver{io_};
  auto found = resolver.resolve(host, port, ec);
  if (ec || found.empty())
    return "cannot resolve " + settings_.listen + ": " + ec.message();
  tcp::endpoint endpoint = *found.begin();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor_.bind(endpoint, ec);
  if (!ec)
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return "cannot listen on " + settings_.listen + ": " + ec.message();
  int bound = acceptor_.local_endpoint().port();
  accept();
  for (size_t i = 0; i < std::max<size_t>(1, settings_.threads); ++i)
    threads_.emplace_back([this] { io_.run(); });
  return bound;
}

void http_server::accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || stopped_)
      return;
    if (!ec) {
      bool full = open_.load() >= settings_.max_connections;
      auto s = std::make_shared<session>(std::move(socket), *this);
      if (full)
        s->refuse();
      else
        s->run();
    } else {
      spdlog::warn("http: accept failed: {}", ec.message());
    }
    accept();
  });
}

void http_server::stop() {
  if (stopped_.exchange(true))
    return;
  io_.stop();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
  // No I/O thread runs now: the acceptor is ours to close (new connections are refused at once).
  beast::error_code ignored;
  acceptor_.close(ignored);
}

} // namespace tt::adapters::http
