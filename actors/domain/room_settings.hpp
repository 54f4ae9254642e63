#pragma once
/// An operator's change to an event's waiting-room inlet at run time (AdminService.UpdateConfig,
/// issue #31): the admission rate and the cap on active users, each optional. The event's actor
/// stores the changed definition and its admission actor takes the new policy; the people in
/// line keep their places.

#include <cstdint>
#include <optional>

#include "actors/common/result.hpp"
#include "actors/domain/catalog.hpp"

namespace tt::domain {

struct room_settings_change {
  std::optional<uint32_t> admissions_per_second;
  std::optional<uint32_t> max_active;
};

/// `def` with `change` applied to its waiting room, or why not: an event without an enabled
/// waiting room has no inlet to change (failed_precondition); a value out of the catalog's
/// limits is invalid_argument, as it is in a definition. 0 means the node's default, as in a
/// definition.
result<event_definition> with_room_settings(const event_definition& def,
                                            const room_settings_change& change,
                                            const catalog_limits& limits = {});

} // namespace tt::domain
