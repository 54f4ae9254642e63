// The shard region's waiting-room half: rooms beside their events, queue requests routed by
// event id or by the event a waiting token carries, node-wide maintenance and STOP_ADMISSIONS.
#include <memory>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/room_records.hpp"
#include "actors/runtime/shard_region_state.hpp"

namespace tt::actors {

namespace {

/// How long a fan-out to every room waits for each.
constexpr auto room_timeout = std::chrono::seconds{5};

failure no_room(const event_id& event) {
  return fail(errc::not_found, "event '" + event().substr(0, 64) + "' has no waiting room",
              {{"event_id", "no waiting room", event().substr(0, 64)}});
}

std::variant<admission_actor, failure> room_of(region_pointer self, const event_id& event) {
  auto it = self->state.rooms.find(event);
  if (it == self->state.rooms.end())
    return no_room(event);
  return it->second;
}

/// The room a waiting token routes to; an unknown room means an unknown token.
std::variant<admission_actor, failure> room_of(region_pointer self, const waiting_token_id& token) {
  auto route = route_of(token);
  if (!route)
    return route.error();
  auto room = room_of(self, route->event);
  if (std::holds_alternative<failure>(room))
    return fail(errc::not_found, "no such waiting token",
                {{"waiting_token", "not found", token().substr(0, 128)}});
  return room;
}

template <class Reply, class Key, class Message>
caf::result<Reply> to_room(region_pointer self, const Key& key, Message msg) {
  auto room = room_of(self, key);
  if (auto* err = std::get_if<failure>(&room))
    return to_caf_error(*err);
  return self->delegate(std::get<admission_actor>(room), std::move(msg));
}

/// Sends `msg` to every room (or the one of `event`), combining the answers with `add`.
template <class Answer, class Part, class Message, class Add>
caf::result<Answer> fan_out(region_pointer self, const event_id& event, Message msg, Answer init,
                            Add add) {
  std::vector<admission_actor> targets;
  if (!event().empty()) {
    auto room = room_of(self, event);
    if (auto* err = std::get_if<failure>(&room))
      return to_caf_error(*err);
    targets.push_back(std::get<admission_actor>(room));
  } else {
    for (const auto& [id, room] : self->state.rooms)
      targets.push_back(room);
  }
  return gather_from<Answer, Part>(self, targets, room_timeout, std::move(msg), std::move(init),
                                   add);
}

} // namespace

void add_room(region_pointer self, const domain::event_definition& def, const event_actor& holds,
              std::shared_ptr<const recovered_room> stored) {
  auto& st = self->state;
  bool wanted = def.waiting_room && def.waiting_room->enabled;
  auto it = st.rooms.find(def.id);
  if (it != st.rooms.end()) {
    if (wanted) { // a replaced definition: the people in line keep their places
      self->send(it->second, room_rebind{caf::actor_cast<caf::actor>(holds),
                                         policy_of(*def.waiting_room, st.config->queue.defaults)});
      return;
    }
    self->send(it->second, close_atom_v); // it deletes its records, then stops
    st.rooms.erase(it);
    return;
  }
  if (!wanted) {
    if (stored) { // recovered for a definition that no longer has a waiting room
      std::vector<waiting_token_id> tokens;
      for (const auto& e : stored->entries)
        tokens.push_back(e.entry.token);
      st.durable.persist(self, st.config->durable_store(), room_deletion(def.id, tokens),
                         [id = def.id](std::optional<failure> err) {
                           if (err)
                             spdlog::error("event {}: stale waiting-room records stay: {}", id(),
                                           err->message);
                         });
    }
    return;
  }
  auto room = spawn_admission(self->system(), def.id,
                              policy_of(*def.waiting_room, st.config->queue.defaults), holds,
                              st.config, st.emergency.all_stopped, std::move(stored));
  self->link_to(room); // stopped with the region, like the event actors
  st.rooms[def.id] = room;
  // Maintenance may have been switched on before this room existed (kept over a restart).
  if (st.emergency.maintenance)
    caf::anon_send(room, admission_control{admission_switch::maintenance_on, def.id});
}

admission_actor gate_of(region_pointer self, const event_id& event) {
  auto it = self->state.rooms.find(event);
  return it == self->state.rooms.end() ? admission_actor{} : it->second;
}

caf::result<entry_reply> route_join(region_pointer self, join_request req) {
  if (auto refused = domain::join_refusal(self->state.emergency, req.event))
    return to_caf_error(*refused);
  auto key = req.event;
  return to_room<entry_reply>(self, key, std::move(req));
}

caf::result<entry_reply> route_entry(region_pointer self, entry_request req) {
  auto key = req.token;
  return to_room<entry_reply>(self, key, std::move(req));
}

caf::result<entry_reply> route_watch(region_pointer self, queue_watch req) {
  auto key = req.token;
  return to_room<entry_reply>(self, key, std::move(req));
}

caf::result<admission_reply> route_admission(region_pointer self, admission_request req) {
  auto route = route_of(req.token);
  if (route && !req.stated_event().empty() && route->event != req.stated_event)
    return to_caf_error(
        fail(errc::forbidden, "the waiting token was issued for another event",
             {{"event_id", "not the token's event", req.stated_event().substr(0, 64)}}));
  auto key = req.token;
  return to_room<admission_reply>(self, key, std::move(req));
}

caf::result<queue_stats_answer> gather_stats(region_pointer self, const queue_stats_query& q) {
  queue_stats_answer init;
  init.as_of = self->state.config->time->now();
  return fan_out<queue_stats_answer, room_stats>(
      self, q.event, q, std::move(init),
      [](queue_stats_answer& out, room_stats& part) { out.rooms.push_back(std::move(part)); });
}

caf::result<admission_controlled> route_control(region_pointer self, const admission_control& c) {
  auto& st = self->state;
  if (c.action == admission_switch::maintenance_on ||
      c.action == admission_switch::maintenance_off) {
    bool was_on = st.emergency.maintenance;
    st.emergency.maintenance = c.action == admission_switch::maintenance_on;
    auto promise = self->make_response_promise<admission_controlled>();
    store_switches(self, [=](std::optional<failure> err) mutable {
      if (err) { // not stored: a restart would silently undo it, so it is not switched
        self->state.emergency.maintenance = was_on;
        promise.deliver(to_caf_error(*err));
        return;
      }
      // Node-wide, and stored: every room tells its line (their answers are not awaited).
      for (const auto& [id, room] : self->state.rooms)
        caf::anon_send(room, c);
      promise.deliver(admission_controlled{static_cast<int32_t>(self->state.rooms.size())});
    });
    return promise;
  }
  if (c.event().empty()) {
    st.emergency.all_stopped = c.action == admission_switch::stop;
    // The rooms store their own stop; this is what rooms added after a restart start with. A
    // failure here leaves the rooms stopped now and is logged: the answer is the rooms'.
    store_switches(self, [](std::optional<failure> err) {
      if (err)
        spdlog::error("emergency: STOP_ADMISSIONS for all not stored: {}", err->message);
    });
  }
  return fan_out<admission_controlled, admission_controlled>(
      self, c.event, c, admission_controlled{},
      [](admission_controlled& out, admission_controlled& part) { out.rooms += part.rooms; });
}

caf::result<queue_drained> route_drain(region_pointer self, queue_drain d) {
  auto key = d.event;
  return to_room<queue_drained>(self, key, std::move(d));
}

} // namespace tt::actors
