#pragma once
/// One WebSocket (/ws/queue, /ws/reservations, /ws/payments) bridged to one of the node's own
/// gateway.v1.WebSocketService server streams, called in process like every route
/// (contract_client.hpp). Each stream message goes to the socket as one text frame: the
/// contract's message in proto3 JSON (field names as in the proto).
///
/// The upgrade is answered only once the stream is live (live_stream_spec::live_on), so a
/// refused queue subscription (an unknown waiting token) is an ordinary HTTP error answer, never
/// an open socket that closes at once. The stream is read as fast as it delivers:
/// what the socket has not sent yet waits in an outgoing_buffer with the stream's own policy
/// (latest state wins for the queue; a bounded queue for reservation and payment changes, past
/// which the socket is closed 1008 "fell behind": the client re-reads and reconnects). So a slow
/// reader costs its own socket at most that bound and never holds up the stream's source or any
/// other socket. A stream that ends OK (the queue entry is ready or gone) closes the socket 1000
/// after what it sent; one that fails sends {"error":{...}} and closes 1011. A client that
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

/// What one WebSocket route subscribes to.
struct live_stream_spec {
  /// "/gateway.v1.WebSocketService/StreamQueueUpdates"
  std::string method_path;
  std::string request_bytes;
  /// 0: latest state wins; n: up to n messages kept in order, one more closes the socket.
  size_t bound = 0;
  /// A stream message as the frame's text; nullopt when it does not parse.
  std::function<std::optional<std::string>(const grpc::ByteBuffer&)> to_json;
  /// Renames a refused subscription's error (the original gateway's names), when set.
  std::function<void(api_error&)> rename;
  /// The subprotocol the 101 names (one the client offered), or "".
  std::string subprotocol;
  /// What shows the stream is live: its first message (a queue stream sends the position at
  /// once), or its initial metadata (a user stream sends it once subscribed, and maybe no
  /// message for long). In process, a refused stream also delivers (empty) initial metadata, so
  /// only the first kind is refused as an HTTP error; a user stream refused after its metadata
  /// is an error frame and a 1011 close.
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

/// Subscribes to `spec` through `stub` and, once it is live, accepts `x`'s upgrade on `socket`;
/// a refused subscription is answered through `x` as an HTTP error. The registry has already
/// counted the socket in (enter), and outlives it.
void open_websocket_bridge(websocket_registry& registry, grpc::GenericStub& stub,
                           boost::beast::tcp_stream&& socket, std::shared_ptr<exchange> x,
                           live_stream_spec spec, std::chrono::milliseconds idle_timeout);

/// The responder of an exchange on a connection being upgraded, for an answer before any
/// upgrade (bad token, unknown route): writes it on `socket` and closes.
responder answer_on(std::shared_ptr<boost::beast::tcp_stream> socket);

} // namespace tt::adapters::http
