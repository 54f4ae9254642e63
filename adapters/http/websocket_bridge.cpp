#include "adapters/http/websocket_bridge.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <grpcpp/support/client_callback.h>

#include "adapters/grpc/outgoing_buffer.hpp"

namespace tt::adapters::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;

namespace {

/// A client sends nothing but control frames; anything larger than this closes its socket.
constexpr size_t max_client_message = 4096;
/// How long the close handshake (and the opening one) may take.
constexpr std::chrono::seconds handshake_timeout{5};

/// One bridged socket, on its strand. Its source (the actors' subscriber, or a gRPC stream) calls
/// the live_socket side from its own threads, which only posts here. It lives while either side
/// still needs it: the source holds it until it ends, each socket operation holds a shared_ptr.
class bridge final : public std::enable_shared_from_this<bridge>, public live_socket {
 public:
  bridge(websocket_registry& registry, beast::tcp_stream&& socket, std::shared_ptr<exchange> x,
         live_stream_spec spec)
      : registry_(registry), ws_(std::move(socket)), x_(std::move(x)), trace_(x_->trace_id()),
        spec_(std::move(spec)) {
    if (spec_.bound > 0)
      pending_.bound(spec_.bound);
  }
  ~bridge() override {
    registry_.untrack(this);
    registry_.leave();
  }

  /// Subscribes to the spec's source; `stub` is the in-process gRPC one.
  void start(grpc::GenericStub& stub, std::chrono::milliseconds idle_timeout);

  // --- the source's side (any thread): post to the strand ---

  void live() override {
    on_strand([](bridge& b) { b.upgrade(); });
  }

  bool deliver(std::string text) override {
    on_strand([text = std::move(text)](bridge& b) mutable {
      b.queue(std::move(text));
      if (b.spec_.live_on == live_stream_spec::live_when::first_message && !b.upgrading_)
        b.upgrade();
    });
    return !done_.load(std::memory_order_relaxed);
  }

  void end(std::optional<api_error> error) override {
    on_strand([error = std::move(error)](bridge& b) mutable { b.stream_ended(std::move(error)); });
  }

  const std::string& trace_id() const noexcept override { return trace_; }

 private:
  template <class F>
  void on_strand(F f) {
    net::post(ws_.get_executor(),
              [self = shared_from_this(), f = std::move(f)]() mutable { f(*self); });
  }

  // --- the socket's half (the strand) ---

  /// The HTTP answer of a subscription refused before any upgrade; the connection then closes.
  void refuse(response res) {
    refusal_ = std::move(res);
    refusal_.keep_alive(false);
    auto& socket = ws_.next_layer();
    socket.expires_after(handshake_timeout);
    bhttp::async_write(socket, refusal_, [self = shared_from_this()](beast::error_code, size_t) {
      self->hard_close();
    });
  }

  void upgrade() {
    if (shutting_down_ || upgrading_)
      return;
    upgrading_ = true;
    ws_.set_option(websocket::stream_base::decorator([this](websocket::response_type& res) {
      res.set("X-Trace-Id", trace_);
      if (!spec_.subprotocol.empty())
        res.set(bhttp::field::sec_websocket_protocol, spec_.subprotocol);
    }));
    ws_.async_accept(x_->req(), [self = shared_from_this()](beast::error_code ec) {
      self->accepted_ = true;
      self->x_.reset(); // answered: its request and headers need not stay per open socket
      if (ec) {
        self->cancel_stream();
        return;
      }
      self->open_ = true;
      self->read_next();
      self->pump();
    });
  }

  /// Control frames are answered by the stream itself while a read is pending; data is ignored.
  void read_next() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->in_.clear();
      if (ec) {
        self->open_ = false; // closed by the client, timed out or failed: nothing more to send
        self->cancel_stream();
        return;
      }
      self->read_next();
    });
  }

  void queue(std::string text) {
    if (closing_)
      return;
    if (!pending_.add(std::move(text))) {
      fell_behind();
      return;
    }
    pump();
  }

  /// Writes the oldest pending message, or, once the stream ended and all was sent, closes.
  void pump() {
    if (!open_ || writing_)
      return;
    auto next = pending_.take();
    if (!next && final_) {
      next = std::move(final_);
      final_.reset();
    }
    if (next) {
      writing_ = true;
      out_ = std::move(*next);
      ws_.text(true);
      ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, size_t) {
        self->writing_ = false;
        if (ec) {
          self->open_ = false;
          self->cancel_stream();
          return;
        }
        self->pump();
      });
      return;
    }
    if (close_code_)
      close(*close_code_, close_reason_);
  }

  void stream_ended(std::optional<api_error> error) {
    if (!upgrading_ && !shutting_down_ && error) {
      // Never upgraded: the subscription was refused, an ordinary HTTP error.
      if (spec_.rename)
        spec_.rename(*error);
      done_ = true;
      x_->fail(*error);
      return;
    }
    if (shutting_down_)
      return;
    if (!error) {
      finish_with(websocket::close_code::normal, "stream ended");
    } else {
      final_ = error_body(*error, trace_);
      finish_with(websocket::close_code::internal_error, "stream failed");
    }
  }

  /// Closes with `code` once everything pending is sent.
  void finish_with(websocket::close_code code, const char* reason) {
    close_code_ = code;
    close_reason_ = reason;
    if (upgrading_ && !accepted_)
      return; // the accept's completion sends what is pending, then closes
    if (!open_) {
      hard_close();
      return;
    }
    pump();
  }

  /// A bounded queue overflowed: this reader is too slow to be kept; the others go on.
  void fell_behind() {
    pending_.clear();
    cancel_stream();
    hard_close();
  }

  void shut_down() {
    shutting_down_ = true;
    cancel_stream();
    pending_.clear();
    final_.reset();
    if (!open_) {
      hard_close();
      return;
    }
    close_code_ = websocket::close_code::going_away;
    close_reason_ = "node shutting down";
    pump();
  }

  void close(websocket::close_code code, const char* reason) {
    if (closing_)
      return;
    closing_ = true;
    done_ = true;
    ws_.async_close(websocket::close_reason{code, reason},
                    [self = shared_from_this()](beast::error_code) { self->open_ = false; });
  }

  void hard_close() {
    closing_ = true;
    done_ = true;
    open_ = false;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  /// Unsubscribes; the source then lets go of this socket.
  void cancel_stream() {
    done_ = true;
    if (auto cancel = std::move(cancel_)) {
      cancel_ = nullptr;
      cancel();
    }
  }

  websocket_registry& registry_;
  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<exchange> x_; // until the upgrade is answered
  const std::string trace_;
  live_stream_spec spec_;
  /// Unsubscribes from the source; set by start, used once on the strand.
  std::function<void()> cancel_;
  /// The socket takes no more messages (closed, closing or fell behind); read by the source.
  std::atomic<bool> done_{false};
  // On the strand only.
  rpc::outgoing_buffer<std::string> pending_;
  std::optional<std::string> final_; // the error frame after the last message
  std::string out_;                  // the frame being written
  response refusal_;
  beast::flat_buffer in_;
  bool open_ = false; // upgraded and not closed
  bool upgrading_ = false;
  bool accepted_ = false; // the accept completed (either way)
  bool writing_ = false;
  bool closing_ = false;
  bool shutting_down_ = false;
  std::optional<websocket::close_code> close_code_; // close with it once all is sent
  const char* close_reason_ = "";
};

/// A stream of the node's own gRPC server, in process: a bidi call that writes the one request
/// and half-closes (exactly a server-streaming call), then reads as fast as it delivers. Keeps
/// itself alive until gRPC's OnDone.
class grpc_source final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  /// Opens the stream; the returned function cancels it.
  static std::function<void()> open(grpc::GenericStub& stub, live_stream_spec& spec,
                                    std::shared_ptr<live_socket> socket) {
    auto s = std::shared_ptr<grpc_source>(new grpc_source(std::move(socket), spec));
    s->self_ = s;
    s->ctx_.AddMetadata("x-trace-id", s->socket_->trace_id());
    grpc::Slice slice(spec.request_bytes);
    s->request_ = grpc::ByteBuffer(&slice, 1);
    spec.request_bytes = std::string{}; // request_ has it; an open socket keeps no copy
    stub.PrepareBidiStreamingCall(&s->ctx_, spec.method_path, {}, s.get());
    s->StartWriteLast(&s->request_, {});
    s->StartRead(&s->incoming_);
    s->StartCall();
    return [weak = std::weak_ptr<grpc_source>(s)] {
      if (auto alive = weak.lock())
        alive->ctx_.TryCancel();
    };
  }

  void OnReadInitialMetadataDone(bool ok) override {
    if (ok && live_on_ == live_stream_spec::live_when::metadata)
      socket_->live();
  }

  void OnReadDone(bool ok) override {
    if (!ok)
      return; // OnDone follows with the stream's status
    if (auto text = to_json_(incoming_))
      socket_->deliver(std::move(*text));
    StartRead(&incoming_);
  }

  void OnDone(const grpc::Status& status) override {
    socket_->end(status.ok() ? std::nullopt : std::optional<api_error>{error_of(status)});
    self_.reset();
  }

 private:
  grpc_source(std::shared_ptr<live_socket> socket, const live_stream_spec& spec)
      : socket_(std::move(socket)), to_json_(spec.to_json), live_on_(spec.live_on) {}

  std::shared_ptr<live_socket> socket_;
  std::function<std::optional<std::string>(const grpc::ByteBuffer&)> to_json_;
  live_stream_spec::live_when live_on_;
  grpc::ClientContext ctx_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer incoming_;
  std::shared_ptr<grpc_source> self_; // until OnDone
};

void bridge::start(grpc::GenericStub& stub, std::chrono::milliseconds idle_timeout) {
  x_->answer_through([weak = weak_from_this()](response res) {
    if (auto b = weak.lock())
      b->on_strand([res = std::move(res)](bridge& self) mutable { self.refuse(std::move(res)); });
  });
  websocket::stream_base::timeout t;
  t.handshake_timeout = handshake_timeout;
  t.idle_timeout = idle_timeout;
  t.keep_alive_pings = true;
  ws_.set_option(t);
  ws_.read_message_max(max_client_message);
  auto self = shared_from_this();
  registry_.track(this, [weak = std::weak_ptr<bridge>(self)] {
    if (auto b = weak.lock())
      net::post(b->ws_.get_executor(), [b] { b->shut_down(); });
  });
  // Runs on the socket's strand (the upgrade handler's), so nothing the source posts can run
  // before cancel_ is set.
  if (spec_.subscribe) {
    cancel_ = spec_.subscribe(self);
    spec_.subscribe = nullptr; // it holds the request: an open socket keeps no copy
  } else {
    cancel_ = grpc_source::open(stub, spec_, self);
  }
}

} // namespace

bool websocket_registry::enter() {
  std::lock_guard lock{mutex_};
  if (closing_ || open_ >= max_)
    return false;
  ++open_;
  return true;
}

void websocket_registry::leave() {
  std::lock_guard lock{mutex_};
  if (--open_ == 0)
    empty_.notify_all();
}

size_t websocket_registry::open() const {
  std::lock_guard lock{mutex_};
  return open_;
}

void websocket_registry::track(void* key, std::function<void()> close) {
  std::lock_guard lock{mutex_};
  closers_.emplace(key, std::move(close));
}

void websocket_registry::untrack(void* key) {
  std::lock_guard lock{mutex_};
  closers_.erase(key);
}

void websocket_registry::close_all(std::chrono::milliseconds limit) {
  std::map<void*, std::function<void()>> closers;
  {
    std::lock_guard lock{mutex_};
    closing_ = true;
    closers = closers_;
  }
  for (auto& [key, close] : closers)
    close();
  std::unique_lock lock{mutex_};
  empty_.wait_for(lock, limit, [this] { return open_ == 0; });
}

void open_websocket_bridge(websocket_registry& registry, grpc::GenericStub& stub,
                           beast::tcp_stream&& socket, std::shared_ptr<exchange> x,
                           live_stream_spec spec, std::chrono::milliseconds idle_timeout) {
  auto b = std::make_shared<bridge>(registry, std::move(socket), std::move(x), std::move(spec));
  b->start(stub, idle_timeout);
}

responder answer_on(std::shared_ptr<beast::tcp_stream> socket) {
  return [socket](response res) {
    auto out = std::make_shared<response>(std::move(res));
    out->keep_alive(false);
    net::post(socket->get_executor(), [socket, out] {
      socket->expires_after(handshake_timeout);
      bhttp::async_write(*socket, *out, [socket, out](beast::error_code, size_t) {
        beast::error_code ignored;
        socket->socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
        socket->close();
      });
    });
  };
}

} // namespace tt::adapters::http
