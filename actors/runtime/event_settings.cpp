// The event actor's part of UpdateConfig's waiting-room settings: the changed definition is
// stored before it counts, so a restart serves the same inlet the operator was told about.
#include "actors/domain/room_settings.hpp"
#include "actors/runtime/event_actor_state.hpp"

namespace tt::actors::event_detail {

caf::result<room_settings_updated> change_room_settings(self_pointer self,
                                                        const room_settings_update& u) {
  auto& st = self->state;
  auto changed = domain::with_room_settings(st.definition, u.change);
  if (!changed)
    return to_caf_error(changed.error());
  auto before = *st.definition.waiting_room;
  auto promise = self->make_response_promise<room_settings_updated>();
  auto definition = std::make_shared<domain::event_definition>(std::move(*changed));
  st.durable.persist(self, st.config->durable_store(), {event_mutation(*definition)},
                     [=](std::optional<failure> err) mutable {
                       if (err) {
                         promise.deliver(to_caf_error(*err));
                         return;
                       }
                       self->state.definition = *definition;
                       promise.deliver(room_settings_updated{before, *definition->waiting_room});
                     });
  return promise;
}

} // namespace tt::actors::event_detail
