// The shard region's emergency half: the circuit breakers, CANCEL_RESERVATIONS passed to the
// event's actor, and the switches stored so that a restart keeps them; CLEAR_CACHE fanned out to
// every event actor.
#include <vector>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/emergency_records.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/shard_region_state.hpp"

namespace tt::actors {

namespace {

breaker_state breakers_of(const domain::emergency_switches& s) {
  return {s.node_breaker, static_cast<int32_t>(s.broken_events.size())};
}

} // namespace

void restore_switches(region_pointer self) {
  auto* store = self->state.config->durable_store();
  if (store == nullptr)
    return;
  auto stored = load_emergency(*store);
  if (!stored) {
    // Refusing to start over one unreadable record would take every event down with it; the
    // operator sees this line and switches again.
    spdlog::error("emergency: stored switches unreadable, starting with all off: {}",
                  stored.error().message);
    return;
  }
  auto& s = *stored;
  if (s.maintenance || s.all_stopped || s.node_breaker || !s.broken_events.empty())
    spdlog::warn("emergency: switches kept from before the restart: maintenance={} "
                 "all_stopped={} node_breaker={} event_breakers={}",
                 s.maintenance, s.all_stopped, s.node_breaker, s.broken_events.size());
  self->state.emergency = std::move(s);
}

void store_switches(region_pointer self, std::function<void(std::optional<failure>)> then) {
  auto& st = self->state;
  st.durable.persist(self, st.config->durable_store(), {emergency_mutation(st.emergency)},
                     std::move(then));
}

caf::result<breaker_state> switch_breaker(region_pointer self, const breaker_control& c) {
  auto& st = self->state;
  if (!c.event().empty() && st.events.count(c.event) == 0)
    return to_caf_error(fail(errc::not_found, "no event '" + c.event().substr(0, 64) + "'",
                             {{"event_id", "unknown event", c.event().substr(0, 64)}}));
  bool was_open = c.event().empty() ? st.emergency.node_breaker
                                    : st.emergency.broken_events.count(c.event) != 0;
  domain::switch_breaker(st.emergency, c.event, c.action == breaker_switch::open);
  auto promise = self->make_response_promise<breaker_state>();
  store_switches(self, [=](std::optional<failure> err) mutable {
    if (err) { // not stored: not switched, or a restart would silently undo it
      domain::switch_breaker(self->state.emergency, c.event, was_open);
      promise.deliver(to_caf_error(*err));
      return;
    }
    promise.deliver(breakers_of(self->state.emergency));
  });
  return promise;
}

caf::result<holds_cancelled> route_cancel_holds(region_pointer self, cancel_holds c) {
  auto it = self->state.events.find(c.event);
  if (it == self->state.events.end())
    return to_caf_error(fail(errc::not_found, "no event '" + c.event().substr(0, 64) + "'",
                             {{"event_id", "unknown event", c.event().substr(0, 64)}}));
  auto event = c.event;
  auto promise = self->make_response_promise<holds_cancelled>();
  self->request(it->second, caf::infinite, std::move(c)) // the call's own deadline bounds it
      .then(
          [=](holds_cancelled& done) mutable {
            // The line hears it once the seats are back; the room's own stock report resumes it.
            if (auto room = self->state.rooms.find(event);
                room != self->state.rooms.end() && done.cancelled > 0)
              self->send(room->second,
                         operator_notice{domain::holds_cancelled_notice(event, done.cancelled)});
            promise.deliver(done);
          },
          [=](caf::error& err) mutable { promise.deliver(err); });
  return promise;
}

caf::result<cache_cleared> clear_caches(region_pointer self, const cache_clear& c) {
  std::vector<event_actor> targets;
  for (const auto& [id, holds] : self->state.events)
    targets.push_back(holds);
  return gather_from<cache_cleared, cache_cleared>(
      self, targets, std::chrono::seconds{5}, c, cache_cleared{},
      [](cache_cleared& out, const cache_cleared& part) {
        out.events += part.events;
        out.passivated += part.passivated;
        out.kept += part.kept;
        out.already_passivated += part.already_passivated;
      });
}

} // namespace tt::actors
