#pragma once
/// The event actor's state and the functions its files share (event_actor.cpp: seats,
/// holds and routing; event_reservations.cpp: reservation actors, passivation, recovery;
/// event_payments.cpp: payment intents and their effect on reservations). Internal to
/// actors/runtime: nothing outside the event actor includes it.

#include <functional>
#include <optional>
#include <vector>

#include <caf/all.hpp>

#include "actors/runtime/due_queue.hpp"
#include "actors/runtime/durable_queue.hpp"
#include "actors/runtime/event_actor.hpp"
#include "actors/runtime/event_records.hpp"
#include "actors/runtime/payment_actor.hpp"
#include "actors/runtime/payment_book.hpp"
#include "actors/runtime/reservation_actor.hpp"
#include "actors/runtime/reservation_book.hpp"
#include "actors/runtime/write_journal.hpp"

namespace tt::actors::event_detail {

struct event_actor_state;
using self_pointer = event_actor::stateful_pointer<event_actor_state>;

/// The seats a decided hold takes, and what they cost.
struct taken_seats {
  std::vector<domain::seat_view> seats;
  domain::money total;
};
/// How a decided hold takes its seats: take_seats_now, or the negative control's
/// take_seats_later (negative_controls.cpp). Chosen when the actor starts.
using seat_taker = taken_seats (*)(self_pointer, domain::hold_seats,
                                   const std::vector<domain::inventory_event>&);

struct event_actor_state {
  static inline const char* name = "event";
  domain::event_definition definition;
  domain::event_inventory_state inventory;
  write_journal writes;
  reservation_book reservations;
  /// The node's count of reservations kept, this actor's part: reservations.size().
  count_share reservations_kept;
  payment_book payments;
  ulid_generator ids{0};
  uint32_t shard = 0;
  std::shared_ptr<const runtime_config> config;
  durable_queue durable;
  /// When to tell each live hold's actor to check its expiry (watch_hold).
  due_queue<reservation_id> backstops;
  /// The event's waiting room, if it has one: told when a reservation stops holding and when the
  /// seats reach another stock level.
  ending_listener endings;
  /// The level the room was last told (report_stock); nullopt: tell it whatever the level is.
  std::optional<domain::stock_level> reported_stock;
  seat_taker take_seats = nullptr;
};

inline timestamp now_of(self_pointer self) {
  return self->state.config->time->now();
}

template <class Events, class State>
void apply_all(State& state, const Events& events) {
  for (const auto& e : events)
    domain::apply(state, e);
}

// -- event_actor.cpp ---------------------------------------------------------------------------

/// The guarded way: the hold is applied at once, in the same message that decided it.
taken_seats take_seats_now(self_pointer self, domain::hold_seats command,
                           const std::vector<domain::inventory_event>& decided);

/// Tells the waiting room when the seats reached another stock level: after every change of the
/// inventory, so the line pauses or stops in the same instant the last seat goes.
void report_stock(self_pointer self);

// -- negative_controls.cpp ----------------------------------------------------------------------

/// Negative control only (unsafe_switches::ack_holds_before_apply): acknowledges the hold from the
/// check and applies it later (deferred_hold), as if held meanwhile.
taken_seats take_seats_later(self_pointer self, domain::hold_seats command,
                             const std::vector<domain::inventory_event>& decided);
/// The later half of take_seats_later: applies the hold if its seats are still free.
void apply_deferred_hold(self_pointer self, const deferred_hold& d);

// -- event_reservations.cpp ---------------------------------------------------------------------

reservation_actor spawn_for(self_pointer self, const domain::reservation_state& state,
                            std::vector<domain::seat_view> seats);
/// `r` may be idle from now on: stamps it and queues it for the passivation sweep.
void mark_used(self_pointer self, reservation_book::value_type& r);
/// Registers a reservation with its actor, spawned holding `seats`.
void start_reservation(self_pointer self, const domain::reservation_state& state,
                       std::vector<domain::seat_view> seats);
/// Registers a reservation passivated: no actor until a request needs one.
void add_passivated(self_pointer self, const domain::reservation_state& state);
/// The seats of a reservation coming back (recovered, or passivated), with the status its own
/// state gives them.
std::vector<domain::seat_view> recovered_seats(self_pointer self,
                                               const domain::reservation_state& r);
using reply_handler = std::function<void(caf::expected<reservation_reply>)>;
/// Sends `command` to the reservation's actor (spawning it again if passivated), `done` gets the
/// answer.
void ask_reservation(self_pointer self, reservation_entry& entry, reservation_command command,
                     reply_handler done);
void passivate_idle(self_pointer self);
/// The next chunk of the sweep's pass; asks itself for the one after (passivate_atom).
void passivate_some(self_pointer self);
/// CLEAR_CACHE: stops every idle reservation actor now (reservation_book::idle_now), or only
/// counts them for a dry run.
cache_cleared clear_cache(self_pointer self, const cache_clear& c);
/// Ends every live reservation actor (this actor is ending with `reason`).
void stop_reservations(self_pointer self, const caf::error& reason);
/// Has the actor of hold `r` check its expiry when it is due (see event_reservations.cpp).
void watch_hold(self_pointer self, const domain::reservation_state& r);
/// The due_atom: tells the actors of the holds that are due to check their expiry.
void backstops_due(self_pointer self);
void recover(self_pointer self, const recovered_event& found);

// -- event_payments.cpp -------------------------------------------------------------------------

void start_payment(self_pointer self, const domain::payment_state& state);
caf::result<payment_reply> create_payment(self_pointer self, const payment_create_request& req);
/// A verb on one of this event's intents, passed to its actor: a write runs once per idempotency
/// key of the intent's owner.
caf::result<payment_reply> route_payment(self_pointer self, payment_get req);
caf::result<payment_reply> route_payment(self_pointer self, payment_process req);
caf::result<payment_reply> route_payment(self_pointer self, payment_cancel req);
using effect_done = std::function<void(caf::expected<effect_reply>)>;
/// `trace_id` is carried on to the events the change publishes.
void refund_late_approval(self_pointer self, const payment_intent_id& id,
                          const std::string& trace_id, effect_done done);
void reconcile(self_pointer self, const domain::payment_state& p, const std::string& trace_id,
               effect_done done);
/// For effects nobody waits for (in-process and recovery reconciliation): failures are logged.
effect_done log_failure(const payment_intent_id& id);
/// This event's intents of `q.user` (the shard region pages them).
payment_list_answer list_payments(self_pointer self, const payment_list_query& q);

// -- event_emergency.cpp ------------------------------------------------------------------------

/// CANCEL_RESERVATIONS: releases every hold not yet paid for, for its owner.
caf::result<holds_cancelled> cancel_all_holds(self_pointer self, const cancel_holds& c);

// -- event_settings.cpp -------------------------------------------------------------------------

/// UpdateConfig's waiting-room settings: stores the changed definition, then answers.
caf::result<room_settings_updated> change_room_settings(self_pointer self,
                                                        const room_settings_update& u);

// -- event_effects.cpp --------------------------------------------------------------------------

caf::result<effect_reply> apply_effect(self_pointer self, const effect_request& req);

} // namespace tt::actors::event_detail
