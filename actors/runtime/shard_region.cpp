#include "actors/runtime/shard_region.hpp"

#include <algorithm>
#include <type_traits>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/runtime/durable_queue.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/event_actor.hpp"
#include "actors/runtime/event_records.hpp"
#include "actors/runtime/list_pages.hpp"
#include "actors/runtime/shard_region_state.hpp"

namespace tt::actors {

namespace {

using self_pointer = region_pointer;

failure unknown_event(const event_id& id) {
  return fail(errc::not_found, "no event '" + id().substr(0, 64) + "'",
              {{"event_id", "unknown event", id().substr(0, 64)}});
}

/// The owner of `id`, or the failure to answer with.
std::variant<event_actor, failure> owner_of(self_pointer self, const event_id& id) {
  auto it = self->state.events.find(id);
  if (it == self->state.events.end())
    return unknown_event(id);
  return it->second;
}

std::variant<event_actor, failure> owner_of(self_pointer self, const reservation_id& id) {
  auto route = route_of(id);
  if (!route)
    return route.error();
  auto owner = owner_of(self, route->event);
  if (std::holds_alternative<failure>(owner)) // the id is well-formed but names no event here
    return fail(errc::not_found, "no such reservation",
                {{"reservation_id", "not found", id().substr(0, 128)}});
  return owner;
}

std::variant<event_actor, failure> owner_of(self_pointer self, const payment_intent_id& id) {
  auto route = route_of(id);
  if (!route)
    return route.error();
  auto owner = owner_of(self, route->event);
  if (std::holds_alternative<failure>(owner))
    return fail(errc::not_found, "no such payment intent",
                {{"payment_intent_id", "not found", id().substr(0, 128)}});
  return owner;
}

/// Claims the write's (user, key) for `event` (domain::key_claims).
std::optional<failure> claim_key(self_pointer self, const write_scope& scope,
                                 const event_id& event) {
  auto& st = self->state;
  auto claimed = st.keys.claim(scope.user, scope.key, event, st.config->time->now(),
                               st.config->idempotency.ttl);
  if (!claimed)
    return claimed.error();
  return std::nullopt;
}

/// Forwards `msg` to the owner of `key`; the owner replies to the original caller.
template <class Reply, class Key, class Message>
caf::result<Reply> forward(self_pointer self, const Key& key, Message msg) {
  auto owner = owner_of(self, key);
  if (auto* err = std::get_if<failure>(&owner))
    return to_caf_error(*err);
  return self->delegate(std::get<event_actor>(owner), std::move(msg));
}

/// A client's verb on a reservation goes to the event its id names; a write first claims its
/// idempotency key for that event.
template <class Verb>
caf::result<reservation_reply> route_reservation(self_pointer self, Verb req) {
  auto route = route_of(req.id);
  auto stated = stated_event_of(req);
  if (route && !stated().empty() && route->event != stated)
    return to_caf_error(fail(errc::not_found,
                             "no such reservation in event " + stated().substr(0, 64),
                             {{"reservation_id", "not in this event", req.id().substr(0, 128)}}));
  if (const auto* scope = write_scope_of(req))
    if (route && self->state.events.count(route->event) != 0) {
      if (auto refused = domain::write_refusal(self->state.emergency, route->event))
        return to_caf_error(*refused);
      if (auto conflict = claim_key(self, *scope, route->event))
        return to_caf_error(*conflict);
    }
  auto key = req.id;
  return forward<reservation_reply>(self, key, std::move(req));
}

/// A verb on a payment intent goes to the event its id names. No key is claimed here (the
/// request names no user): the event actor runs a write once per key of the intent's owner.
template <class Verb>
caf::result<payment_reply> route_payment(self_pointer self, Verb req) {
  if constexpr (!std::is_same_v<Verb, payment_get>)
    if (auto route = route_of(req.id))
      if (auto refused = domain::write_refusal(self->state.emergency, route->event))
        return to_caf_error(*refused);
  auto key = req.id;
  return forward<payment_reply>(self, key, std::move(req));
}

/// The event actors a listing asks: the one of `event` if named, else every event of the node.
std::variant<std::vector<event_actor>, failure> list_targets(self_pointer self,
                                                             const event_id& event) {
  std::vector<event_actor> targets;
  if (!event().empty()) {
    auto owner = owner_of(self, event);
    if (auto* err = std::get_if<failure>(&owner))
      return *err;
    targets.push_back(std::get<event_actor>(owner));
  } else {
    for (const auto& [id, actor] : self->state.events)
      targets.push_back(actor);
  }
  return targets;
}

/// Asks every target for its part of the user's items (`q`), then pages them together.
template <class Answer, class Query>
caf::result<Answer> gather_page(self_pointer self, const Query& q, const std::string& cursor,
                                int32_t page_size, const event_id& event) {
  std::optional<list_position> after;
  if (!cursor.empty()) {
    auto parsed = parse_cursor(cursor);
    if (!parsed)
      return to_caf_error(parsed.error());
    after = *parsed;
  }
  if (auto ok = check_page_size(page_size, max_page_size); !ok)
    return to_caf_error(ok.error());
  auto found = list_targets(self, event);
  if (auto* err = std::get_if<failure>(&found))
    return to_caf_error(*err);
  auto targets = std::get<std::vector<event_actor>>(std::move(found));
  using item = typename decltype(Answer::items)::value_type;
  if (targets.empty())
    return page_of<Answer>(std::vector<item>{}, page_size, after);
  struct gather {
    std::vector<item> items;
    size_t pending = 0;
    bool failed = false;
  };
  auto g = std::make_shared<gather>();
  g->pending = targets.size();
  auto promise = self->make_response_promise<Answer>();
  for (const auto& target : targets)
    self->request(target, std::chrono::seconds{5}, q)
        .then(
            [=](Answer& part) mutable {
              g->items.insert(g->items.end(), part.items.begin(), part.items.end());
              if (--g->pending == 0 && !g->failed)
                promise.deliver(page_of<Answer>(std::move(g->items), page_size, after));
            },
            [=](caf::error& err) mutable {
              if (!g->failed) {
                g->failed = true;
                promise.deliver(err);
              }
            });
  return promise;
}

} // namespace

shard_region spawn_shard_region(caf::actor_system& sys,
                                std::shared_ptr<const runtime_config> config) {
  return sys.spawn([config](self_pointer self) -> shard_region::behavior_type {
    self->state.config = config;
    // The waiting rooms' guard, or its negative control.
    self->state.gate = config->unsafe.skip_admission_check ? no_gate : gate_of;
    restore_switches(self);
    self->delayed_send(self, config->sweep_interval, sweep_atom_v);
    return {
        [=](availability_query& q) {
          auto key = q.event;
          return forward<availability_answer>(self, key, std::move(q));
        },
        [=](status_query& q) {
          auto key = q.event;
          return forward<status_answer>(self, key, std::move(q));
        },
        [=](create_request& req) -> caf::result<reservation_reply> {
          auto key = req.event;
          if (auto refused = domain::write_refusal(self->state.emergency, key))
            return to_caf_error(*refused);
          if (self->state.events.count(key) != 0)
            if (auto conflict = claim_key(self, req.scope, key))
              return to_caf_error(*conflict);
          if (auto gate = self->state.gate(self, key))
            return self->delegate(gate, std::move(req));
          return forward<reservation_reply>(self, key, std::move(req));
        },
        [=](reservation_get& req) { return route_reservation(self, std::move(req)); },
        [=](reservation_confirm& req) { return route_reservation(self, std::move(req)); },
        [=](reservation_cancel& req) { return route_reservation(self, std::move(req)); },
        [=](reservation_extend& req) { return route_reservation(self, std::move(req)); },
        [=](reservation_release& req) { return route_reservation(self, std::move(req)); },
        [=](payment_create_request& req) -> caf::result<payment_reply> {
          auto route = route_of(req.reservation);
          if (route)
            if (auto refused = domain::write_refusal(self->state.emergency, route->event))
              return to_caf_error(*refused);
          if (route && self->state.events.count(route->event) != 0)
            if (auto conflict = claim_key(self, req.scope, route->event))
              return to_caf_error(*conflict);
          auto key = req.reservation;
          return forward<payment_reply>(self, key, std::move(req));
        },
        [=](payment_get& req) { return route_payment(self, std::move(req)); },
        [=](payment_process& req) { return route_payment(self, std::move(req)); },
        [=](payment_cancel& req) { return route_payment(self, std::move(req)); },
        [=](effect_request& req) -> caf::result<effect_reply> {
          if (!req.reservation().empty()) {
            auto key = req.reservation;
            return forward<effect_reply>(self, key, std::move(req));
          }
          auto key = req.payment;
          return forward<effect_reply>(self, key, std::move(req));
        },
        [=](sweep_atom) {
          self->state.keys.sweep(self->state.config->time->now());
          self->delayed_send(self, self->state.config->sweep_interval, sweep_atom_v);
        },
        [=](const list_query& q) {
          return gather_page<list_answer>(self, q, q.after, q.page_size, q.event);
        },
        [=](const payment_list_query& q) {
          // A named reservation narrows the listing to its event.
          event_id event;
          if (!q.reservation().empty()) {
            auto route = route_of(q.reservation);
            if (!route)
              return caf::result<payment_list_answer>{to_caf_error(route.error())};
            event = route->event;
          }
          return gather_page<payment_list_answer>(self, q, q.after, q.page_size, event);
        },
        [=](const define_event& d) { return define(self, d); },
        [=](const define_catalog& c) { return define_all(self, c); },
        [=](const release_shards& r) { return release(self, r); },
        [=](const persisted& p) { self->state.durable.complete(p); },
        [=](join_request& req) { return route_join(self, std::move(req)); },
        [=](entry_request& req) { return route_entry(self, std::move(req)); },
        [=](queue_watch& req) { return route_watch(self, std::move(req)); },
        [=](admission_request& req) { return route_admission(self, std::move(req)); },
        [=](const queue_stats_query& q) { return gather_stats(self, q); },
        [=](const admission_control& c) { return route_control(self, c); },
        [=](const breaker_control& c) { return switch_breaker(self, c); },
        [=](cancel_holds& c) { return route_cancel_holds(self, std::move(c)); },
        [=](const room_settings_update& u) { return change_room(self, u); },
        [=](queue_drain& d) { return route_drain(self, std::move(d)); },
        [=](const cache_clear& c) { return clear_caches(self, c); },
    };
  });
}

} // namespace tt::actors
