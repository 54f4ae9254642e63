#pragma once
/// The one CAF type-id block of the project: every type that crosses an actor boundary, every atom,
/// and the domain error enum as a CAF error category. Register it with
/// `cfg.add_message_types<caf::id_block::tt>()` (the node and every actor test fixture do).

#include <vector>

#include <caf/all.hpp>

#include "actors/common/errc.hpp"
#include "actors/runtime/emergency_protocol.hpp"
#include "actors/runtime/event_protocol.hpp"
#include "actors/runtime/health_report.hpp"
#include "actors/runtime/payment_protocol.hpp"
#include "actors/runtime/queue_protocol.hpp"
#include "actors/runtime/user_update_protocol.hpp"
#include "actors/runtime/worker_protocol.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(tt, caf::first_custom_type_id)

CAF_ADD_TYPE_ID(tt, (tt::actors::component_health))
CAF_ADD_TYPE_ID(tt, (std::vector<tt::actors::component_health>))
CAF_ADD_TYPE_ID(tt, (tt::actors::health_report))

CAF_ADD_ATOM(tt, tt::actors, get_health_atom, "gethealth")
CAF_ADD_ATOM(tt, tt::actors, expire_atom, "expire")
CAF_ADD_ATOM(tt, tt::actors, sweep_atom, "sweep")
CAF_ADD_ATOM(tt, tt::actors, settle_atom, "settle")
CAF_ADD_ATOM(tt, tt::actors, due_atom, "due")
CAF_ADD_ATOM(tt, tt::actors, tick_atom, "tick")
CAF_ADD_ATOM(tt, tt::actors, passivate_atom, "passivate")
CAF_ADD_ATOM(tt, tt::actors, close_atom, "close")

CAF_END_TYPE_ID_BLOCK(tt)

// The reservation path's messages stay inside one node (another node's events are reached by
// forwarding the RPC over gRPC), so they need no serialisation; CAF still asks us to say so.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::availability_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::availability_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::status_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::status_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::create_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_get)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_confirm)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_cancel)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_extend)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_release)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_confirm_paid)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_settle)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_refund)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_expire)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::list_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::list_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::define_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::event_defined)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::define_catalog)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::catalog_defined)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::release_shards)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::shards_released)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::seat_change)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_changed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_ended)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::stock_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::listen_for_endings)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::deferred_hold)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::persisted)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::payment_create_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::payment_get)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::payment_process)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::payment_cancel)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::payment_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::payment_changed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::payment_list_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::payment_list_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<tt::domain::seat_view>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::effect_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::effect_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::worker_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::tracked_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::dead_lettered)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::worker_stats_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::source_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::worker_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::join_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::entry_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::entry_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::queue_watch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::queue_changed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::admission_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::admission_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::queue_stats_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::room_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::queue_stats_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::room_rebind)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::admission_control)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::admission_controlled)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::queue_drain)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::queue_drained)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::operator_notice)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::cache_clear)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::cache_cleared)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::breaker_control)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::breaker_state)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::cancel_holds)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::holds_cancelled)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::room_settings_update)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::room_settings_updated)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::update_pushed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::message_pushed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::user_watch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::user_watching)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::reservation_seen)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::payment_seen)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::message_delivery)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::message_delivered)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tt::actors::hold_due)

// Rejections travel between actors as caf::error{tt::errc, context(message, details...)}.
CAF_ERROR_CODE_ENUM(tt::errc, "tt")
