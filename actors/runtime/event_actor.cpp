#include "actors/runtime/event_actor.hpp"

#include <algorithm>
#include <random>
#include <unordered_map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/invariant.hpp"
#include "actors/runtime/durable_queue.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/event_records.hpp"
#include "actors/runtime/payment_actor.hpp"
#include "actors/runtime/payment_codec.hpp"
#include "actors/runtime/reservation_actor.hpp"
#include "actors/runtime/reservation_codec.hpp"
#include "actors/runtime/write_journal.hpp"

namespace tt::actors {

namespace {

struct reservation_entry {
  /// Empty while passivated: the actor is spawned again from `latest` on the next request.
  std::optional<reservation_actor> handle;
  /// The reservation as its actor last reported it, after the change was stored (the read model
  /// for listing, and the snapshot a passivated reservation comes back from).
  domain::reservation_state latest;
  timestamp last_used;
  /// Requests routed to the actor and not answered yet: an actor with any is never passivated.
  int32_t in_flight = 0;
};

struct payment_entry {
  payment_actor handle;
  /// The intent as its actor last stored it: confirmation looks the outcome up here.
  domain::payment_state latest;
};

struct event_actor_state {
  static inline const char* name = "event";
  domain::event_definition definition;
  domain::event_inventory_state inventory;
  write_journal writes;
  std::unordered_map<reservation_id, reservation_entry> reservations;
  std::unordered_map<user_id, std::vector<reservation_id>> by_user;
  std::unordered_map<payment_intent_id, payment_entry> payments;
  ulid_generator ids{0};
  uint32_t shard = 0;
  std::shared_ptr<const runtime_config> config;
  durable_queue durable;
};

using self_pointer = event_actor::stateful_pointer<event_actor_state>;

/// Negative control only: the window between check and act, like a slow write would open.
constexpr auto unsafe_apply_delay = std::chrono::milliseconds{100};

timestamp now_of(self_pointer self) {
  return self->state.config->time->now();
}

template <class Events, class State>
void apply_all(State& state, const Events& events) {
  for (const auto& e : events)
    domain::apply(state, e);
}

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
                                        domain::money total) {
  auto& st = self->state;
  domain::reservation_state state;
  auto decided = domain::decide(
      state, domain::create_reservation{id, st.definition.id, owner, std::move(seats), total},
      now_of(self), st.config->policy);
  if (!decided)
    invariant_breach("create_reservation rejected after its seats were held: " +
                     decided.error().message);
  for (const auto& e : *decided)
    state = domain::apply(std::move(state), e);
  return state;
}

/// Linked: the event and its reservations keep each other alive through their handles, so they
/// must also end together when the node stops (the actor system waits for every actor).
reservation_actor spawn_for(self_pointer self, const domain::reservation_state& state,
                            std::vector<domain::seat_view> seats) {
  auto handle = spawn_reservation(self->system(), caf::actor_cast<caf::actor>(self), state,
                                  std::move(seats), self->state.config);
  self->link_to(handle);
  return handle;
}

/// Registers a reservation; `seats` empty and `active` false registers it passivated.
void start_reservation(self_pointer self, const domain::reservation_state& state,
                       std::vector<domain::seat_view> seats, bool active = true) {
  auto& st = self->state;
  reservation_entry entry{std::nullopt, state, now_of(self), 0};
  if (active)
    entry.handle = spawn_for(self, state, std::move(seats));
  st.reservations.emplace(state.id, std::move(entry));
  st.by_user[state.owner].push_back(state.id);
}

/// Negative control only: acknowledge from the check, apply later (see unsafe_switches). Returns
/// the seats the hold would take, as if held.
std::vector<domain::seat_view> defer_hold(self_pointer self, domain::hold_seats command,
                                          const std::vector<domain::inventory_event>& decided) {
  auto& st = self->state;
  auto now = now_of(self);
  std::vector<domain::seat_view> seats;
  for (const auto& e : decided)
    if (auto* held = std::get_if<domain::seats_held>(&e)) {
      command.seat_ids = held->seats;
      command.quantity = 0;
      for (const auto& seat : held->seats) {
        seats.push_back(*st.inventory.seat(seat, now));
        seats.back().status = domain::seat_status::held;
      }
    }
  self->delayed_send(self, unsafe_apply_delay, deferred_hold{std::move(command)});
  return seats;
}

caf::result<reservation_reply> create(self_pointer self, const create_request& req) {
  auto& st = self->state;
  auto now = now_of(self);
  if (auto early = st.writes.begin(req.scope, now))
    return std::move(*early);
  auto id = mint_reservation_id(st.shard, st.definition.id, st.ids.next(now));
  domain::hold_seats command{id, req.seats, req.quantity, req.section,
                             now + st.config->policy.hold_duration};
  auto decided = domain::decide(st.inventory, command, now);
  if (!decided) {
    // Rejections change nothing, so they are kept in memory only: after a restart a retry runs
    // again (see README, "Persistence").
    st.writes.finish(req.scope, encode_reply(decided.error()), now);
    return to_caf_error(decided.error());
  }
  std::vector<domain::seat_view> seats;
  if (st.config->unsafe.ack_holds_before_apply) {
    seats = defer_hold(self, command, *decided);
  } else {
    // Applied before it is durable, so that the holds decided meanwhile see these seats taken;
    // undone below if the store refuses the batch.
    apply_all(st.inventory, *decided);
    seats = st.inventory.seats_of(id, now);
  }
  std::vector<seat_id> ids;
  domain::money total{0, st.definition.currency};
  for (const auto& seat : seats) {
    ids.push_back(seat.id);
    total.amount += seat.price.amount;
  }
  auto state = created_state(self, id, req.scope.user, std::move(ids), std::move(total));
  reservation_reply reply{state, seats, std::nullopt};
  auto entry = st.writes.entry_of(req.scope, encode_reply(reply), now);
  std::vector<storage::mutation> batch{reservation_mutation(state)};
  batch.push_back(journal_mutation(st.definition.id, entry));
  auto promise = self->make_response_promise<reservation_reply>();
  auto scope = req.scope;
  st.durable.persist(
      self, st.config->durable_store(), std::move(batch), [=](std::optional<failure> err) mutable {
        auto& st = self->state;
        if (err) {
          spdlog::error("event {}: reservation {} not stored, its hold is undone: {}",
                        st.definition.id(), id(), err->message);
          if (auto undo = domain::decide(st.inventory, domain::release_seats{id}, now_of(self)))
            apply_all(st.inventory, *undo);
          st.writes.settle_error(scope, to_caf_error(*err), now_of(self));
          promise.deliver(to_caf_error(*err));
          return;
        }
        start_reservation(self, state, seats);
        st.writes.finish(scope, std::move(entry.reply), now_of(self));
        promise.deliver(reply);
      });
  return promise;
}

/// The seats of a reservation coming back (recovered, or passivated), with the status its own
/// state gives them.
std::vector<domain::seat_view> recovered_seats(self_pointer self,
                                               const domain::reservation_state& r) {
  auto now = now_of(self);
  auto status = r.status == domain::reservation_status::hold ? domain::seat_status::held
                : r.status == domain::reservation_status::confirmed
                    ? domain::seat_status::sold
                    : domain::seat_status::available;
  std::vector<domain::seat_view> out;
  for (const auto& id : r.seats)
    if (auto seat = self->state.inventory.seat(id, now)) {
      out.push_back(*seat);
      out.back().status = status;
    }
  return out;
}

using reply_handler = std::function<void(caf::expected<reservation_reply>)>;

/// Sends `req` to the reservation's actor (spawning it again if passivated) and hands the answer
/// to `done`. The in-flight count keeps the actor from being passivated meanwhile.
void ask_reservation(self_pointer self, reservation_entry& entry, reservation_request req,
                     reply_handler done) {
  if (!entry.handle)
    entry.handle = spawn_for(self, entry.latest, recovered_seats(self, entry.latest));
  entry.in_flight += 1;
  auto id = req.id;
  auto settle = [self, id] {
    auto& e = self->state.reservations.at(id);
    e.in_flight -= 1;
    e.last_used = now_of(self);
  };
  // Bounded: the reservation actor only waits on this actor and the store, which always answer.
  self->request(*entry.handle, std::chrono::seconds{10}, std::move(req))
      .then(
          [=](reservation_reply& reply) {
            settle();
            done(std::move(reply));
          },
          [=](caf::error& err) {
            settle();
            done(std::move(err));
          });
}

/// What the event's payments say about `intent` for `reservation`: approved only for a completed
/// intent of this very reservation.
domain::payment_outcome outcome_of(self_pointer self, const std::string& intent,
                                   const reservation_id& reservation) {
  domain::payment_outcome out{intent, domain::payment_verdict::pending, {}};
  auto it = self->state.payments.find(payment_intent_id{intent});
  if (it == self->state.payments.end() || it->second.latest.reservation != reservation)
    return out;
  const auto& p = it->second.latest;
  if (p.status == domain::payment_status::completed)
    out.verdict = domain::payment_verdict::approved;
  else if (p.status == domain::payment_status::failed)
    out.verdict = domain::payment_verdict::declined;
  out.amount = p.amount;
  return out;
}

caf::result<reservation_reply> route(self_pointer self, reservation_request req) {
  auto& st = self->state;
  auto it = st.reservations.find(req.id);
  if (it == st.reservations.end())
    return to_caf_error(fail(errc::not_found, "no such reservation",
                             {{"reservation_id", "not found", req.id().substr(0, 128)}}));
  bool write = req.action != reservation_action::get;
  if (write)
    if (auto early = st.writes.begin(req.scope, now_of(self)))
      return std::move(*early);
  if (req.action == reservation_action::confirm)
    req.payment = outcome_of(self, req.payment_intent_id, req.id);
  auto promise = self->make_response_promise<reservation_reply>();
  auto scope = req.scope;
  ask_reservation(self, it->second, std::move(req),
                  [=](caf::expected<reservation_reply> reply) mutable {
                    if (!reply) {
                      if (write)
                        self->state.writes.settle_error(scope, reply.error(), now_of(self));
                      promise.deliver(reply.error());
                      return;
                    }
                    if (write)
                      self->state.writes.finish(scope, encode_reply(*reply), now_of(self));
                    promise.deliver(*reply);
                  });
  return promise;
}

/// Linked, like reservation actors (see spawn_for).
void start_payment(self_pointer self, const domain::payment_state& state) {
  auto handle =
      spawn_payment(self->system(), caf::actor_cast<caf::actor>(self), state, self->state.config);
  self->link_to(handle);
  self->state.payments[state.id] = payment_entry{handle, state};
}

caf::result<payment_reply> create_payment(self_pointer self, const payment_create_request& req) {
  auto& st = self->state;
  auto now = now_of(self);
  auto it = st.reservations.find(req.reservation);
  if (it == st.reservations.end())
    return to_caf_error(fail(errc::not_found, "no such reservation",
                             {{"reservation_id", "not found", req.reservation().substr(0, 128)}}));
  const auto& r = it->second.latest;
  if (r.owner != req.scope.user)
    return to_caf_error(fail(errc::forbidden, "not your reservation"));
  if (auto early = st.writes.begin_as<payment_reply>(req.scope, now, decode_payment_reply))
    return std::move(*early);
  if (r.status != domain::reservation_status::hold || r.hold_expires_at <= now) {
    st.writes.abandon(req.scope, now);
    return to_caf_error(fail(r.status == domain::reservation_status::hold
                                 ? errc::reservation_expired
                                 : errc::failed_precondition,
                             "the reservation is not held: nothing to pay for",
                             {{"reservation_id", "not held", r.id()}}));
  }
  auto id = mint_payment_intent_id(st.shard, st.definition.id, st.ids.next(now));
  auto decided = domain::decide(domain::payment_state{},
                                domain::create_payment{id, r.id, req.scope.user, r.owner, r.total,
                                                       req.amount, req.method, req.scenario},
                                now, st.config->payment);
  if (!decided) {
    st.writes.abandon(req.scope, now);
    return to_caf_error(decided.error());
  }
  domain::payment_state state;
  for (const auto& e : *decided)
    state = domain::apply(std::move(state), e);
  auto bytes = encode_payment_reply({state});
  auto entry = st.writes.entry_of(req.scope, bytes, now);
  auto promise = self->make_response_promise<payment_reply>();
  auto scope = req.scope;
  st.durable.persist(
      self, st.config->durable_store(),
      {payment_mutation(st.definition.id, state), journal_mutation(st.definition.id, entry)},
      [=](std::optional<failure> err) mutable {
        auto& st = self->state;
        if (err) {
          st.writes.abandon(scope, now_of(self));
          promise.deliver(to_caf_error(*err));
          return;
        }
        start_payment(self, state);
        st.writes.finish(scope, bytes, now_of(self));
        promise.deliver(payment_reply{state});
      });
  return promise;
}

caf::result<payment_reply> route_payment(self_pointer self, payment_request req) {
  auto& st = self->state;
  auto it = st.payments.find(req.id);
  if (it == st.payments.end())
    return to_caf_error(fail(errc::not_found, "no such payment intent",
                             {{"payment_intent_id", "not found", req.id().substr(0, 128)}}));
  // ProcessPayment and CancelPayment name no user: they act for the intent's owner, whose
  // idempotency keys they share.
  if (req.scope.user().empty())
    req.scope.user = it->second.latest.owner;
  bool write = req.action != payment_action::get;
  if (write)
    if (auto early =
            st.writes.begin_as<payment_reply>(req.scope, now_of(self), decode_payment_reply))
      return std::move(*early);
  auto promise = self->make_response_promise<payment_reply>();
  auto scope = req.scope;
  self->request(it->second.handle, std::chrono::seconds{10}, std::move(req))
      .then(
          [=](payment_reply& reply) mutable {
            // The payment actor stored the reply with its change; this is the in-memory copy.
            if (write)
              self->state.writes.finish(scope, encode_payment_reply(reply), now_of(self));
            promise.deliver(reply);
          },
          [=](caf::error& err) mutable {
            if (write)
              self->state.writes.abandon(scope, now_of(self));
            promise.deliver(err);
          });
  return promise;
}

/// Brings a reservation in line with its payment (what issue #6's worker will do from Kafka):
/// approved -> confirm the hold, or refund if the hold is gone (a late approval); declined ->
/// fail the hold; refunded -> refund the confirmed reservation. Runs on every stored payment
/// change and for every payment at recovery, so a crash between the two steps heals at start.
void reconcile(self_pointer self, const domain::payment_state& p) {
  auto& st = self->state;
  auto it = st.reservations.find(p.reservation);
  if (it == st.reservations.end())
    return;
  const auto& r = it->second.latest;
  bool ours = r.payment_intent_id == p.id();
  reservation_request req;
  req.id = r.id;
  req.payment_intent_id = p.id();
  req.payment = outcome_of(self, p.id(), r.id);
  auto refund_payment = [self, id = p.id] {
    auto found = self->state.payments.find(id);
    if (found == self->state.payments.end())
      return;
    payment_request cancel{id,
                           payment_action::cancel,
                           {},
                           "the hold ended before the payment"
                           " was approved",
                           0};
    cancel.scope.user = found->second.latest.owner;
    self->request(found->second.handle, std::chrono::seconds{10}, std::move(cancel))
        .then([](payment_reply&) {},
              [id](caf::error& err) {
                spdlog::error("payment {}: the refund of a late approval failed: {}", id(),
                              caf::to_string(err));
              });
  };
  switch (p.status) {
    case domain::payment_status::completed:
      if (r.status == domain::reservation_status::hold) {
        req.action = reservation_action::settle;
        ask_reservation(self, it->second, std::move(req),
                        [refund_payment](caf::expected<reservation_reply> done) {
                          if (!done) // the hold ran out meanwhile
                            refund_payment();
                        });
      } else if (!(r.status == domain::reservation_status::confirmed && ours)) {
        refund_payment();
      }
      break;
    case domain::payment_status::failed:
      if (r.status == domain::reservation_status::hold) {
        req.action = reservation_action::settle;
        req.reason = p.failure_reason;
        ask_reservation(self, it->second, std::move(req), [](caf::expected<reservation_reply>) {});
      }
      break;
    case domain::payment_status::refunded:
      if (r.status == domain::reservation_status::confirmed && ours) {
        req.action = reservation_action::refund;
        ask_reservation(self, it->second, std::move(req), [](caf::expected<reservation_reply>) {});
      }
      break;
    default:
      break;
  }
}

caf::result<std::vector<domain::seat_view>> move_seats(self_pointer self, const seat_change& c) {
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
    return to_caf_error(decided.error());
  }
  apply_all(inv, *decided);
  if (c.move == seat_move::commit || c.move == seat_move::prolong)
    return inv.seats_of(c.reservation, now);
  for (auto& seat : before)
    seat.status = domain::seat_status::available;
  return before;
}

void apply_deferred(self_pointer self, const deferred_hold& d) {
  auto& st = self->state;
  auto now = now_of(self);
  auto decided = domain::decide(st.inventory, d.command, now);
  if (!decided) {
    spdlog::warn("event {}: unsafe mode lost the hold of {} ({}): its seats were oversold",
                 st.definition.id(), d.command.reservation(), decided.error().message);
    return;
  }
  apply_all(st.inventory, *decided);
}

list_answer list(self_pointer self, const list_query& q) {
  auto& st = self->state;
  list_answer out;
  auto it = st.by_user.find(q.user);
  if (it == st.by_user.end())
    return out;
  for (const auto& id : it->second) {
    const auto& r = st.reservations.at(id).latest;
    if (q.status == domain::reservation_status::unspecified || r.status == q.status)
      out.items.push_back(r);
  }
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
  return event_defined{d.definition.id, true, 0};
}

/// Takes the seats a recovered live reservation holds (hold) or bought (confirmed).
result<void> retake_seats(self_pointer self, const domain::reservation_state& r) {
  auto& inv = self->state.inventory;
  auto now = now_of(self);
  bool sold = r.status == domain::reservation_status::confirmed;
  // A sold seat has no deadline; the hold below only has to outlive this function.
  auto until = sold ? now + std::chrono::hours{1} : r.hold_expires_at;
  auto held = domain::decide(inv, domain::hold_seats{r.id, r.seats, 0, {}, until}, now);
  if (!held)
    return held.error();
  apply_all(inv, *held);
  if (sold) {
    auto committed = domain::decide(inv, domain::commit_seats{r.id}, now);
    if (!committed)
      return committed.error();
    apply_all(inv, *committed);
  }
  return {};
}

/// Stops the actors of reservations that have been idle for passivate_after and are past their
/// hold (a hold keeps its actor: it owns the timer). Safe because only this actor sends them
/// requests, and none is outstanding; their state stays in `latest`, as stored.
void passivate_idle(self_pointer self) {
  auto& st = self->state;
  auto now = now_of(self);
  for (auto& [id, entry] : st.reservations)
    if (entry.handle && entry.in_flight == 0 &&
        entry.latest.status != domain::reservation_status::hold &&
        now - entry.last_used >= st.config->passivate_after) {
      self->unlink_from(*entry.handle); // its exit must not end this actor too
      self->send_exit(*entry.handle, caf::exit_reason::user_shutdown);
      entry.handle.reset();
    }
}

/// Rebuilds the event from what the store held: seats follow from the live reservations, every
/// reservation gets its actor back (a hold that lapsed while the node was down expires at once,
/// through its actor, which stores the change), completed writes get their replies back.
void recover(self_pointer self, const recovered_event& found) {
  auto& st = self->state;
  auto now = now_of(self);
  for (const auto& r : found.reservations) {
    bool live = (r.status == domain::reservation_status::hold && r.hold_expires_at > now) ||
                r.status == domain::reservation_status::confirmed;
    if (live)
      if (auto taken = retake_seats(self, r); !taken)
        // Two stored reservations claim one seat: never written by this code; keep the first.
        spdlog::critical("event {}: stored reservation {} conflicts with another: {}",
                         st.definition.id(), r.id(), taken.error().message);
    // Holds (live or lapsed) need their actor for the timer; the rest start passivated.
    bool hold = r.status == domain::reservation_status::hold;
    start_reservation(self, r, hold ? recovered_seats(self, r) : std::vector<domain::seat_view>{},
                      hold);
  }
  for (const auto& entry : found.journal)
    st.writes.restore(entry, now);
  for (const auto& p : found.payments)
    start_payment(self, p);
  for (const auto& p : found.payments)
    reconcile(self, p);
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
    st.ids = ulid_generator{std::hash<std::string>{}(definition.id()) ^ std::random_device{}()};
    st.definition = std::move(definition);
    st.inventory = std::move(inventory);
    st.writes = write_journal{config->idempotency};
    st.config = config;
    if (recovered)
      recover(self, *recovered);
    self->delayed_send(self, config->sweep_interval, sweep_atom_v);
    return {
        [=](const availability_query& q) { return availability(self, q); },
        [=](const status_query& q) { return status(self, q); },
        [=](const create_request& req) { return create(self, req); },
        [=](reservation_request& req) { return route(self, std::move(req)); },
        [=](const list_query& q) -> caf::result<list_answer> { return list(self, q); },
        [=](const define_event& d) { return redefine(self, d); },
        [=](const seat_change& c) { return move_seats(self, c); },
        [=](const reservation_changed& c) {
          if (auto it = self->state.reservations.find(c.state.id);
              it != self->state.reservations.end())
            it->second.latest = c.state;
        },
        [=](sweep_atom) {
          self->state.writes.sweep(now_of(self));
          passivate_idle(self);
          self->delayed_send(self, self->state.config->sweep_interval, sweep_atom_v);
        },
        [=](const deferred_hold& d) { apply_deferred(self, d); },
        [=](const persisted& p) { self->state.durable.complete(p); },
        [=](const payment_create_request& req) { return create_payment(self, req); },
        [=](payment_request& req) { return route_payment(self, std::move(req)); },
        [=](const payment_changed& c) {
          if (auto it = self->state.payments.find(c.state.id); it != self->state.payments.end())
            it->second.latest = c.state;
          reconcile(self, c.state);
        },
    };
  });
}

} // namespace tt::actors
