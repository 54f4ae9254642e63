#include "actors/runtime/admission_actor.hpp"

#include <map>
#include <unordered_map>
#include <unordered_set>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/errors.hpp"

namespace tt::actors {

namespace {

/// How long the room waits for its event actor's answer to a gated hold.
constexpr auto hold_timeout = std::chrono::seconds{5};

/// How often an open stream renews its entry's heartbeat: far below any idle timeout, and it
/// keeps thousands of streams from writing an entry_seen on every tick.
constexpr auto stream_heartbeat_every = std::chrono::seconds{1};

/// One StreamQueueUpdates subscription: what its subscriber was last told, so only changes are
/// pushed.
struct watcher {
  waiting_token_id token;
  queue_subscriber subscriber;
  domain::queue_position last;
  timestamp seen_at; // the heartbeat last recorded on the stream's behalf
};

/// Who spent a reservation token, so an idempotent retry of that very CreateReservation gets
/// the stored reply instead of "already used".
struct spent_token {
  user_id user;
  idempotency_key key;
  timestamp valid_until;
};

struct admission_actor_state {
  static inline const char* name = "admission_actor";
  domain::waiting_room_state room{event_id{}};
  event_actor holds;
  std::shared_ptr<const runtime_config> config;
  ulid_generator ids{0};
  uint32_t shard = 0;
  /// Tokens whose hold is being decided by the event actor: a second use waits for nothing and
  /// is refused, so two concurrent calls cannot both spend one admission.
  std::unordered_set<admission_nonce> in_flight;
  std::unordered_map<admission_nonce, spent_token> spent;
  /// When a spent admission stops counting as active: the latest its hold can end
  /// (reservation.max_hold_lifetime after the hold), by then confirmed, cancelled or expired.
  /// The backstop only: normally the event actor reports the hold's end (reservation_ended) and
  /// the admission is finished then.
  std::multimap<timestamp, std::pair<admission_nonce, reservation_id>> finishes;
  /// The admission each gated hold came through, until the event actor reports its end.
  std::unordered_map<reservation_id, admission_nonce> admitted_holds;
  /// Open streams by subscriber, each monitored: a subscriber that is down is dropped.
  std::map<caf::actor_addr, watcher> watchers;
  size_t logged_watchers = 0;
};

using self_pointer = admission_actor::stateful_pointer<admission_actor_state>;

timestamp now_of(self_pointer self) {
  return self->state.config->time->now();
}

/// decide, then apply every event in place; the events, or the rejection.
result<std::vector<domain::waiting_room_event>> run(self_pointer self,
                                                    const domain::waiting_room_command& command) {
  auto events = decide(self->state.room, command, now_of(self));
  if (events)
    for (const auto& e : *events)
      domain::apply(self->state.room, e);
  return events;
}

caf::result<entry_reply> position_reply(self_pointer self, const waiting_token_id& token) {
  auto now = now_of(self);
  auto position = self->state.room.position_of(token, now);
  if (!position)
    return to_caf_error(position.error());
  return entry_reply{token, *position, now};
}

caf::result<entry_reply> join(self_pointer self, const join_request& req) {
  auto& st = self->state;
  auto token = mint_waiting_token(st.shard, req.event, st.ids.next(now_of(self)));
  auto events = run(self, domain::join_queue{token, req.user, req.session});
  if (!events)
    return to_caf_error(events.error());
  for (const auto& e : *events)
    if (const auto* again = std::get_if<domain::queue_rejoined>(&e))
      token = again->token; // the same (user, session) keeps its first token and place
  return position_reply(self, token);
}

caf::result<entry_reply> on_entry(self_pointer self, const entry_request& req) {
  if (req.action == entry_action::leave) {
    auto events = run(self, domain::leave_queue{req.token});
    if (!events)
      return to_caf_error(events.error());
    return entry_reply{req.token, {}, now_of(self)};
  }
  if (auto seen = run(self, domain::record_heartbeat{req.token}); !seen)
    return to_caf_error(seen.error());
  return position_reply(self, req.token);
}

/// Subscribes a stream to an entry that is still waiting; a ready entry's reply is all it gets.
caf::result<entry_reply> watch(self_pointer self, const queue_watch& req) {
  auto& st = self->state;
  if (auto seen = run(self, domain::record_heartbeat{req.token}); !seen)
    return to_caf_error(seen.error());
  auto now = now_of(self);
  auto position = st.room.position_of(req.token, now);
  if (!position)
    return to_caf_error(position.error());
  if (position->status == domain::entry_status::waiting && req.subscriber) {
    self->monitor(req.subscriber);
    st.watchers[req.subscriber.address()] = {req.token, req.subscriber, *position, now};
  }
  return entry_reply{req.token, *position, now};
}

bool same(const domain::queue_position& a, const domain::queue_position& b) {
  return a.status == b.status && a.position == b.position && a.eta_seconds == b.eta_seconds;
}

/// Streams are the heartbeat of their entries (before the tick expires idle ones).
void renew_watched(self_pointer self, timestamp now) {
  for (auto& [addr, w] : self->state.watchers)
    if (now - w.seen_at >= stream_heartbeat_every) {
      run(self, domain::record_heartbeat{w.token}); // a gone entry is reported by notify_watchers
      w.seen_at = now;
    }
}

/// Pushes every changed entry to its subscriber; a ready or gone entry's push is the last.
void notify_watchers(self_pointer self, timestamp now) {
  auto& st = self->state;
  for (auto it = st.watchers.begin(); it != st.watchers.end();) {
    auto& w = it->second;
    auto position = st.room.position_of(w.token, now);
    if (position && same(*position, w.last)) {
      ++it;
      continue;
    }
    bool gone = !position;
    self->send(w.subscriber,
               queue_changed{{w.token, gone ? domain::queue_position{} : *position, now}, gone});
    if (gone || position->status != domain::entry_status::waiting) {
      self->demonitor(w.subscriber.address());
      it = st.watchers.erase(it);
    } else {
      w.last = *position;
      ++it;
    }
  }
  if (st.watchers.size() != st.logged_watchers) {
    st.logged_watchers = st.watchers.size();
    spdlog::info("event {}: {} queue stream subscriber(s)", st.room.event()(), st.logged_watchers);
  }
}

caf::result<admission_reply> admit(self_pointer self, const admission_request& req) {
  auto& st = self->state;
  auto nonce = admission_nonce{st.ids.next(now_of(self))()};
  auto events = run(self, domain::request_admission{req.token, req.user, nonce});
  if (!events)
    return to_caf_error(events.error());
  for (const auto& e : *events) {
    const auto* grant = std::get_if<domain::admission_granted>(&e);
    if (const auto* again = std::get_if<domain::admission_reissued>(&e))
      grant = &again->grant;
    if (grant == nullptr)
      continue;
    auto token = sign_admission_token(st.config->queue.secret, st.room.claims_of(*grant));
    if (!token)
      return to_caf_error(token.error());
    return admission_reply{
        std::move(*token), grant->expires_at,
        std::chrono::duration_cast<std::chrono::milliseconds>(grant->expires_at - now_of(self))};
  }
  return to_caf_error(fail(errc::internal, "the waiting room granted nothing"));
}

/// After the event actor's answer: spend the token if the hold succeeded.
void settle(self_pointer self, const admission_nonce& nonce, const create_request& req,
            const reservation_reply& reply, timestamp valid_until) {
  auto& st = self->state;
  st.in_flight.erase(nonce);
  auto spent = run(self, domain::consume_admission{nonce, req.scope.user});
  if (!spent) // the entry expired or left while the hold was decided: the token was valid when used
    spdlog::warn("event {}: admission spent during its hold: {}", req.event(),
                 spent.error().message);
  st.spent[nonce] = {req.scope.user, req.scope.key, valid_until};
  st.finishes.emplace(now_of(self) + st.config->policy.max_hold_lifetime,
                      std::make_pair(nonce, reply.reservation.id));
  st.admitted_holds[reply.reservation.id] = nonce;
}

/// The hold an admission paid for is over: its slot among the active users is free again.
void on_hold_ended(self_pointer self, const reservation_ended& ended) {
  auto& st = self->state;
  auto it = st.admitted_holds.find(ended.reservation);
  if (it == st.admitted_holds.end())
    return; // a hold not made through this room (no waiting room at the time, or a bypass)
  run(self, domain::finish_admission{it->second});
  st.admitted_holds.erase(it);
}

caf::result<reservation_reply> gated_hold(self_pointer self, create_request req) {
  auto& st = self->state;
  if (req.reservation_token.empty())
    return to_caf_error(fail(errc::forbidden,
                             "this event has a waiting room: reservation_token is required "
                             "(QueueService/RequestAdmission)",
                             {{"reservation_token", "required", ""}}));
  auto claims = domain::verify_admission_token(st.config->queue.secret, req.reservation_token,
                                               req.event, req.scope.user, now_of(self));
  if (!claims)
    return to_caf_error(claims.error());
  auto nonce = claims->nonce;
  if (auto it = st.spent.find(nonce); it != st.spent.end()) {
    if (it->second.user == req.scope.user && it->second.key == req.scope.key &&
        !req.scope.key().empty())
      return self->delegate(st.holds, std::move(req)); // a retry: the stored reply
    return to_caf_error(fail(errc::forbidden, "reservation token already used"));
  }
  if (st.in_flight.count(nonce) != 0)
    return to_caf_error(fail(errc::forbidden, "reservation token is being used by another call"));
  // Checked now (right user, admitted, unused, unexpired); spent only once the hold succeeded.
  if (auto ok = decide(st.room, domain::consume_admission{nonce, req.scope.user}, now_of(self));
      !ok)
    return to_caf_error(ok.error());
  st.in_flight.insert(nonce);
  auto promise = self->make_response_promise<reservation_reply>();
  auto valid_until = claims->expires_at;
  self->request(st.holds, hold_timeout, req)
      .then(
          [=](reservation_reply& reply) mutable {
            settle(self, nonce, req, reply, valid_until);
            promise.deliver(std::move(reply));
          },
          [=](caf::error& err) mutable {
            self->state.in_flight.erase(nonce); // nothing held: the admission stays usable
            promise.deliver(std::move(err));
          });
  return promise;
}

void on_tick(self_pointer self) {
  auto& st = self->state;
  auto now = now_of(self);
  while (!st.finishes.empty() && st.finishes.begin()->first <= now) {
    const auto& [nonce, reservation] = st.finishes.begin()->second;
    run(self, domain::finish_admission{nonce}); // harmless if its end was reported already
    st.admitted_holds.erase(reservation);
    st.finishes.erase(st.finishes.begin());
  }
  for (auto it = st.spent.begin(); it != st.spent.end();) // past validity, a token fails anyway
    it = it->second.valid_until <= now ? st.spent.erase(it) : std::next(it);
  renew_watched(self, now);
  run(self, domain::tick{});
  notify_watchers(self, now);
  self->delayed_send(self, st.config->queue.tick_interval, tick_atom_v);
}

caf::result<admission_controlled> control(self_pointer self, const admission_control& c) {
  if (c.action == admission_switch::stop)
    run(self, domain::stop_admissions{});
  else if (c.action == admission_switch::resume)
    run(self, domain::resume_admissions{});
  else
    return to_caf_error(fail(errc::invalid_argument, "maintenance mode is node-wide"));
  return admission_controlled{1};
}

} // namespace

domain::waiting_room_policy policy_of(const domain::waiting_room_settings& settings,
                                      const domain::waiting_room_policy& defaults) {
  auto out = defaults;
  if (settings.admissions_per_second != 0)
    out.admissions_per_second = settings.admissions_per_second;
  if (settings.max_active != 0)
    out.max_active = settings.max_active;
  return out;
}

admission_actor spawn_admission(caf::actor_system& sys, event_id event,
                                domain::waiting_room_policy policy, event_actor holds,
                                std::shared_ptr<const runtime_config> config, bool stopped) {
  return sys.spawn([=](self_pointer self) -> admission_actor::behavior_type {
    auto& st = self->state;
    st.room = domain::waiting_room_state{event, policy};
    st.holds = holds;
    st.config = config;
    st.shard = shard_of(event, config->shard_count);
    st.ids = ulid_generator{std::hash<std::string>{}(event()) ^ fresh_seed()};
    if (stopped)
      run(self, domain::stop_admissions{});
    self->monitor(holds);
    self->send(holds, listen_for_endings{self});
    self->set_down_handler([self](caf::down_msg& down) {
      if (down.source == self->state.holds.address())
        self->quit();
      else
        self->state.watchers.erase(down.source); // a stream's subscriber: the stream closed
    });
    self->delayed_send(self, config->queue.tick_interval, tick_atom_v);
    return {
        [=](const join_request& req) { return join(self, req); },
        [=](const entry_request& req) { return on_entry(self, req); },
        [=](const queue_watch& req) { return watch(self, req); },
        [=](const admission_request& req) { return admit(self, req); },
        [=](create_request& req) { return gated_hold(self, std::move(req)); },
        [=](const queue_stats_query&) {
          return room_stats{self->state.room.event(), self->state.room.stats(now_of(self)),
                            self->state.room.policy().max_active};
        },
        [=](const admission_control& c) { return control(self, c); },
        [=](tick_atom) { on_tick(self); },
        [=](const reservation_ended& ended) { on_hold_ended(self, ended); },
    };
  });
}

} // namespace tt::actors
