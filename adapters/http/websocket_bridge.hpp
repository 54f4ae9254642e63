#pragma once
/// One WebSocket (/ws/queue, /ws/reservations, /ws/payments) bridged to one of
/// gateway.v1.WebSocketService's streams. Where the node serves the stream itself, the socket
/// subscribes to the actors directly (adapters/grpc/live_subscriptions.hpp: the admission actor
/// or the user hub, the same subscriber the gRPC stream uses), so an open socket costs no
/// in-process gRPC stream; where the stream may have to be relayed from another node (a queue
/// socket in a cluster), it opens the node's own gRPC stream in process (contract_client.hpp),
/// which the cluster's routing forwards. Each message goes to the socket as one text frame: the
/// contract's message in proto3 JSON (field names as in the proto).
///
/// The upgrade is answered only once the stream is live (live_stream_spec::live_on), so a
/// refused subscription (an unknown waiting token, a user stream the hub refuses) is an ordinary
/// HTTP error answer, never an open socket that closes at once. The stream is read as fast as it
/// delivers: what the socket has not sent yet waits in an outgoing_buffer with the stream's own
/// policy (latest state wins for the queue; a bounded queue for reservation and payment changes,
/// past which the socket is closed: the client re-reads and reconnects). So a slow reader costs
/// its own socket at most that bound and never holds up the stream's source or any other socket.
/// A stream that ends OK (the queue entry is ready or gone) closes the socket 1000 after what it
/// sent; one that fails after the upgrade sends {"error":{...}} and closes 1011. A client that
/// closes or vanishes (pings at half the idle timeout) cancels the stream.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/beast/core/tcp_stream.hpp>
#include <grpcpp/generic/generic_stub.h>

#include "adapters/http/exchange.hpp"

namespace tt::adapters::http {

/// The socket side of a bridged WebSocket, as its stream's source sees it. Thread-safe: every
/// call only posts to the socket's strand.
class live_socket {
 public:
  virtual ~live_socket() = default;
  /// The stream is live (a user stream: subscribed): answer the upgrade.
  virtual void live() = 0;
  /// One message as a text frame; false once the socket takes no more (closed, fell behind).
  virtual bool deliver(std::string text) = 0;
  /// The stream ended: OK (nullopt) closes 1000 after what is pending; an error before the
  /// upgrade is the HTTP answer, after it an error frame and a 1011 close.
  virtual void end(std::optional<api_error> error) = 0;
  virtual const std::string& trace_id() const noexcept = 0;
};

/// What one WebSocket route subscribes to.
struct live_stream_spec {
  /// The actors directly, when set: subscribes `socket` and returns how to unsubscribe (called
  /// on the socket's strand when it closes). Otherwise the gRPC stream below, in process.
  std::function<std::function<void()>(std::shared_ptr<live_socket> socket)> subscribe;
  /// "/gateway.v1.WebSocketService/StreamQueueUpdates"
  std::string method_path;
  std::string request_bytes;
  /// A stream message as the frame's text; nullopt when it does not parse.
  std::function<std::optional<std::string>(const grpc::ByteBuffer&)> to_json;
  /// 0: latest state wins; n: up to n messages kept in order, one more closes the socket.
  size_t bound = 0;
  /// Renames a refused subscription's error (the original gateway's names), when set.
  std::function<void(api_error&)> rename;
  /// The subprotocol the 101 names (one the client offered), or "".
  std::string subprotocol;
  /// What shows the stream is live: its first message (a queue stream sends the position at
  /// once), or its initial metadata (a user stream sends it once subscribed, and maybe no
  /// message for long). Through gRPC in process a refused stream also delivers (empty) initial
  /// metadata, so there only the first kind is refused as an HTTP error; subscribed directly,
  /// a user stream is live once the hub accepted it, and a refusal is an HTTP error too.
  enum class live_when : bool { first_message, metadata } live_on = live_when::metadata;
};

/// The open bridged sockets, for the cap on them and for closing them all at shutdown.
class websocket_registry {
 public:
  explicit websocket_registry(size_t max_sockets) : max_(max_sockets) {}

  /// Counts a new socket in; false when at the cap or closing.
  bool enter();
  void leave();
  size_t open() const;

  /// Every open socket is sent 1001 (going away) and its stream cancelled; new ones are refused.
  /// Waits (at most `limit`) until every socket is gone. Call while the I/O threads still run.
  void close_all(std::chrono::milliseconds limit);

  /// Each socket registers how to close it for shutdown, and unregisters when gone.
  void track(void* key, std::function<void()> close);
  void untrack(void* key);

 private:
  const size_t max_;
  mutable std::mutex mutex_;
  std::condition_variable empty_;
  size_t open_ = 0;                                // under mutex_
  bool closing_ = false;                           // under mutex_
  std::map<void*, std::function<void()>> closers_; // under mutex_
};

/// Subscribes to `spec` (directly, or through `stub`) and, once it is live, accepts `x`'s
/// upgrade on `socket`; a refused subscription is answered through `x` as an HTTP error. The
/// registry has already counted the socket in (enter), and outlives it.
void open_websocket_bridge(websocket_registry& registry, grpc::GenericStub& stub,
                           boost::beast::tcp_stream&& socket, std::shared_ptr<exchange> x,
                           live_stream_spec spec, std::chrono::milliseconds idle_timeout);

/// The responder of an exchange on a connection being upgraded, for an answer before any
/// upgrade (bad token, unknown route): writes it on `socket` and closes.
responder answer_on(std::shared_ptr<boost::beast::tcp_stream> socket);

} // namespace tt::adapters::http
