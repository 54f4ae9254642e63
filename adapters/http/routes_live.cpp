// Live updates: GET /ws/queue?token=, /ws/reservations, /ws/payments (WebSocket upgrades), each
// one gateway.v1.WebSocketService server stream (websocket_bridge.hpp). The queue's waiting token
// names its entry, as GET /api/v1/queue/status does; the user of the reservation and payment
// streams is the token's, never a parameter.
#include "adapters/http/route_support.hpp"

#include <google/protobuf/util/json_util.h>

#include "proto/gateway/v1/websocket.pb.h"

namespace tt::adapters::http::routes {

namespace v1 = ::gateway::v1;

namespace {

constexpr const char* service = "/gateway.v1.WebSocketService/";

/// A stream message in proto3 JSON, field names as in the contract; nullopt when it does not
/// parse.
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
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(m, &out, options).ok())
    return std::nullopt;
  return out;
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
/// the bound, past it the socket closes.
template <class Response, class Request>
live_stream_spec user_stream(gateway& g, const exchange& x, const char* method, Request& req) {
  req.set_user_id(x.user->user_id);
  req.set_session_id(x.query("session_id"));
  return spec_of<Request, Response>(method, req, g.settings().max_pending_updates);
}

} // namespace

std::optional<live_stream_spec> live_queue(gateway&, exchange& x) {
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
  return spec;
}

std::optional<live_stream_spec> live_reservations(gateway& g, exchange& x) {
  v1::StreamReservationUpdatesRequest req;
  add_ids(x, "reservation_ids", req.mutable_reservation_ids());
  return user_stream<v1::StreamReservationUpdatesResponse>(g, x, "StreamReservationUpdates", req);
}

std::optional<live_stream_spec> live_payments(gateway& g, exchange& x) {
  v1::StreamPaymentUpdatesRequest req;
  add_ids(x, "payment_intent_ids", req.mutable_payment_intent_ids());
  return user_stream<v1::StreamPaymentUpdatesResponse>(g, x, "StreamPaymentUpdates", req);
}

} // namespace tt::adapters::http::routes
