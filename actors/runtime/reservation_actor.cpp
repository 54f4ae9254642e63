#include "actors/runtime/reservation_actor.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

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

/// One command waiting for its turn: a client's request (with the promise to answer), or the
/// hold timer (neither).
struct job {
  std::optional<reservation_request> request;
  std::optional<reply_promise> promise;
};

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
  if (j.request && !j.request->scope.key().empty()) {
    reservation_reply reply{p.next, seats_with(self, p.seats_after), p.extension};
    auto entry = journal_entry_of(j.request->scope, encode_reply(reply),
                                  now_of(self) + st.config->idempotency.ttl);
    batch.push_back(journal_mutation(st.reservation.event, entry));
  }
  return batch;
}

/// The domain events `p` publishes: its new status or deadline, and a new deadline for the worker.
std::vector<outbound_event> events_of(self_pointer self, const plan& p, const job& j) {
  auto& st = self->state;
  auto now = now_of(self);
  std::string trace = j.request ? j.request->scope.trace_id : std::string{};
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
result<plan> confirm(self_pointer self, const reservation_request& req, const user_id& by) {
  auto& st = self->state;
  auto order = mint_order_id(shard_of(st.reservation.event, st.config->shard_count),
                             st.reservation.event, st.ids.next(now_of(self)));
  return decided_plan(self, domain::confirm_reservation{by, req.payment, order}, seat_move::commit,
                      domain::seat_status::sold);
}

/// The payment path's outcome: an approved payment confirms the hold, a declined one fails it.
result<plan> settle(self_pointer self, const reservation_request& req) {
  if (req.payment.verdict == domain::payment_verdict::approved)
    return confirm(self, req, self->state.reservation.owner);
  return decided_plan(self, domain::fail_reservation{req.payment_intent_id, req.reason},
                      seat_move::release, domain::seat_status::available);
}

result<plan> refund(self_pointer self, const reservation_request& req) {
  return decided_plan(self, domain::refund_reservation{req.payment_intent_id},
                      seat_move::return_to_sale, domain::seat_status::available);
}

result<plan> cancel(self_pointer self, const user_id& by, const std::string& reason) {
  return decided_plan(self, domain::cancel_reservation{by, reason}, seat_move::release,
                      domain::seat_status::available);
}

result<plan> extend(self_pointer self, const reservation_request& req) {
  auto& st = self->state;
  auto decided = domain::decide(st.reservation, domain::extend_hold{req.scope.user, req.extension},
                                now_of(self), st.config->policy);
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
  auto& st = self->state;
  if (st.reservation.status != domain::reservation_status::hold)
    return std::nullopt;
  if (st.reservation.hold_expires_at > now_of(self))
    return std::nullopt;
  auto p = decided_plan(self, domain::expire_reservation{}, seat_move::expire,
                        domain::seat_status::available);
  if (!p)
    return std::nullopt;
  return std::move(*p);
}

void run(self_pointer self, job j) {
  auto& st = self->state;
  if (!j.request) {
    if (auto p = expiry(self)) {
      // A failed store must not lose the expiry: it is tried again until it is stored (the one
      // delayed message a reservation actor sends, and only while the store fails).
      j.promise.reset();
      st.jobs.start();
      store_then(self, *p, j, [=](std::optional<failure> err) {
        if (err) {
          self->delayed_send(self, expiry_retry, expire_atom_v);
          give_up(self, std::nullopt, *err);
          return;
        }
        conclude(self, *p, {}, p->move->move);
      });
    }
    return;
  }
  const auto& req = *j.request;
  result<plan> p = fail(errc::invalid_argument, "unknown reservation action");
  switch (req.action) {
    case reservation_action::get: // reads never wait in the queue (see handle)
      break;
    case reservation_action::confirm:
      // Confirmed already by this payment (the payment path got there first): the same answer.
      if (st.reservation.status == domain::reservation_status::confirmed &&
          st.reservation.payment_intent_id == req.payment_intent_id &&
          domain::authorize(st.reservation, req.scope.user)) {
        j.promise->deliver(reservation_reply{st.reservation, st.seats, std::nullopt});
        return;
      }
      p = confirm(self, req, req.scope.user);
      break;
    case reservation_action::settle:
      p = settle(self, req);
      break;
    case reservation_action::refund:
      p = refund(self, req);
      break;
    case reservation_action::cancel:
      p = cancel(self, req.scope.user, req.reason);
      break;
    case reservation_action::release:
      // ReleaseHold is an inventory operation with no user in the contract: it acts for the owner.
      p = cancel(self, st.reservation.owner, req.reason);
      break;
    case reservation_action::extend:
      p = extend(self, req);
      break;
    case reservation_action::expire:
      if (auto lapsed = expiry(self)) {
        p = std::move(*lapsed);
        break;
      }
      j.promise->deliver(reservation_reply{st.reservation, st.seats, std::nullopt});
      return;
  }
  if (!p) {
    j.promise->deliver(to_caf_error(p.error()));
    return;
  }
  execute(self, std::move(*p), std::move(j));
}

caf::result<reservation_reply> handle(self_pointer self, const reservation_request& req) {
  auto& st = self->state;
  if (req.action == reservation_action::get) {
    // A read answers from the last concluded state, even while a write is under way.
    if (auto allowed = domain::authorize(st.reservation, req.scope.user); !allowed)
      return to_caf_error(allowed.error());
    return reservation_reply{st.reservation, st.seats, std::nullopt};
  }
  auto promise = self->make_response_promise<reservation_reply>();
  st.jobs.push(job{req, promise}, runner(self));
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
    return {
        [=](const reservation_request& req) { return handle(self, req); },
        [=](expire_atom) { self->state.jobs.push(job{}, runner(self)); },
        [=](const persisted& p) { self->state.durable.complete(p); },
    };
  });
}

} // namespace tt::actors
