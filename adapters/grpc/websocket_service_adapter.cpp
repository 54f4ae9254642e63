#include "adapters/grpc/websocket_service_adapter.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/reservation_translation.hpp"

namespace tt::adapters::rpc {

namespace v1 = gateway::v1;

namespace {

/// How long the room may take to accept a subscription (the stream itself has no deadline).
constexpr auto subscribe_timeout = std::chrono::seconds{5};

/// Writes one update; true while more may follow. The stream ends (OK) after the update that
/// says the entry is ready or gone: the client's next step is RequestAdmission, or a new join.
bool push(server_stream<v1::StreamQueueUpdatesRequest, v1::StreamQueueUpdatesResponse>& stream,
          const actors::entry_reply& e, bool gone) {
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
                            : v1::QUEUE_EVENT_TYPE_POSITION_CHANGED);
  if (!gone)
    set_timestamp(u->mutable_expires_at(), e.position.expires_at);
  set_timestamp(out.mutable_timestamp(), e.at);
  out.set_correlation_id(stream.trace_id());
  if (!stream.push(out))
    return false;
  if (!ready && !gone)
    return true;
  stream.finish();
  return false;
}

} // namespace

websocket_service_adapter::websocket_service_adapter(rpc_service& service, caf::actor_system& sys,
                                                     actors::shard_region region)
    : sys_(sys), region_(std::move(region)) {
  service.bind_server_stream<v1::StreamQueueUpdatesRequest, v1::StreamQueueUpdatesResponse>(
      "StreamQueueUpdates", [this](auto stream) { stream_queue_updates(std::move(stream)); });
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
  auto subscriber = sys_.spawn(
      [stream, region = region_, token = waiting_token_id{r.waiting_token()}](
          actors::queue_subscriber::pointer self) -> actors::queue_subscriber::behavior_type {
        self->request(region, subscribe_timeout,
                      actors::queue_watch{token, caf::actor_cast<actors::queue_subscriber>(self)})
            .then(
                [=](actors::entry_reply& e) {
                  if (!push(*stream, e, false))
                    self->quit();
                },
                [=](caf::error& err) {
                  stream->fail(from_caf_error(err));
                  self->quit();
                });
        return {
            [=](actors::queue_changed& c) {
              if (!push(*stream, c.entry, c.gone))
                self->quit();
            },
        };
      });
  // A closed stream stops its subscriber; the room, which monitors it, drops the subscription.
  stream->on_close(
      [subscriber] { caf::anon_send_exit(subscriber, caf::exit_reason::user_shutdown); });
}

} // namespace tt::adapters::rpc
