// The shard region's catalog: adding an event (its actor, its waiting room), and replacing one
// that has no reservations. A definition is stored before it is served.
#include <unordered_set>

#include <caf/all.hpp>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/event_records.hpp"
#include "actors/runtime/shard_region_state.hpp"

namespace tt::actors {

namespace {

using self_pointer = region_pointer;

event_defined add_event(self_pointer self, define_event d, domain::event_inventory_state inventory,
                        definition_change change) {
  auto id = d.definition.id;
  auto capacity = inventory.capacity();
  auto actor = spawn_event(self->system(), d.definition, std::move(inventory), self->state.config,
                           std::move(d.recovered));
  // Linked: when the node stops the region, its events (and through them their reservations)
  // stop with it. A replaced event quits normally, which does not end the region.
  self->link_to(actor);
  self->state.events[id] = actor;
  add_room(self, d.definition, actor, std::move(d.room));
  return {id, change, capacity};
}

using defined_handler = std::function<void(result<event_defined>)>;

/// Stores the definition, then adds the event; a definition that is not stored is not served
/// (after a restart the node would not know the event its reservations belong to).
void store_and_add(self_pointer self, std::shared_ptr<define_event> d,
                   std::shared_ptr<domain::event_inventory_state> inventory,
                   definition_change change, defined_handler done) {
  auto& st = self->state;
  st.durable.persist(self, st.config->durable_store(), {event_mutation(d->definition)},
                     [=](std::optional<failure> err) {
                       if (err) {
                         done(*err);
                         return;
                       }
                       done(add_event(self, std::move(*d), std::move(*inventory), change));
                     });
}

/// Adds `d.definition`, or replaces the event of the same id if it has no reservations (the
/// current actor decides, and stops if so); `done` gets the outcome, at once or once the actor
/// answered. A definition with `recovered` state comes from the store and is added as it is.
void define_then(self_pointer self, const define_event& d, defined_handler done) {
  auto inventory = domain::event_inventory_state::create(d.definition, self->state.config->policy);
  if (!inventory) {
    done(inventory.error());
    return;
  }
  auto it = self->state.events.find(d.definition.id);
  if (d.recovered && it == self->state.events.end()) {
    done(add_event(self, d, std::move(*inventory), definition_change::added));
    return;
  }
  auto shared_inventory = std::make_shared<domain::event_inventory_state>(std::move(*inventory));
  if (it == self->state.events.end()) {
    store_and_add(self, std::make_shared<define_event>(d), shared_inventory,
                  definition_change::added, std::move(done));
    return;
  }
  // A replacement starts from nothing stored; a waiting room the event has stays (add_room).
  auto replacement = std::make_shared<define_event>(define_event::fresh(d.definition));
  self->request(it->second, std::chrono::seconds{5}, *replacement)
      .then(
          [=](event_defined&) {
            // The old actor has stopped: until the new definition is stored, the event is gone.
            self->state.events.erase(replacement->definition.id);
            store_and_add(self, replacement, shared_inventory, definition_change::replaced, done);
          },
          [=](caf::error& err) {
            auto rejection = to_failure(err);
            done(rejection ? *rejection
                           : fail(errc::unavailable,
                                  "the event's actor did not answer: " + caf::to_string(err)));
          });
}

} // namespace

caf::result<event_defined> define(region_pointer self, const define_event& d) {
  auto promise = self->make_response_promise<event_defined>();
  define_then(self, d, [=](result<event_defined> outcome) mutable {
    if (outcome)
      promise.deliver(*outcome);
    else
      promise.deliver(to_caf_error(outcome.error()));
  });
  return promise;
}

caf::result<catalog_defined> define_all(region_pointer self, const define_catalog& c) {
  if (c.events.empty())
    return catalog_defined{};
  auto out = std::make_shared<catalog_defined>();
  auto pending = std::make_shared<size_t>(c.events.size());
  auto promise = self->make_response_promise<catalog_defined>();
  for (const auto& d : c.events)
    define_then(self, d, [=](result<event_defined> outcome) mutable {
      if (outcome)
        out->defined.push_back(*outcome);
      else
        out->kept.push_back(outcome.error());
      if (--*pending == 0)
        promise.deliver(*out);
    });
  return promise;
}

caf::result<room_settings_updated> change_room(region_pointer self, const room_settings_update& u) {
  auto it = self->state.events.find(u.event);
  if (it == self->state.events.end())
    return to_caf_error(fail(errc::not_found, "no event '" + u.event().substr(0, 64) + "'",
                             {{"config_key", "unknown event", u.event().substr(0, 64)}}));
  auto holds = it->second;
  auto promise = self->make_response_promise<room_settings_updated>();
  self->request(holds, std::chrono::seconds{5}, u)
      .then(
          [=](room_settings_updated& done) mutable {
            // The room may have closed meanwhile (a new definition without one): nothing to tell.
            if (auto room = self->state.rooms.find(u.event); room != self->state.rooms.end())
              self->send(room->second,
                         room_rebind{caf::actor_cast<caf::actor>(holds),
                                     policy_of(done.after, self->state.config->queue.defaults)});
            promise.deliver(done);
          },
          [=](caf::error& err) mutable { promise.deliver(err); });
  return promise;
}

shards_released release(region_pointer self, const release_shards& r) {
  auto& st = self->state;
  std::unordered_set<uint32_t> gone(r.shards.begin(), r.shards.end());
  // Unlinked first: an event stopped on purpose must not take the region down with it.
  auto stop = [&](const auto& actor) {
    self->unlink_from(actor);
    self->send_exit(actor, caf::exit_reason::user_shutdown);
  };
  shards_released out;
  for (auto it = st.events.begin(); it != st.events.end();) {
    if (gone.count(shard_of(it->first, st.config->shard_count)) == 0) {
      ++it;
      continue;
    }
    if (auto room = st.rooms.find(it->first); room != st.rooms.end()) {
      stop(room->second);
      st.rooms.erase(room);
    }
    stop(it->second);
    out.events.push_back(it->first);
    it = st.events.erase(it);
  }
  return out;
}

} // namespace tt::actors
