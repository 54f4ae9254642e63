#include "actors/runtime/reservation_actor.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/overloaded.hpp"
#include "actors/runtime/durable_queue.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/event_actor.hpp"
#include "actors/runtime/event_records.hpp"
#include "actors/runtime/outbox_events.hpp"
#include "actors/runtime/reservation_codec.hpp"
#include "actors/runtime/serial_jobs.hpp"

namespace tt::actors {

namespace {

using reply_promise = caf::typed_response_promise<reservation_reply>;

/// One command waiting for its turn (with the promise to answer), or the hold timer (neither).
/// Reads are never queued (see read).
struct job {
  std::optional<reservation_write> request;
  std::optional<reply_promise> promise;
};

/// The client's write scope of `c`; null for the payment path's and the worker's commands, which
/// have no idempotency key.
const write_scope* client_scope(const reservation_write& c) {
  return std::visit(overloaded{
                        [](const reservation_confirm_paid& x) { return &x.request.scope; },
                        [](const reservation_settle&) -> const write_scope* { return nullptr; },
                        [](const reservation_refund&) -> const write_scope* { return nullptr; },
                        [](const reservation_expire&) -> const write_scope* { return nullptr; },
                        // The client's verbs, as the protocol says (event_protocol.hpp).
                        [](const auto& x) { return write_scope_of(x); },
                    },
                    c);
}

/// The trace id of the call that caused `c`, carried into the events it publishes.
std::string trace_of(const reservation_write& c) {
  if (const auto* scope = client_scope(c))
    return scope->trace_id;
  return std::visit(overloaded{
                        [](const reservation_settle& x) { return x.trace_id; },
                        [](const reservation_refund& x) { return x.trace_id; },
                        [](const reservation_expire& x) { return x.trace_id; },
                        [](const auto&) { return std::string{}; },
                    },
                    c);
}

struct reservation_actor_state {
  static inline const char* name = "reservation";
  domain::reservation_state reservation;
  /// The reservation's seats (section, row, number, price); statuses follow the reservation.
  std::vector<domain::seat_view> seats;
  event_actor event;
  std::shared_ptr<const runtime_config> config;
  ulid_generator ids{0};
  durable_queue durable;
  serial_jobs<job> jobs;
  /// This actor in the node's count of running reservation actors, while it runs.
  count_share running;
};

using self_pointer = reservation_actor::stateful_pointer<reservation_actor_state>;

/// A lapsed hold whose expiry could not be stored is tried again after this long.
constexpr auto expiry_retry = std::chrono::seconds{1};

timestamp now_of(self_pointer self) {
  return self->state.config->time->now();
}

std::vector<domain::seat_view> seats_with(self_pointer self, domain::seat_status status) {
  auto out = self->state.seats;
  for (auto& seat : out)
    seat.status = status;
  return out;
}

/// What one accepted command does: the reservation's next state, the seats' next status, the
/// seat move it needs from the event actor (if any), and the reply.
struct plan {
  domain::reservation_state next;
  domain::seat_status seats_after = domain::seat_status::held;
  std::optional<seat_change> move;
  /// True when the seats must move before the change is stored: a move that takes seats
  /// (commit, prolong) can still fail if the hold lapses meanwhile, and nothing may be stored
  /// that the inventory refused. Releases are stored first: seats held a moment longer are safe.
  bool move_first = false;
  std::optional<extension_outcome> extension;
};

void run(self_pointer self, job j);

/// What serial_jobs calls to run this actor's next job.
auto runner(self_pointer self) {
  return [self](job j) {
    run(self, std::move(j));
  };
}

/// The change is durable and the seats that it took have moved: it becomes the actor's state and
/// the reply. Seats it gives back (`release`) go back with the event actor's copy of the change,
/// which reaches the event actor before the reply does (one sender, one receiver: in order).
void conclude(self_pointer self, const plan& p, std::optional<reply_promise> promise,
              std::optional<seat_move> release = std::nullopt) {
  auto& st = self->state;
  st.reservation = p.next;
  for (auto& seat : st.seats)
    seat.status = p.seats_after;
  self->send(st.event, reservation_changed{st.reservation, release});
  if (promise)
    promise->deliver(reservation_reply{st.reservation, st.seats, p.extension});
  st.jobs.done(runner(self));
}

/// Ends a job without a change.
void give_up(self_pointer self, std::optional<reply_promise> promise, const failure& why) {
  if (promise)
    promise->deliver(to_caf_error(why));
  self->state.jobs.done(runner(self));
}

/// The batch that makes `p` durable: the reservation's snapshot and, for a client's write, the
/// reply under its idempotency key (one atomic batch, so a retry after a crash replays it).
std::vector<storage::mutation> batch_of(self_pointer self, const plan& p, const job& j) {
  auto& st = self->state;
  std::vector<storage::mutation> batch;
  if (p.move)
    batch.push_back(reservation_mutation(p.next));
  const auto* scope = j.request ? client_scope(*j.request) : nullptr;
  if (scope != nullptr && !scope->key().empty()) {
    reservation_reply reply{p.next, seats_with(self, p.seats_after), p.extension};
    auto entry =
        journal_entry_of(*scope, encode_reply(reply), now_of(self) + st.config->idempotency.ttl);
    batch.push_back(journal_mutation(st.reservation.event, entry));
  }
  return batch;
}

/// The domain events `p` publishes: its new status or deadline, and a new deadline for the worker.
std::vector<outbound_event> events_of(self_pointer self, const plan& p, const job& j) {
  auto& st = self->state;
  auto now = now_of(self);
  std::string trace = j.request ? trace_of(*j.request) : std::string{};
  std::vector<outbound_event> out;
  bool moved = p.next.status == domain::reservation_status::hold &&
               p.next.hold_expires_at != st.reservation.hold_expires_at;
  if (p.next.status != st.reservation.status)
    out.push_back(lifecycle_event(p.next, st.ids.next(now), now, trace));
  else if (moved)
    out.push_back(extension_event(p.next, st.ids.next(now), now, trace));
  if (moved)
    out.push_back(expiry_event(p.next, st.ids.next(now), now, trace));
  return out;
}

/// Stores `p` with its events in the outbox; the events are published once it is durable.
void store_then(self_pointer self, const plan& p, const job& j,
                std::function<void(std::optional<failure>)> then) {
  auto& st = self->state;
  auto id = st.reservation.id;
  auto status = p.next.status;
  auto batch = batch_of(self, p, j);
  auto events = stage_events(*st.config, st.reservation.event, events_of(self, p, j), batch);
  st.durable.persist(self, st.config->durable_store(), std::move(batch),
                     [self, id, status, events = std::move(events),
                      then = std::move(then)](std::optional<failure> err) mutable {
                       if (err)
                         spdlog::error("reservation {}: change to {} not stored, not applied: {}",
                                       id(), to_string(status), err->message);
                       else
                         publish_staged(*self->state.config, std::move(events));
                       then(std::move(err));
                     });
}

void move_then(self_pointer self, const seat_change& move,
               std::function<void(std::optional<failure>)> then) {
  // No timeout: the event actor answers a seat move at once (and CAF answers if it died). A
  // timed-out move could still be applied after this actor gave up on it, leaving seats sold
  // for a reservation that is not confirmed.
  self->request(self->state.event, caf::infinite, move)
      .then([=](std::vector<domain::seat_view>&) { then(std::nullopt); },
            [=](caf::error& err) {
              auto rejection = to_failure(err);
              then(rejection ? *rejection
                             : fail(errc::unavailable, "seat move: " + caf::to_string(err)));
            });
}

/// Runs an accepted plan through the store and the event actor, in the order it needs.
void execute(self_pointer self, plan p, job j) {
  auto& st = self->state;
  st.jobs.start();
  auto promise = j.promise;
  if (!p.move) {
    store_then(self, p, j, [=](std::optional<failure> err) {
      err ? give_up(self, promise, *err) : conclude(self, p, promise);
    });
    return;
  }
  if (p.move_first) {
    move_then(self, *p.move, [=](std::optional<failure> moved) {
      if (moved) {
        give_up(self, promise, *moved);
        return;
      }
      store_then(self, p, j, [=](std::optional<failure> err) {
        if (err) {
          // The seats moved but the change is not stored. A prolonged hold needs no undo (the
          // timer still fires at the stored deadline and releases it); sold seats go back.
          if (p.move->move == seat_move::commit)
            move_then(self, seat_change{self->state.reservation.id, seat_move::return_to_sale, {}},
                      [](std::optional<failure>) {});
          give_up(self, promise, *err);
          return;
        }
        conclude(self, p, promise);
      });
    });
    return;
  }
  store_then(self, p, j, [=](std::optional<failure> err) {
    err ? give_up(self, promise, *err) : conclude(self, p, promise, p.move->move);
  });
}

/// `events` applied to the current state, with the move they need.
plan plan_of(self_pointer self, const std::vector<domain::reservation_event>& events,
             std::optional<seat_move> move, domain::seat_status seats_after) {
  auto& st = self->state;
  plan p;
  p.next = st.reservation;
  for (const auto& e : events)
    p.next = domain::apply(std::move(p.next), e);
  p.seats_after = seats_after;
  if (move) {
    p.move = seat_change{st.reservation.id, *move, p.next.hold_expires_at};
    p.move_first = *move == seat_move::commit || *move == seat_move::prolong;
  }
  return p;
}

/// Decides `command` against the current state; accepted, the plan that applies it with `move`.
result<plan> decided_plan(self_pointer self, const domain::reservation_command& command,
                          seat_move move, domain::seat_status seats_after) {
  auto& st = self->state;
  auto decided = domain::decide(st.reservation, command, now_of(self), st.config->policy);
  if (!decided)
    return decided.error();
  return plan_of(self, *decided, move, seats_after);
}

/// Confirms with the payment outcome the event actor looked up; `by` is the owner for the payment
/// path's own confirmation (settle).
result<plan> confirm(self_pointer self, const domain::payment_outcome& payment, const user_id& by) {
  auto& st = self->state;
  auto order = mint_order_id(shard_of(st.reservation.event, st.config->shard_count),
                             st.reservation.event, st.ids.next(now_of(self)));
  return decided_plan(self, domain::confirm_reservation{by, payment, order}, seat_move::commit,
                      domain::seat_status::sold);
}

result<plan> cancel(self_pointer self, const user_id& by, const std::string& reason) {
  return decided_plan(self, domain::cancel_reservation{by, reason}, seat_move::release,
                      domain::seat_status::available);
}

result<plan> extend(self_pointer self, const user_id& by, std::chrono::milliseconds extension) {
  auto& st = self->state;
  auto decided = domain::decide(st.reservation, domain::extend_hold{by, extension}, now_of(self),
                                st.config->policy);
  if (!decided)
    return decided.error();
  const auto* granted =
      decided->empty() ? nullptr : std::get_if<domain::hold_extended>(&decided->front());
  if (granted == nullptr) {
    const auto* denied =
        decided->empty() ? nullptr : std::get_if<domain::hold_extension_denied>(&decided->front());
    plan p = plan_of(self, {}, std::nullopt, domain::seat_status::held);
    p.extension = extension_outcome{false, {}, denied ? denied->reason : ""};
    return p;
  }
  auto p = plan_of(self, *decided, seat_move::prolong, domain::seat_status::held);
  p.extension = extension_outcome{true, granted->extended_by, {}};
  return p;
}

/// The expiry of a lapsed hold: nullopt when there is nothing to expire (yet: the event actor
/// asks again at an extended deadline).
std::optional<plan> expiry(self_pointer self) {
  if (!domain::hold_lapsed(self->state.reservation, now_of(self)))
    return std::nullopt;
  auto p = decided_plan(self, domain::expire_reservation{}, seat_move::expire,
                        domain::seat_status::available);
  if (!p)
    return std::nullopt;
  return std::move(*p);
}

/// What a command changes: a plan, nullopt when it changes nothing and is answered with the
/// current state, or the rejection.
using step = result<std::optional<plan>>;

step changed(result<plan> p) {
  if (!p)
    return p.error();
  return std::optional<plan>{std::move(*p)};
}

step plan_for(self_pointer self, const reservation_confirm_paid& c) {
  const auto& r = self->state.reservation;
  // Confirmed already by this payment (the payment path got there first): the same answer.
  if (r.status == domain::reservation_status::confirmed &&
      r.payment_intent_id == c.request.intent() && domain::authorize(r, c.request.scope.user))
    return std::optional<plan>{};
  return changed(confirm(self, c.payment, c.request.scope.user));
}

step plan_for(self_pointer self, const reservation_settle& c) {
  if (c.payment.verdict == domain::payment_verdict::approved)
    return changed(confirm(self, c.payment, self->state.reservation.owner));
  return changed(decided_plan(self, domain::fail_reservation{c.payment.payment_intent_id, c.reason},
                              seat_move::release, domain::seat_status::available));
}

step plan_for(self_pointer self, const reservation_refund& c) {
  return changed(decided_plan(self, domain::refund_reservation{c.intent()},
                              seat_move::return_to_sale, domain::seat_status::available));
}

step plan_for(self_pointer self, const reservation_cancel& c) {
  return changed(cancel(self, c.scope.user, c.reason));
}

step plan_for(self_pointer self, const reservation_release& c) {
  // ReleaseHold is an inventory operation with no user in the contract: it acts for the owner.
  return changed(cancel(self, self->state.reservation.owner, c.reason));
}

step plan_for(self_pointer self, const reservation_extend& c) {
  return changed(extend(self, c.scope.user, c.extension));
}

step plan_for(self_pointer self, const reservation_expire&) {
  return expiry(self);
}

/// The hold's own timer: expires a lapsed hold. A failed store must not lose the expiry: it is
/// tried again until it is stored (the one delayed message a reservation actor sends, and only
/// while the store fails).
void run_timer(self_pointer self, job j) {
  auto p = expiry(self);
  if (!p)
    return;
  self->state.jobs.start();
  store_then(self, *p, j, [=](std::optional<failure> err) {
    if (err) {
      self->delayed_send(self, expiry_retry, expire_atom_v);
      give_up(self, std::nullopt, *err);
      return;
    }
    conclude(self, *p, {}, p->move->move);
  });
}

void run(self_pointer self, job j) {
  if (!j.request) {
    run_timer(self, std::move(j));
    return;
  }
  auto p = std::visit([self](const auto& c) { return plan_for(self, c); }, *j.request);
  if (!p) {
    j.promise->deliver(to_caf_error(p.error()));
    return;
  }
  if (!*p) {
    const auto& st = self->state;
    j.promise->deliver(reservation_reply{st.reservation, st.seats, std::nullopt});
    return;
  }
  execute(self, std::move(**p), std::move(j));
}

/// A read answers from the last concluded state, even while a write is under way.
caf::result<reservation_reply> read(self_pointer self, const reservation_get& req) {
  const auto& st = self->state;
  if (auto allowed = domain::authorize(st.reservation, req.requester); !allowed)
    return to_caf_error(allowed.error());
  return reservation_reply{st.reservation, st.seats, std::nullopt};
}

/// Queues a write; it runs once the ones before it concluded.
template <class Command>
caf::result<reservation_reply> enqueue(self_pointer self, Command c) {
  auto promise = self->make_response_promise<reservation_reply>();
  self->state.jobs.push(job{reservation_write{std::move(c)}, promise}, runner(self));
  return promise;
}

} // namespace

reservation_actor spawn_reservation(caf::actor_system& sys, caf::actor event,
                                    domain::reservation_state initial,
                                    std::vector<domain::seat_view> seats,
                                    std::shared_ptr<const runtime_config> config) {
  return sys.spawn([event = std::move(event), initial = std::move(initial),
                    seats = std::move(seats),
                    config](self_pointer self) mutable -> reservation_actor::behavior_type {
    auto& st = self->state;
    st.ids = ulid_generator{std::hash<std::string>{}(initial.id()) ^ fresh_seed()};
    st.reservation = std::move(initial);
    st.seats = std::move(seats);
    st.event = caf::actor_cast<event_actor>(event);
    st.config = std::move(config);
    st.running = st.config->share_of(&actor_counts::reservation_actors);
    st.running.set(1);
    return {
        [=](const reservation_get& req) { return read(self, req); },
        [=](reservation_confirm_paid& c) { return enqueue(self, std::move(c)); },
        [=](reservation_cancel& c) { return enqueue(self, std::move(c)); },
        [=](reservation_extend& c) { return enqueue(self, std::move(c)); },
        [=](reservation_release& c) { return enqueue(self, std::move(c)); },
        [=](reservation_settle& c) { return enqueue(self, std::move(c)); },
        [=](reservation_refund& c) { return enqueue(self, std::move(c)); },
        [=](reservation_expire& c) { return enqueue(self, std::move(c)); },
        [=](expire_atom) { self->state.jobs.push(job{}, runner(self)); },
        [=](const persisted& p) { self->state.durable.complete(p); },
    };
  });
}

} // namespace tt::actors
