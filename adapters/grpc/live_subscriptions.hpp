#pragma once
/// The actor side of gateway.v1.WebSocketService's three streams, for any sink: the gRPC server
/// stream (websocket_service_adapter) and the HTTP gateway's WebSocket (adapters/http's
/// websocket_bridge), which subscribes here directly when the node serves the stream itself, so
/// a socket costs no in-process gRPC stream. Each open stream owns one subscriber actor: it signs
/// up with the shard region (a waiting token's admission actor) or the node's user hub, and
/// pushes what they send to its sink in order. The sink stopping the subscriber (an exit message)
/// is how a closed stream unsubscribes: the room or the hub monitors it and forgets it.
///
/// A sink is held by shared_ptr and offers, callable from actor threads:
///   bool push(const Response&)   false: it takes no more (closed or too far behind)
///   void ready()                 the subscription is live (user streams: the hub accepted it)
///   void finish()                the stream ends OK after what was pushed
///   void fail(const failure&)    the subscription was refused or failed
///   const std::string& trace_id() const

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/common/failure.hpp"
#include "actors/runtime/shard_region.hpp"
#include "actors/runtime/user_hub_actor.hpp"
#include "adapters/grpc/request_limits.hpp"
#include "adapters/grpc/status_mapping.hpp"
#include "adapters/grpc/user_update_translation.hpp"
#include "proto/gateway/v1/websocket.pb.h"

namespace tt::adapters::rpc {

/// How long the room or hub may take to accept a subscription (the stream has no deadline).
inline constexpr auto subscribe_timeout = std::chrono::seconds{5};

/// Whether the entry an update reports still exists, or left the line (expired, left, removed).
enum class entry_presence : bool { present, gone };

/// What a queue stream last told its client about the line, so a change of it is named.
struct line_told {
  domain::line_halt halt = domain::line_halt::moving;
  bool maintenance = false;
};

/// A StreamQueueUpdates request's shape; the refusal when it is wrong.
std::optional<failure> check_queue_request(const gateway::v1::StreamQueueUpdatesRequest& r);

/// One queue update into `out`; true while more may follow (false after the update that says
/// the entry is ready or gone: the client's next step is RequestAdmission, or a new join).
bool queue_update_of(const actors::entry_reply& e, entry_presence presence, line_told& told,
                     const std::string& event, const std::string& correlation_id,
                     gateway::v1::StreamQueueUpdatesResponse& out);

/// A reservation or payment stream's request (user, session, the ids it follows) checked.
template <class Request, class Ids>
std::optional<failure> check_user_request(const Request& r, const std::string& ids_field,
                                          const Ids& ids, size_t max_id_length) {
  return request_check{}
      .required("user_id", r.user_id())
      .optional("session_id", r.session_id(), domain::max_session_id_length)
      .each(ids_field, ids, max_list_length, max_id_length)
      .result();
}

/// Subscribes `sink` to the entry `token` names (checked with check_queue_request): the entry
/// now, then each change, latest state wins at the sink. The stream ends after the entry is
/// ready or gone. `stated_event` (the request's event_id) names the event only when the token
/// does not. Stop the returned actor to unsubscribe.
template <class Sink>
actors::queue_subscriber
subscribe_queue_updates(caf::actor_system& sys, const actors::shard_region& region,
                        const waiting_token_id& token, std::string stated_event,
                        std::shared_ptr<Sink> sink) {
  auto route = route_of(token); // an unroutable token is refused by the region below
  auto event = route ? route->event() : std::move(stated_event);
  return sys.spawn(
      [sink, region, token, event = std::move(event)](
          actors::queue_subscriber::pointer self) -> actors::queue_subscriber::behavior_type {
        auto told = std::make_shared<line_told>();
        // Pushes one update; false once the subscriber has nothing more to do.
        auto push = [sink, told, event](const actors::entry_reply& e, entry_presence presence) {
          gateway::v1::StreamQueueUpdatesResponse out;
          bool more = queue_update_of(e, presence, *told, event, sink->trace_id(), out);
          if (!sink->push(out))
            return false;
          if (!more)
            sink->finish();
          return more;
        };
        self->request(region, subscribe_timeout,
                      actors::queue_watch{token, caf::actor_cast<actors::queue_subscriber>(self)})
            .then(
                [=](actors::entry_reply& e) {
                  if (!push(e, entry_presence::present))
                    self->quit();
                },
                [=](caf::error& err) {
                  sink->fail(from_caf_error(err));
                  self->quit();
                });
        return {
            [=](actors::queue_changed& c) {
              if (!push(c.entry, c.gone ? entry_presence::gone : entry_presence::present))
                self->quit();
            },
        };
      });
}

/// Subscribes `sink` to `watch`'s user updates of type `Update` (reservation_update or
/// payment_update) and SendMessage's messages: ready() once the hub accepted it, then every
/// change in order. A push the sink refuses stops the subscriber. Stop the returned actor to
/// unsubscribe.
template <class Update, class Response, class Sink>
actors::user_subscriber
subscribe_user_updates(caf::actor_system& sys, const actors::user_hub_actor& hub,
                       actors::user_watch watch, std::shared_ptr<Sink> sink) {
  return sys.spawn(
      [sink, hub, watch = std::move(watch)](
          actors::user_subscriber::pointer self) mutable -> actors::user_subscriber::behavior_type {
        watch.subscriber = caf::actor_cast<actors::user_subscriber>(self);
        self->request(hub, subscribe_timeout, std::move(watch))
            .then([=](actors::user_watching&) { sink->ready(); },
                  [=](caf::error& err) {
                    sink->fail(from_caf_error(err));
                    self->quit();
                  });
        return {
            [=](actors::update_pushed& u) {
              const auto* update = std::get_if<Update>(&u.update);
              if (update == nullptr) // the hub sends a stream only its topic's updates
                return;
              Response out;
              to_proto(*update, out);
              out.set_correlation_id(sink->trace_id());
              if (!sink->push(out))
                self->quit();
            },
            [=](actors::message_pushed& m) {
              Response out;
              to_proto(m.message, out);
              bool took = sink->push(out);
              if (!took)
                self->quit();
              return took;
            },
        };
      });
}

} // namespace tt::adapters::rpc
