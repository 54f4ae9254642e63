#include "actors/runtime/event_actor.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/invariant.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/event_actor_state.hpp"
#include "actors/runtime/outbox_events.hpp"
#include "actors/runtime/reservation_codec.hpp"

namespace tt::actors {

namespace {

using namespace event_detail;

result<availability_answer> check_availability(self_pointer self, const availability_query& q) {
  auto& inv = self->state.inventory;
  auto now = now_of(self);
  availability_answer out;
  if (!q.seats.empty()) {
    auto report = inv.availability_of(q.seats, now);
    if (report) {
      out.seats = std::move(report->available);
      out.unavailable = std::move(report->unavailable);
    }
    out.available = report && out.unavailable.empty();
  } else {
    // What a hold of `quantity` would pick right now, decided without being applied.
    domain::hold_seats probe{
        reservation_id{"probe"}, {}, q.quantity, q.section, now + std::chrono::milliseconds{1}};
    auto decided = domain::decide(inv, probe, now);
    if (decided) {
      for (const auto& e : *decided)
        if (auto* held = std::get_if<domain::seats_held>(&e))
          for (const auto& id : held->seats)
            out.seats.push_back(*inv.seat(id, now));
      out.available = true;
    } else if (decided.error().code == errc::invalid_argument) {
      return decided.error(); // e.g. more seats than one reservation may hold
    }
  }
  if (q.section.empty())
    out.remaining = inv.totals(now).available;
  else if (auto section = inv.section(q.section, now))
    out.remaining = section->counts.available;
  return out;
}

caf::result<availability_answer> availability(self_pointer self, const availability_query& q) {
  auto& inv = self->state.inventory;
  if (!q.section.empty())
    if (auto section = inv.section(q.section, now_of(self)); !section)
      return to_caf_error(section.error());
  if (!q.seats.empty())
    if (auto report = inv.availability_of(q.seats, now_of(self)); !report)
      return to_caf_error(report.error());
  auto answer = check_availability(self, q);
  if (!answer)
    return to_caf_error(answer.error());
  return std::move(*answer);
}

caf::result<status_answer> status(self_pointer self, const status_query& q) {
  auto& st = self->state;
  auto now = now_of(self);
  status_answer out{st.definition.name,
                    st.definition.venue,
                    st.definition.sale_starts_at,
                    st.definition.sale_ends_at,
                    {},
                    {},
                    now};
  if (q.section.empty()) {
    out.sections = st.inventory.sections(now);
    out.totals = st.inventory.totals(now);
  } else {
    auto section = st.inventory.section(q.section, now);
    if (!section)
      return to_caf_error(section.error());
    out.totals = section->counts;
    out.sections.push_back(std::move(*section));
  }
  return out;
}

/// The reservation's state right after creation, decided by the same rules its actor runs.
domain::reservation_state created_state(self_pointer self, const reservation_id& id,
                                        const user_id& owner, std::vector<seat_id> seats,
                                        domain::money total,
                                        const domain::reservation_policy& policy) {
  auto& st = self->state;
  domain::reservation_state state;
  auto decided = domain::decide(
      state, domain::create_reservation{id, st.definition.id, owner, std::move(seats), total},
      now_of(self), policy);
  if (!decided)
    invariant_breach("create_reservation rejected after its seats were held: " +
                     decided.error().message);
  for (const auto& e : *decided)
    state = domain::apply(std::move(state), e);
  return state;
}

} // namespace

taken_seats event_detail::take_seats_now(self_pointer self, domain::hold_seats command,
                                         const std::vector<domain::inventory_event>& decided) {
  auto& inv = self->state.inventory;
  // Applied before it is durable, so that the holds decided meanwhile see these seats taken;
  // undone by create if the store refuses the batch.
  apply_all(inv, decided);
  report_stock(self);
  return {inv.seats_of(command.reservation, now_of(self)), inv.total_of(command.reservation)};
}

void event_detail::report_stock(self_pointer self) {
  auto& st = self->state;
  if (!st.endings)
    return;
  auto totals = st.inventory.totals(now_of(self));
  auto level = domain::stock_of(totals.available, totals.held);
  if (st.reported_stock == level)
    return;
  st.reported_stock = level;
  self->send(st.endings, stock_report{level});
}

namespace {

caf::result<reservation_reply> create(self_pointer self, const create_request& req) {
  auto& st = self->state;
  auto now = now_of(self);
  if (auto early = st.writes.begin(req.scope, now))
    return std::move(*early);
  auto id = mint_reservation_id(st.shard, st.definition.id, st.ids.next(now));
  // Read once: the seats and the reservation end together even if an operator changes it now.
  auto policy = st.config->policy_now();
  domain::hold_seats command{id, req.seats, req.quantity, req.section, now + policy.hold_duration};
  auto decided = domain::decide(st.inventory, command, now);
  if (!decided) {
    // Rejections change nothing, so they are kept in memory only: after a restart a retry runs
    // again (see README, "Persistence").
    st.writes.finish(req.scope, encode_reply(decided.error()), now);
    return to_caf_error(decided.error());
  }
  auto [seats, total] = st.take_seats(self, std::move(command), *decided);
  std::vector<seat_id> ids;
  for (const auto& seat : seats)
    ids.push_back(seat.id);
  auto state = created_state(self, id, req.scope.user, std::move(ids), std::move(total), policy);
  reservation_reply reply{state, seats, std::nullopt};
  auto entry = st.writes.entry_of(req.scope, encode_reply(reply), now);
  std::vector<storage::mutation> batch{reservation_mutation(state)};
  batch.push_back(journal_mutation(st.definition.id, entry));
  auto events = stage_events(*st.config, st.definition.id,
                             {lifecycle_event(state, st.ids.next(now), now, req.scope.trace_id),
                              expiry_event(state, st.ids.next(now), now, req.scope.trace_id)},
                             batch);
  auto promise = self->make_response_promise<reservation_reply>();
  auto scope = req.scope;
  st.durable.persist(
      self, st.config->durable_store(), std::move(batch), [=](std::optional<failure> err) mutable {
        auto& st = self->state;
        if (err) {
          spdlog::error("event {}: reservation {} not stored, its hold is undone: {}",
                        st.definition.id(), id(), err->message);
          if (auto undo = domain::decide(st.inventory, domain::release_seats{id}, now_of(self))) {
            apply_all(st.inventory, *undo);
            report_stock(self);
          }
          st.writes.settle_error(scope, to_caf_error(*err), now_of(self));
          promise.deliver(to_caf_error(*err));
          return;
        }
        publish_staged(*st.config, std::move(events));
        start_reservation(self, state, seats);
        st.writes.finish(scope, std::move(entry.reply), now_of(self));
        promise.deliver(reply);
      });
  return promise;
}

/// What the reservation's actor gets for a client's verb: a confirm goes with the intent's
/// outcome as this event's payments know it.
template <class Verb>
reservation_command passed_on(self_pointer, Verb v) {
  return reservation_command{std::move(v)};
}
reservation_command passed_on(self_pointer self, reservation_confirm v) {
  auto payment = self->state.payments.outcome_of(v.intent, v.id);
  return reservation_confirm_paid{std::move(v), std::move(payment)};
}

/// A client's verb on one of this event's reservations: a write runs once per idempotency key.
template <class Verb>
caf::result<reservation_reply> route(self_pointer self, Verb req) {
  auto& st = self->state;
  auto* it = st.reservations.find(req.id);
  if (it == nullptr)
    return to_caf_error(fail(errc::not_found, "no such reservation",
                             {{"reservation_id", "not found", req.id().substr(0, 128)}}));
  std::optional<write_scope> scope;
  if (const auto* s = write_scope_of(req))
    scope = *s;
  if (scope)
    if (auto early = st.writes.begin(*scope, now_of(self)))
      return std::move(*early);
  auto promise = self->make_response_promise<reservation_reply>();
  ask_reservation(self, it->second, passed_on(self, std::move(req)),
                  [=](caf::expected<reservation_reply> reply) mutable {
                    if (!reply) {
                      if (scope)
                        self->state.writes.settle_error(*scope, reply.error(), now_of(self));
                      promise.deliver(reply.error());
                      return;
                    }
                    if (scope)
                      self->state.writes.finish(*scope, encode_reply(*reply), now_of(self));
                    promise.deliver(*reply);
                  });
  return promise;
}

result<std::vector<domain::seat_view>> moved_seats(self_pointer self, const seat_change& c) {
  auto& inv = self->state.inventory;
  auto now = now_of(self);
  auto before = inv.seats_of(c.reservation, now);
  domain::inventory_command command;
  switch (c.move) {
    case seat_move::commit:
      command = domain::commit_seats{c.reservation};
      break;
    case seat_move::release:
    case seat_move::expire:
      command = domain::release_seats{c.reservation};
      break;
    case seat_move::return_to_sale:
      command = domain::return_seats{c.reservation};
      break;
    case seat_move::prolong:
      command = domain::prolong_hold{c.reservation, c.until};
      break;
  }
  auto decided = domain::decide(inv, command, now);
  if (!decided) {
    bool releasing = c.move == seat_move::release || c.move == seat_move::expire;
    // A lapsed hold whose seats another reservation took is already released.
    if (releasing && decided.error().code == errc::not_found)
      return std::vector<domain::seat_view>{};
    return decided.error();
  }
  apply_all(inv, *decided);
  report_stock(self);
  if (c.move == seat_move::commit || c.move == seat_move::prolong)
    return inv.seats_of(c.reservation, now);
  for (auto& seat : before)
    seat.status = domain::seat_status::available;
  return before;
}

caf::result<std::vector<domain::seat_view>> move_seats(self_pointer self, const seat_change& c) {
  auto moved = moved_seats(self, c);
  if (!moved)
    return to_caf_error(moved.error());
  return std::move(*moved);
}

list_answer list(self_pointer self, const list_query& q) {
  auto& st = self->state;
  list_answer out;
  out.items = st.reservations.of_user(q.user, q.status);
  out.total = static_cast<int32_t>(out.items.size());
  return out;
}

caf::result<event_defined> redefine(self_pointer self, const define_event& d) {
  auto& st = self->state;
  auto totals = st.inventory.totals(now_of(self));
  if (!st.reservations.empty() || totals.held > 0 || totals.sold > 0)
    return to_caf_error(
        fail(errc::failed_precondition,
             "event " + st.definition.id() + " has reservations and cannot be replaced",
             {{"event_id", "has reservations", st.definition.id()}}));
  self->quit();
  return event_defined{d.definition.id, definition_change::replaced, 0};
}

bool holds_seats(domain::reservation_status s) {
  return s == domain::reservation_status::pending || s == domain::reservation_status::hold;
}

void on_reservation_changed(self_pointer self, const reservation_changed& c) {
  auto& st = self->state;
  const auto& changed = c.state;
  auto* it = st.reservations.find(changed.id);
  if (it == nullptr)
    return;
  if (c.release)
    if (auto moved = moved_seats(self, seat_change{changed.id, *c.release, {}}); !moved)
      // Stored is what counts: recovery rebuilds the seats from the stored reservations.
      spdlog::warn("reservation {}: stored as {}, but its seats did not move: {}", changed.id(),
                   to_string(changed.status), moved.error().message);
  bool ended = holds_seats(it->second.latest.status) && !holds_seats(changed.status);
  bool extended = changed.status == domain::reservation_status::hold &&
                  changed.hold_expires_at != it->second.latest.hold_expires_at;
  it->second.latest = changed;
  if (extended)
    watch_hold(self, changed);
  if (ended) {
    mark_used(self, *it); // no longer a hold: may be passivated once unused long enough
    if (st.endings)
      self->send(st.endings, reservation_ended{changed.id});
  }
}

} // namespace

event_actor spawn_event(caf::actor_system& sys, domain::event_definition definition,
                        domain::event_inventory_state inventory,
                        std::shared_ptr<const runtime_config> config,
                        std::shared_ptr<const recovered_event> recovered) {
  return sys.spawn([definition = std::move(definition), inventory = std::move(inventory), config,
                    recovered](self_pointer self) mutable -> event_actor::behavior_type {
    auto& st = self->state;
    st.shard = shard_of(definition.id, config->shard_count);
    // Seeded per start: ids minted after a restart must not repeat those minted before it.
    st.ids = ulid_generator{std::hash<std::string>{}(definition.id()) ^ fresh_seed()};
    st.definition = std::move(definition);
    st.inventory = std::move(inventory);
    st.writes =
        write_journal{config->idempotency, config->share_of(&actor_counts::idempotency_records)};
    st.reservations_kept = config->share_of(&actor_counts::reservations);
    st.config = config;
    // The guard against oversell, or its negative control (negative_controls.cpp).
    st.take_seats = config->unsafe.ack_holds_before_apply ? take_seats_later : take_seats_now;
    if (recovered)
      recover(self, *recovered);
    self->delayed_send(self, config->sweep_interval, sweep_atom_v);
    // Reservation actors are monitored, not linked (spawn_for says why); these three end them
    // with this actor, and end this actor when one of them fails, as a link would.
    self->set_exit_handler([self](caf::exit_msg& msg) {
      if (!msg.reason)
        return;
      stop_reservations(self, msg.reason);
      self->quit(std::move(msg.reason));
    });
    self->set_down_handler([self](caf::down_msg& down) {
      // Passivation and stop_reservations demonitor first: this is a reservation actor that
      // ended by itself.
      self->state.reservations.for_each([&](reservation_book::value_type& r) {
        auto& entry = r.second;
        if (entry.handle && entry.handle->address() == down.source)
          entry.handle.reset(); // the next request spawns it again from its stored state
      });
      if (!down.reason)
        return;
      spdlog::error("event {}: a reservation actor failed: {}", self->state.definition.id(),
                    caf::to_string(down.reason));
      stop_reservations(self, down.reason);
      self->quit(std::move(down.reason));
    });
    self->set_exception_handler([self](std::exception_ptr& thrown) {
      auto err = caf::scheduled_actor::default_exception_handler(self, thrown);
      stop_reservations(self, err);
      return err;
    });
    return {
        [=](const availability_query& q) { return availability(self, q); },
        [=](const status_query& q) { return status(self, q); },
        [=](const create_request& req) { return create(self, req); },
        [=](reservation_get& req) { return route(self, std::move(req)); },
        [=](reservation_confirm& req) { return route(self, std::move(req)); },
        [=](reservation_cancel& req) { return route(self, std::move(req)); },
        [=](reservation_extend& req) { return route(self, std::move(req)); },
        [=](reservation_release& req) { return route(self, std::move(req)); },
        [=](const list_query& q) -> caf::result<list_answer> { return list(self, q); },
        [=](const define_event& d) { return redefine(self, d); },
        [=](const seat_change& c) { return move_seats(self, c); },
        [=](const reservation_changed& c) { on_reservation_changed(self, c); },
        [=](listen_for_endings& l) {
          self->state.endings = std::move(l.listener);
          self->state.reported_stock.reset(); // a new room hears the level it starts with
          report_stock(self);
        },
        [=](sweep_atom) {
          self->state.writes.sweep(now_of(self));
          passivate_idle(self);
          self->delayed_send(self, self->state.config->sweep_interval, sweep_atom_v);
        },
        [=](passivate_atom) { passivate_some(self); },
        [=](due_atom) { backstops_due(self); },
        [=](const deferred_hold& d) { apply_deferred_hold(self, d); },
        [=](const persisted& p) { self->state.durable.complete(p); },
        [=](const payment_create_request& req) { return create_payment(self, req); },
        [=](payment_get& req) { return route_payment(self, std::move(req)); },
        [=](payment_process& req) { return route_payment(self, std::move(req)); },
        [=](payment_cancel& req) { return route_payment(self, std::move(req)); },
        [=](const payment_list_query& q) -> caf::result<payment_list_answer> {
          return list_payments(self, q);
        },
        [=](const effect_request& req) { return apply_effect(self, req); },
        [=](const cancel_holds& c) { return cancel_all_holds(self, c); },
        [=](const room_settings_update& u) { return change_room_settings(self, u); },
        [=](const cache_clear& c) { return clear_cache(self, c); },
        [=](const payment_changed& c) {
          self->state.payments.update(c.state);
          // With a publisher the worker applies the result from the payment topic.
          if (!self->state.config->events)
            reconcile(self, c.state, {}, log_failure(c.state.id));
        },
    };
  });
}

} // namespace tt::actors
