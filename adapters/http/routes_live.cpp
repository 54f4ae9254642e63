// Live updates: GET /ws/queue?token=, /ws/reservations, /ws/payments (WebSocket upgrades), each
// one gateway.v1.WebSocketService stream (websocket_bridge.hpp): subscribed to the actors
// directly where the node serves it, else the node's gRPC stream in process. The queue's waiting
// token names its entry, as GET /api/v1/queue/status does; the user of the reservation and
// payment streams is the token's, never a parameter.
#include "adapters/http/route_support.hpp"

#include <caf/send.hpp>
#include <google/protobuf/util/json_util.h>

#include "adapters/grpc/live_subscriptions.hpp"
#include "adapters/grpc/reservation_translation.hpp"
#include "proto/gateway/v1/websocket.pb.h"

namespace tt::adapters::http::routes {

namespace v1 = ::gateway::v1;

namespace {

constexpr const char* service = "/gateway.v1.WebSocketService/";

/// A stream message in proto3 JSON, field names as in the contract.
std::optional<std::string> json_of(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(m, &out, options).ok())
    return std::nullopt;
  return out;
}

/// A serialized stream message in proto3 JSON; nullopt when it does not parse.
template <class Message>
std::optional<std::string> as_json(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok())
    return std::nullopt;
  std::string bytes;
  for (const auto& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  Message m;
  if (!m.ParseFromString(bytes))
    return std::nullopt;
  return json_of(m);
}

/// A WebSocket as the sink of an actor subscription (live_subscriptions.hpp): each message as
/// its JSON text frame. Called from the subscriber actor's thread; the socket posts to its strand.
template <class Response>
class socket_sink {
 public:
  explicit socket_sink(std::shared_ptr<live_socket> socket) : socket_(std::move(socket)) {}

  bool push(const Response& msg) {
    auto text = json_of(msg);
    return text ? socket_->deliver(std::move(*text)) : true;
  }
  void ready() { socket_->live(); }
  void finish() { socket_->end(std::nullopt); }
  void fail(const failure& f) { socket_->end(error_of(f)); }
  const std::string& trace_id() const noexcept { return socket_->trace_id(); }

 private:
  std::shared_ptr<live_socket> socket_;
};

/// How a socket subscribed directly stops its subscriber: the room or hub, which monitors it,
/// then drops the subscription.
template <class Handle>
std::function<void()> unsubscribe(Handle subscriber) {
  return [subscriber] {
    caf::anon_send_exit(subscriber, caf::exit_reason::user_shutdown);
  };
}

/// `?name=a,b`: the ids a stream follows (none: every one of the user's).
template <class Ids>
void add_ids(const exchange& x, const char* name, Ids* ids) {
  auto list = x.query(name);
  size_t start = 0;
  while (start < list.size()) {
    auto comma = list.find(',', start);
    auto id = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!id.empty())
      ids->Add(std::move(id));
    start = comma == std::string::npos ? list.size() : comma + 1;
  }
}

template <class Request, class Response>
live_stream_spec spec_of(const char* method, const Request& req, size_t bound) {
  live_stream_spec spec;
  spec.method_path = std::string{service} + method;
  spec.request_bytes = req.SerializeAsString();
  spec.bound = bound;
  spec.to_json = as_json<Response>;
  return spec;
}

/// A reservation or payment stream of the token's user. Every change counts: kept in order up to
/// the bound, past it the socket closes. Subscribed to the node's user hub directly when the
/// gateway has it (a user stream is always served by the node it reaches).
template <class Update, class Response, class Request, class Ids>
std::optional<live_stream_spec>
user_stream(gateway& g, exchange& x, const char* method, Request& req, actors::stream_topic topic,
            const std::string& ids_field, const Ids& ids, size_t max_id_length) {
  req.set_user_id(x.user->user_id);
  req.set_session_id(x.query("session_id"));
  auto spec = spec_of<Request, Response>(method, req, g.settings().max_pending_updates);
  const auto* direct = g.direct();
  if (direct == nullptr)
    return spec;
  if (auto bad = rpc::check_user_request(req, ids_field, ids, max_id_length)) {
    x.fail(error_of(*bad));
    return std::nullopt;
  }
  actors::user_watch watch{user_id{req.user_id()},
                           session_id{req.session_id()},
                           topic,
                           std::vector<std::string>{ids.begin(), ids.end()},
                           {}};
  spec.subscribe = [direct, watch = std::move(watch)](std::shared_ptr<live_socket> socket) {
    return unsubscribe(rpc::subscribe_user_updates<Update, Response>(
        *direct->system, direct->hub, watch,
        std::make_shared<socket_sink<Response>>(std::move(socket))));
  };
  return spec;
}

} // namespace

std::optional<live_stream_spec> live_queue(gateway& g, exchange& x) {
  v1::StreamQueueUpdatesRequest req;
  req.set_waiting_token(x.query("token"));
  if (req.waiting_token().empty())
    req.set_waiting_token(x.query("waiting_token"));
  if (req.waiting_token().empty()) {
    x.fail(common::v1::ERROR_CODE_INVALID_ARGUMENT, "?token= is required");
    return std::nullopt;
  }
  req.set_event_id(x.query("event_id"));
  // A position is a full state: the newest replaces one not sent yet.
  auto spec = spec_of<v1::StreamQueueUpdatesRequest, v1::StreamQueueUpdatesResponse>(
      "StreamQueueUpdates", req, 0);
  spec.live_on = live_stream_spec::live_when::first_message;
  spec.rename = [](api_error& e) {
    if (e.code == common::v1::ERROR_CODE_NOT_FOUND)
      e.name = "TOKEN_NOT_FOUND";
  };
  const auto* direct = g.direct();
  if (direct == nullptr || !direct->queue)
    return spec;
  if (auto bad = rpc::check_queue_request(req)) {
    x.fail(error_of(*bad));
    return std::nullopt;
  }
  using sink = socket_sink<v1::StreamQueueUpdatesResponse>;
  spec.subscribe = [direct, req](std::shared_ptr<live_socket> socket) {
    return unsubscribe(rpc::subscribe_queue_updates(
        *direct->system, direct->region, waiting_token_id{req.waiting_token()}, req.event_id(),
        std::make_shared<sink>(std::move(socket))));
  };
  return spec;
}

std::optional<live_stream_spec> live_reservations(gateway& g, exchange& x) {
  v1::StreamReservationUpdatesRequest req;
  add_ids(x, "reservation_ids", req.mutable_reservation_ids());
  return user_stream<actors::reservation_update, v1::StreamReservationUpdatesResponse>(
      g, x, "StreamReservationUpdates", req, actors::stream_topic::reservations, "reservation_ids",
      req.reservation_ids(), rpc::max_reservation_id_length);
}

std::optional<live_stream_spec> live_payments(gateway& g, exchange& x) {
  v1::StreamPaymentUpdatesRequest req;
  add_ids(x, "payment_intent_ids", req.mutable_payment_intent_ids());
  return user_stream<actors::payment_update, v1::StreamPaymentUpdatesResponse>(
      g, x, "StreamPaymentUpdates", req, actors::stream_topic::payments, "payment_intent_ids",
      req.payment_intent_ids(), rpc::max_key_length);
}

} // namespace tt::adapters::http::routes
