#pragma once
/// The one CAF type-id block of the project: every type that crosses an actor boundary, every atom,
/// and the domain error enum as a CAF error category. Register it with
/// `cfg.add_message_types<caf::id_block::tt>()` (the node and every actor test fixture do).

#include <vector>

#include <caf/all.hpp>

#include "actors/common/errc.hpp"
#include "actors/runtime/health_report.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(tt, caf::first_custom_type_id)

CAF_ADD_TYPE_ID(tt, (tt::actors::component_health))
CAF_ADD_TYPE_ID(tt, (std::vector<tt::actors::component_health>))
CAF_ADD_TYPE_ID(tt, (tt::actors::health_report))

CAF_ADD_ATOM(tt, tt::actors, get_health_atom, "gethealth")

CAF_END_TYPE_ID_BLOCK(tt)

// Rejections travel between actors as caf::error{tt::errc, context(message, details...)}.
CAF_ERROR_CODE_ENUM(tt::errc, "tt")
