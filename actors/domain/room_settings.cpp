#include "actors/domain/room_settings.hpp"

namespace tt::domain {

result<event_definition> with_room_settings(const event_definition& def,
                                            const room_settings_change& change,
                                            const catalog_limits& limits) {
  if (!def.waiting_room || !def.waiting_room->enabled)
    return fail(errc::failed_precondition,
                "event " + def.id().substr(0, 64) + " has no waiting room to change",
                {{"config_key", "event without a waiting room", def.id().substr(0, 64)}});
  auto out = def;
  if (change.admissions_per_second)
    out.waiting_room->admissions_per_second = *change.admissions_per_second;
  if (change.max_active)
    out.waiting_room->max_active = *change.max_active;
  if (auto ok = validate(out, limits); !ok)
    return ok.error();
  return out;
}

} // namespace tt::domain
