#include "adapters/grpc/websocket_service_adapter.hpp"

#include <algorithm>
#include <cstdlib>

#include <caf/all.hpp>

#include "adapters/grpc/live_subscriptions.hpp"
#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/reservation_translation.hpp"

namespace tt::adapters::rpc {

namespace v1 = gateway::v1;

namespace {

/// SendMessage's free text and its data map.
constexpr size_t max_title_length = 256;
constexpr size_t max_content_length = 4096;
constexpr size_t max_data_value_length = 1024;

/// What a SendMessage copy for the other nodes carries: the id and time the first node minted
/// (milliseconds since the epoch), so that every stream shows the same message.
constexpr const char* message_id_header = "x-tt-message-id";
constexpr const char* sent_at_header = "x-tt-message-sent-at";
constexpr const char* send_message_path = "/gateway.v1.WebSocketService/SendMessage";

/// A reservation or payment stream's request, checked (user, session, the ids it follows), then
/// served with every change kept up to `max_pending` behind. The subscriber sends the initial
/// metadata once the hub accepted it (clients wait for it before acting).
template <class Update, class Request, class Response, class Ids>
void open_user_stream(caf::actor_system& sys, const actors::user_hub_actor& hub, size_t max_pending,
                      std::shared_ptr<server_stream<Request, Response>> stream,
                      actors::stream_topic topic, const std::string& ids_field, const Ids& ids,
                      size_t max_id_length) {
  const auto& r = stream->request();
  if (auto bad = check_user_request(r, ids_field, ids, max_id_length)) {
    stream->fail(*bad);
    return;
  }
  stream->queue_up_to(max_pending);
  actors::user_watch watch{user_id{r.user_id()},
                           session_id{r.session_id()},
                           topic,
                           std::vector<std::string>{ids.begin(), ids.end()},
                           {}};
  auto subscriber = subscribe_user_updates<Update, Response>(sys, hub, std::move(watch), stream);
  // A push the stream refuses (closed, or the reader fell max_pending behind and the stream
  // ended RESOURCE_EXHAUSTED) stops the subscriber; so does the stream's close.
  stream->on_close(
      [subscriber] { caf::anon_send_exit(subscriber, caf::exit_reason::user_shutdown); });
}

} // namespace

websocket_service_adapter::websocket_service_adapter(rpc_service& service, caf::actor_system& sys,
                                                     call_bridge bridge,
                                                     actors::shard_region region,
                                                     actors::user_hub_actor hub,
                                                     size_t max_pending_updates, peer_fanout* peers)
    : sys_(sys), bridge_(std::move(bridge)), region_(std::move(region)), hub_(std::move(hub)),
      max_pending_updates_(max_pending_updates), peers_(peers) {
  service.bind_server_stream<v1::StreamQueueUpdatesRequest, v1::StreamQueueUpdatesResponse>(
      "StreamQueueUpdates", [this](auto stream) { stream_queue_updates(std::move(stream)); });
  service.bind_server_stream<v1::StreamReservationUpdatesRequest,
                             v1::StreamReservationUpdatesResponse>(
      "StreamReservationUpdates",
      [this](auto stream) { stream_reservation_updates(std::move(stream)); });
  service.bind_server_stream<v1::StreamPaymentUpdatesRequest, v1::StreamPaymentUpdatesResponse>(
      "StreamPaymentUpdates", [this](auto stream) { stream_payment_updates(std::move(stream)); });
  service.bind_unary<v1::SendMessageRequest, v1::SendMessageResponse>(
      "SendMessage", [this](auto call) { send_message(std::move(call)); });
}

void websocket_service_adapter::stream_queue_updates(std::shared_ptr<queue_stream> stream) {
  const auto& r = stream->request();
  if (auto bad = check_queue_request(r)) {
    stream->fail(*bad);
    return;
  }
  auto subscriber = subscribe_queue_updates(sys_, region_, waiting_token_id{r.waiting_token()},
                                            r.event_id(), stream);
  // A closed stream stops its subscriber; the room, which monitors it, drops the subscription.
  stream->on_close(
      [subscriber] { caf::anon_send_exit(subscriber, caf::exit_reason::user_shutdown); });
}

void websocket_service_adapter::stream_reservation_updates(
    std::shared_ptr<reservation_stream> stream) {
  const auto& ids = stream->request().reservation_ids();
  open_user_stream<actors::reservation_update>(sys_, hub_, max_pending_updates_, std::move(stream),
                                               actors::stream_topic::reservations,
                                               "reservation_ids", ids, max_reservation_id_length);
}

void websocket_service_adapter::stream_payment_updates(std::shared_ptr<payment_stream> stream) {
  const auto& ids = stream->request().payment_intent_ids();
  open_user_stream<actors::payment_update>(sys_, hub_, max_pending_updates_, std::move(stream),
                                           actors::stream_topic::payments, "payment_intent_ids",
                                           ids, max_key_length);
}

void websocket_service_adapter::send_message(std::shared_ptr<message_call> call) {
  const auto& r = call->request();
  if (auto bad =
          request_check{}
              .required("target_user_id", r.target_user_id())
              .optional("target_session_id", r.target_session_id(), domain::max_session_id_length)
              .range("message_type", r.message_type(), v1::MessageType_MIN, v1::MessageType_MAX)
              .range("priority", r.priority(), v1::MessagePriority_MIN, v1::MessagePriority_MAX)
              .optional("title", r.title(), max_title_length)
              .required("content", r.content(), max_content_length)
              .entries("data", r.data(), max_list_length, max_name_length, max_data_value_length)
              .result()) {
    call->fail(*bad);
    return;
  }
  actors::user_message m;
  m.type = r.message_type();
  m.priority = r.priority();
  m.title = r.title();
  m.content = r.content();
  m.data = {r.data().begin(), r.data().end()};
  // A copy from another node keeps that node's id and time; it is delivered here only.
  bool copy = !call->header(forwarded_header).empty();
  if (copy) {
    m.message_id = call->header(message_id_header);
    auto sent_ms = call->header(sent_at_header);
    m.sent_at = timestamp{std::chrono::milliseconds{std::strtoll(sent_ms.c_str(), nullptr, 10)}};
  }
  auto until = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::milliseconds>(call->timeout());
  actors::message_delivery msg{user_id{r.target_user_id()}, session_id{r.target_session_id()},
                               std::move(m)};
  bridge_.ask<actors::message_delivered>(
      call, hub_,
      [this, call, copy, until](message_call& c, const actors::message_delivered& d) {
        auto& resp = c.response();
        resp.set_delivered(d.streams > 0);
        resp.set_message_id(d.message_id);
        set_timestamp(resp.mutable_sent_at(), d.sent_at);
        if (copy || peers_ == nullptr) {
          c.reply();
          return;
        }
        send_to_peers(call, d, until);
      },
      std::move(msg));
}

void websocket_service_adapter::send_to_peers(std::shared_ptr<message_call> call,
                                              const actors::message_delivered& sent,
                                              std::chrono::steady_clock::time_point until) {
  grpc::ByteBuffer request;
  bool own_buffer = false;
  if (!grpc::SerializationTraits<v1::SendMessageRequest>::Serialize(call->request(), &request,
                                                                    &own_buffer)
           .ok()) {
    call->reply(); // cannot happen for a message that parsed; this node's delivery stands
    return;
  }
  auto budget = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                             until - std::chrono::steady_clock::now()),
                         std::chrono::milliseconds{1});
  peers_->to_every_peer(
      send_message_path, request,
      {{"x-trace-id", call->trace_id()},
       {message_id_header, sent.message_id},
       {sent_at_header, std::to_string(sent.sent_at.time_since_epoch().count())}},
      budget, [call](std::vector<peer_answer> answers) {
        for (auto& a : answers) {
          v1::SendMessageResponse theirs;
          if (a.status.ok() &&
              grpc::SerializationTraits<v1::SendMessageResponse>::Deserialize(&a.response, &theirs)
                  .ok() &&
              theirs.delivered())
            call->response().set_delivered(true);
        }
        call->reply();
      });
}

} // namespace tt::adapters::rpc
