#include "actors/runtime/admission_actor.hpp"

#include <map>
#include <unordered_map>
#include <unordered_set>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/admission_actor_state.hpp"
#include "actors/runtime/errors.hpp"

namespace tt::actors {

namespace {

using namespace admission_detail;

/// How long the room waits for its event actor's answer to a gated hold.
constexpr auto hold_timeout = std::chrono::seconds{5};

/// How often an open stream renews its entry's heartbeat: far below any idle timeout, and it
/// keeps thousands of streams from writing an entry_seen on every tick.
constexpr auto stream_heartbeat_every = std::chrono::seconds{1};

/// Where `token` stands now; not_found once it left or expired.
result<entry_reply> position_reply(self_pointer self, const waiting_token_id& token) {
  auto now = now_of(self);
  auto position = self->state.room.position_of(token, now);
  if (!position)
    return std::move(position).error();
  return entry_reply{token, *position, now, self->state.maintenance};
}

caf::result<entry_reply> to_caf_result(result<entry_reply> reply) {
  if (!reply)
    return to_caf_error(reply.error());
  return std::move(*reply);
}

/// A join is answered once its entry is durable; one the store refused leaves the line again.
caf::result<entry_reply> join(self_pointer self, const join_request& req) {
  auto& st = self->state;
  auto token = mint_waiting_token(st.shard, req.event, st.ids.next(now_of(self)));
  auto events = run(self, domain::join_queue{token, req.user, req.session});
  if (!events)
    return to_caf_error(events.error());
  for (const auto& e : *events)
    if (const auto* again = std::get_if<domain::queue_rejoined>(&e))
      token = again->token; // the same (user, session) keeps its first token and place
  auto promise = self->make_response_promise<entry_reply>();
  store_then(self, *events, [self, promise, token](std::optional<failure> err) mutable {
    if (err) {
      run_quietly(self, domain::leave_queue{token});
      promise.deliver(to_caf_error(*err));
      return;
    }
    auto reply = position_reply(self, token); // it may have left or expired since
    if (reply)
      promise.deliver(std::move(*reply));
    else
      promise.deliver(to_caf_error(reply.error()));
  });
  return promise;
}

caf::result<entry_reply> on_entry(self_pointer self, const entry_request& req) {
  if (req.action == entry_action::leave) {
    auto events = run(self, domain::leave_queue{req.token});
    if (!events)
      return to_caf_error(events.error());
    return reply_when_stored(self, *events, entry_reply{req.token, {}, now_of(self)});
  }
  if (auto seen = run(self, domain::record_heartbeat{req.token}); !seen)
    return to_caf_error(seen.error());
  return to_caf_result(position_reply(self, req.token));
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
    st.watchers[req.subscriber.address()] = {req.token, req.subscriber, *position, st.maintenance,
                                             now};
  }
  return entry_reply{req.token, *position, now, st.maintenance};
}

bool same(const domain::queue_position& a, const domain::queue_position& b) {
  return a.status == b.status && a.position == b.position && a.eta_seconds == b.eta_seconds &&
         a.halt == b.halt;
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
    if (position && same(*position, w.last) && st.maintenance == w.last_maintenance &&
        w.notice == line_notice::none) {
      ++it;
      continue;
    }
    bool gone = !position;
    if (gone && st.room.released(w.token)) {
      w.notice = line_notice::released;
      w.notice_text = domain::why_released(st.room.event()).message;
    }
    self->send(w.subscriber, queue_changed{{w.token, gone ? domain::queue_position{} : *position,
                                            now, st.maintenance, w.notice, w.notice_text},
                                           gone});
    w.notice = line_notice::none;
    w.notice_text.clear();
    if (gone || position->status != domain::entry_status::waiting) {
      self->demonitor(w.subscriber.address());
      it = st.watchers.erase(it);
    } else {
      w.last = *position;
      w.last_maintenance = st.maintenance;
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
    return reply_when_stored(self, *events,
                             admission_reply{std::move(*token), grant->expires_at,
                                             std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 grant->expires_at - now_of(self))});
  }
  return to_caf_error(fail(errc::internal, "the waiting room granted nothing"));
}

/// After the event actor's answer: spend the token if the hold succeeded, and answer once the
/// spending is durable (so a restart cannot make the token usable again).
void settle(self_pointer self, const admission_nonce& nonce, const create_request& req,
            reservation_reply reply, timestamp valid_until,
            caf::typed_response_promise<reservation_reply> promise) {
  auto& st = self->state;
  st.in_flight.erase(nonce);
  remember_spent(
      self, nonce, req.scope.user,
      {req.scope.key, reply.reservation.id, now_of(self) + st.config->policy.max_hold_lifetime},
      valid_until);
  auto spent = run(self, domain::consume_admission{nonce, req.scope.user});
  if (!spent) { // the entry expired or left while the hold was decided: valid when it was used
    spdlog::warn("event {}: admission spent during its hold: {}", req.event(),
                 spent.error().message);
    promise.deliver(std::move(reply));
    return;
  }
  store_then(self, *spent,
             [self, promise, reply = std::move(reply)](std::optional<failure> err) mutable {
               // The hold is durable either way; only the token's single use is at risk.
               if (err)
                 spdlog::error("event {}: spent admission not stored: {}",
                               self->state.room.event()(), err->message);
               promise.deliver(std::move(reply));
             });
}

/// The hold an admission paid for is over: its slot among the active users is free again.
void on_hold_ended(self_pointer self, const reservation_ended& ended) {
  auto& st = self->state;
  auto it = st.admitted_holds.find(ended.reservation);
  if (it == st.admitted_holds.end())
    return; // a hold not made through this room (no waiting room at the time, or a bypass)
  run_quietly(self, domain::finish_admission{it->second});
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
    if (it->second.user == req.scope.user && it->second.hold.key == req.scope.key &&
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
            settle(self, nonce, req, std::move(reply), valid_until, promise);
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
    run_quietly(self, domain::finish_admission{nonce}); // harmless if reported already
    st.admitted_holds.erase(reservation);
    st.finishes.erase(st.finishes.begin());
  }
  for (auto it = st.spent.begin(); it != st.spent.end();) // past validity, a token fails anyway
    it = it->second.valid_until <= now ? st.spent.erase(it) : std::next(it);
  renew_watched(self, now);
  run_quietly(self, domain::tick{});
  notify_watchers(self, now);
  self->delayed_send(self, st.config->queue.tick_interval, tick_atom_v);
}

std::string_view to_string(domain::stock_level level) {
  switch (level) {
    case domain::stock_level::on_sale:
      return "on sale";
    case domain::stock_level::all_held:
      return "every seat held";
    case domain::stock_level::sold_out:
      return "sold out";
  }
  return "unknown";
}

/// The event's seats reached another level: everyone waiting hears it now, not at the next tick
/// (a sell-out must reach a crowd of thousands within a second).
void on_stock(self_pointer self, const stock_report& report) {
  auto changed = run(self, domain::report_stock{report.level});
  if (!changed || changed->empty())
    return;
  spdlog::info("event {}: {}, the line {}", self->state.room.event()(), to_string(report.level),
               report.level == domain::stock_level::on_sale ? "moves" : "is halted");
  notify_watchers(self, now_of(self));
}

/// STOP_ADMISSIONS and its undo are stored, then everyone waiting hears of them; maintenance
/// (node-wide, kept by the shard region) only changes what the line is told.
caf::result<admission_controlled> control(self_pointer self, const admission_control& c) {
  std::vector<domain::waiting_room_event> events;
  switch (c.action) {
    case admission_switch::stop:
      events = *run(self, domain::stop_admissions{});
      break;
    case admission_switch::resume:
      events = *run(self, domain::resume_admissions{});
      break;
    case admission_switch::maintenance_on:
    case admission_switch::maintenance_off:
      self->state.maintenance = c.action == admission_switch::maintenance_on;
      notify_watchers(self, now_of(self));
      return admission_controlled{1};
  }
  auto promise = self->make_response_promise<admission_controlled>();
  store_then(self, events, [self, promise](std::optional<failure> err) mutable {
    if (err) {
      promise.deliver(to_caf_error(*err));
      return;
    }
    notify_watchers(self, now_of(self));
    promise.deliver(admission_controlled{1});
  });
  return promise;
}

/// Everyone watching hears `text` once, on their next push, which is now.
void tell_line(self_pointer self, const std::string& text) {
  auto& st = self->state;
  spdlog::info("event {}: {}", st.room.event()(), text);
  for (auto& [addr, w] : st.watchers) {
    w.notice = line_notice::capacity_changed;
    w.notice_text = text;
  }
  notify_watchers(self, now_of(self));
}

/// DRAIN_QUEUE: decided like any command; a dry run stops there. Otherwise applied and stored,
/// then every stream hears it (released entries their last update, admitted ones their turn).
caf::result<queue_drained> drain(self_pointer self, const queue_drain& d) {
  auto& st = self->state;
  domain::waiting_room_command command = domain::reopen_line{};
  if (d.action != drain_action::reopen)
    command = domain::drain_line{d.action == drain_action::admit ? domain::drain_mode::admit
                                                                 : domain::drain_mode::release};
  auto events = domain::decide(st.room, command, now_of(self));
  if (!events)
    return to_caf_error(events.error());
  queue_drained out;
  for (const auto& e : *events) {
    if (const auto* advanced = std::get_if<domain::serving_advanced>(&e))
      out.admitted += advanced->count;
    else if (std::holds_alternative<domain::entry_removed>(e))
      ++out.released;
  }
  out.joins_closed = d.action != drain_action::reopen;
  if (d.dry_run)
    return out;
  for (const auto& e : *events)
    domain::apply(st.room, e);
  if (d.action == drain_action::reopen)
    spdlog::info("event {}: the line takes new joins again", st.room.event()());
  else
    spdlog::info("event {}: line drained: {} admitted, {} released, new joins closed",
                 st.room.event()(), out.admitted, out.released);
  auto promise = self->make_response_promise<queue_drained>();
  store_then(self, *events, [self, promise, out](std::optional<failure> err) mutable {
    if (err) {
      promise.deliver(to_caf_error(*err));
      return;
    }
    notify_watchers(self, now_of(self));
    promise.deliver(out);
  });
  return promise;
}

/// The event got a new definition and actor: the room stays, with the new numbers. A changed
/// inlet (UpdateConfig, or a new definition) is told to everyone waiting now.
void rebind(self_pointer self, const room_rebind& r) {
  auto& st = self->state;
  st.holds = caf::actor_cast<event_actor>(r.holds);
  auto notice = domain::capacity_notice(st.room.event(), st.room.policy(), r.policy);
  st.room.set_policy(r.policy);
  self->send(st.holds, listen_for_endings{self});
  if (notice)
    tell_line(self, *notice);
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
                                std::shared_ptr<const runtime_config> config, bool stopped,
                                std::shared_ptr<const recovered_room> stored) {
  return sys.spawn([=](self_pointer self) -> admission_actor::behavior_type {
    auto& st = self->state;
    st.room = domain::waiting_room_state{event, policy};
    st.holds = holds;
    st.config = config;
    st.store = config->durable_store();
    // The guard against answering what a crash could lose, or its negative control.
    st.answer_repeat =
        config->unsafe.answer_repeats_at_once ? answer_at_once : answer_after_pending;
    st.shard = shard_of(event, config->shard_count);
    st.ids = ulid_generator{std::hash<std::string>{}(event()) ^ fresh_seed()};
    if (stored)
      restore_room(self, *stored, policy);
    if (stopped && !st.room.stopped())
      run_quietly(self, domain::stop_admissions{});
    self->send(holds, listen_for_endings{self});
    self->set_down_handler([self](caf::down_msg& down) {
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
        [=](const queue_drain& d) { return drain(self, d); },
        [=](tick_atom) { on_tick(self); },
        [=](const reservation_ended& ended) { on_hold_ended(self, ended); },
        [=](const stock_report& report) { on_stock(self, report); },
        [=](const room_rebind& r) { rebind(self, r); },
        [=](const operator_notice& n) { tell_line(self, n.text); },
        [=](close_atom) { close_room(self); },
        [=](const persisted& p) { self->state.durable.complete(p); },
    };
  });
}

} // namespace tt::actors
