#include "adapters/grpc/websocket_service_adapter.hpp"

#include <algorithm>
#include <cstdlib>

#include <caf/all.hpp>

#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/reservation_translation.hpp"
#include "adapters/grpc/user_update_translation.hpp"

namespace tt::adapters::rpc {

namespace v1 = gateway::v1;

namespace {

/// How long the room or hub may take to accept a subscription (the stream has no deadline).
constexpr auto subscribe_timeout = std::chrono::seconds{5};

/// SendMessage's free text and its data map.
constexpr size_t max_title_length = 256;
constexpr size_t max_content_length = 4096;
constexpr size_t max_data_value_length = 1024;

/// What a SendMessage copy for the other nodes carries: the id and time the first node minted
/// (milliseconds since the epoch), so that every stream shows the same message.
constexpr const char* message_id_header = "x-tt-message-id";
constexpr const char* sent_at_header = "x-tt-message-sent-at";
constexpr const char* send_message_path = "/gateway.v1.WebSocketService/SendMessage";

/// Whether the entry an update reports still exists, or left the line (expired, left, removed).
enum class entry_presence : bool { present, gone };

/// What a queue stream last told its client about the line, so a change of it is named.
struct line_told {
  domain::line_halt halt = domain::line_halt::moving;
  bool maintenance = false;
};

/// The system notice an update carries while the event is sold out or the node in maintenance,
/// or when maintenance just ended; false when there is none. Every update says it again while it
/// lasts: the queue stream keeps only the latest unsent update, so a notice sent once could be
/// replaced by the next position before it is written.
bool system_notice(const actors::entry_reply& e, const line_told& before, const std::string& event,
                   v1::SystemUpdate& out) {
  out.set_event_id(event);
  if (e.position.halt == domain::line_halt::sold_out) {
    out.set_event_type(v1::SYSTEM_EVENT_TYPE_EVENT_SOLD_OUT);
    out.set_message(domain::why_halted(event_id{event}, e.position.halt).message);
    return true;
  }
  if (e.maintenance || before.maintenance) {
    out.set_event_type(v1::SYSTEM_EVENT_TYPE_MAINTENANCE_MODE);
    out.set_message(e.maintenance ? "the service is in maintenance: no new joins, and your place "
                                    "in line is kept"
                                  : "maintenance is over: the service takes joins again");
    return true;
  }
  return false;
}

/// The queue event a waiting entry's update names: paused while the line is halted, resumed on
/// the first update after a halt, otherwise a change of place.
v1::QueueEventType waiting_event(const actors::entry_reply& e, const line_told& before) {
  if (e.position.halt != domain::line_halt::moving)
    return v1::QUEUE_EVENT_TYPE_QUEUE_PAUSED;
  return before.halt != domain::line_halt::moving ? v1::QUEUE_EVENT_TYPE_QUEUE_RESUMED
                                                  : v1::QUEUE_EVENT_TYPE_POSITION_CHANGED;
}

/// Writes one update; true while more may follow. The stream ends (OK) after the update that
/// says the entry is ready or gone: the client's next step is RequestAdmission, or a new join.
bool push(server_stream<v1::StreamQueueUpdatesRequest, v1::StreamQueueUpdatesResponse>& stream,
          const actors::entry_reply& e, entry_presence presence, line_told& told,
          const std::string& event) {
  bool gone = presence == entry_presence::gone;
  bool ready = !gone && e.position.status != domain::entry_status::waiting;
  v1::StreamQueueUpdatesResponse out;
  out.set_type(v1::EVENT_TYPE_QUEUE_UPDATE);
  auto* u = out.mutable_queue_update();
  u->set_waiting_token(e.token());
  u->set_position(static_cast<int32_t>(std::min<uint64_t>(e.position.position, INT32_MAX)));
  u->set_eta_seconds(e.position.eta_seconds);
  u->set_admission_ready(ready);
  u->set_event_type(gone    ? v1::QUEUE_EVENT_TYPE_TOKEN_EXPIRED
                    : ready ? v1::QUEUE_EVENT_TYPE_ADMISSION_READY
                            : waiting_event(e, told));
  if (!gone) {
    set_timestamp(u->mutable_expires_at(), e.position.expires_at);
    if (system_notice(e, told, event, *out.mutable_system_update()))
      out.set_type(v1::EVENT_TYPE_SYSTEM_UPDATE);
    else
      out.clear_system_update();
    told = {e.position.halt, e.maintenance};
  }
  // The operator's one-off word (a capacity change, a drain's release) rides on this update;
  // a lasting notice above is said again by every later update anyway.
  if (e.notice != actors::line_notice::none) {
    auto* notice = out.mutable_system_update();
    notice->set_event_id(event);
    notice->set_event_type(v1::SYSTEM_EVENT_TYPE_CAPACITY_CHANGED);
    notice->set_message(e.notice_text);
    out.set_type(v1::EVENT_TYPE_SYSTEM_UPDATE);
  }
  set_timestamp(out.mutable_timestamp(), e.at);
  out.set_correlation_id(stream.trace_id());
  if (!stream.push(out))
    return false;
  if (!ready && !gone)
    return true;
  stream.finish();
  return false;
}

/// Serves one reservation or payment stream: a subscriber actor signs up with the hub, sends the
/// initial metadata once it is live (clients wait for it before acting), and pushes what the hub
/// sends in order. A push the stream refuses (closed, or the reader fell max_pending behind and
/// the stream ended RESOURCE_EXHAUSTED) stops the subscriber; the hub then forgets it.
template <class Update, class Request, class Response>
void serve_user_stream(caf::actor_system& sys,
                       std::shared_ptr<server_stream<Request, Response>> stream,
                       actors::user_hub_actor hub, actors::user_watch watch) {
  auto subscriber = sys.spawn([stream, hub, watch](actors::user_subscriber::pointer self) mutable
                              -> actors::user_subscriber::behavior_type {
    watch.subscriber = caf::actor_cast<actors::user_subscriber>(self);
    self->request(hub, subscribe_timeout, std::move(watch))
        .then([=](actors::user_watching&) { stream->ready(); },
              [=](caf::error& err) {
                stream->fail(from_caf_error(err));
                self->quit();
              });
    return {
        [=](actors::update_pushed& u) {
          const auto* update = std::get_if<Update>(&u.update);
          if (update == nullptr) // the hub sends a stream only its topic's updates
            return;
          Response out;
          to_proto(*update, out);
          out.set_correlation_id(stream->trace_id());
          if (!stream->push(out))
            self->quit();
        },
        [=](actors::message_pushed& m) {
          Response out;
          to_proto(m.message, out);
          bool took = stream->push(out);
          if (!took)
            self->quit();
          return took;
        },
    };
  });
  stream->on_close(
      [subscriber] { caf::anon_send_exit(subscriber, caf::exit_reason::user_shutdown); });
}

/// A reservation or payment stream's request, checked (user, session, the ids it follows), then
/// served with every change kept up to `max_pending` behind.
template <class Update, class Request, class Response, class Ids>
void open_user_stream(caf::actor_system& sys, const actors::user_hub_actor& hub, size_t max_pending,
                      std::shared_ptr<server_stream<Request, Response>> stream,
                      actors::stream_topic topic, const std::string& ids_field, const Ids& ids,
                      size_t max_id_length) {
  const auto& r = stream->request();
  if (auto bad = request_check{}
                     .required("user_id", r.user_id())
                     .optional("session_id", r.session_id(), domain::max_session_id_length)
                     .each(ids_field, ids, max_list_length, max_id_length)
                     .result()) {
    stream->fail(*bad);
    return;
  }
  stream->queue_up_to(max_pending);
  actors::user_watch watch{user_id{r.user_id()},
                           session_id{r.session_id()},
                           topic,
                           std::vector<std::string>{ids.begin(), ids.end()},
                           {}};
  serve_user_stream<Update>(sys, std::move(stream), hub, std::move(watch));
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
  // event_id and session_id are informational: the token alone names the entry and its event.
  if (auto bad = request_check{}
                     .required("waiting_token", r.waiting_token(), domain::max_waiting_token_length)
                     .optional("session_id", r.session_id(), domain::max_session_id_length)
                     .optional("event_id", r.event_id())
                     .result()) {
    stream->fail(*bad);
    return;
  }
  auto token = waiting_token_id{r.waiting_token()};
  auto route = route_of(token); // an unroutable token is refused by the region below
  auto event = route ? route->event() : r.event_id();
  auto subscriber = sys_.spawn(
      [stream, region = region_, token,
       event](actors::queue_subscriber::pointer self) -> actors::queue_subscriber::behavior_type {
        auto told = std::make_shared<line_told>();
        self->request(region, subscribe_timeout,
                      actors::queue_watch{token, caf::actor_cast<actors::queue_subscriber>(self)})
            .then(
                [=](actors::entry_reply& e) {
                  if (!push(*stream, e, entry_presence::present, *told, event))
                    self->quit();
                },
                [=](caf::error& err) {
                  stream->fail(from_caf_error(err));
                  self->quit();
                });
        return {
            [=](actors::queue_changed& c) {
              if (!push(*stream, c.entry, c.gone ? entry_presence::gone : entry_presence::present,
                        *told, event))
                self->quit();
            },
        };
      });
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
