#include "actors/runtime/event_actor_state.hpp"

#include <spdlog/spdlog.h>

namespace tt::actors::event_detail {

/// Monitored, not linked. CAF 0.17 keeps an actor's links in one list, and every exit of a linked
/// actor searches it (the exit_msg's unlink_from): passivating N linked reservations cost O(N^2)
/// on this actor's thread, over a minute at full CPU with no answers after 76,000 holds. A
/// monitor sits in the reservation's own short list instead. What the link did is done by hand:
/// this actor stops its reservations when it stops (stop_reservations) and fails when one of them
/// fails (the event actor's down handler).
reservation_actor spawn_for(self_pointer self, const domain::reservation_state& state,
                            std::vector<domain::seat_view> seats) {
  auto handle = spawn_reservation(self->system(), caf::actor_cast<caf::actor>(self), state,
                                  std::move(seats), self->state.config);
  self->monitor(handle);
  return handle;
}

namespace {

/// Ends the actor of `entry`, expected: demonitored first, so no down message follows.
void stop_actor(self_pointer self, reservation_entry& entry, const caf::error& reason) {
  self->demonitor(entry.handle->address());
  self->send_exit(*entry.handle, reason);
  entry.handle.reset();
}

} // namespace

void stop_reservations(self_pointer self, const caf::error& reason) {
  self->state.reservations.for_each([&](reservation_book::value_type& r) {
    if (r.second.handle)
      stop_actor(self, r.second, reason);
  });
}

void mark_used(self_pointer self, reservation_book::value_type& r) {
  self->state.reservations.mark_used(r, now_of(self));
}

namespace {

/// Registers a reservation as stored; `handle` is its running actor, or nullopt when it starts
/// passivated.
void add_reservation(self_pointer self, const domain::reservation_state& state,
                     std::optional<reservation_actor> handle) {
  self->state.reservations.add(state, std::move(handle), now_of(self));
  self->state.reservations_kept.set(static_cast<int64_t>(self->state.reservations.size()));
  if (state.status == domain::reservation_status::hold)
    watch_hold(self, state);
}

} // namespace

void start_reservation(self_pointer self, const domain::reservation_state& state,
                       std::vector<domain::seat_view> seats) {
  add_reservation(self, state, spawn_for(self, state, std::move(seats)));
}

void add_passivated(self_pointer self, const domain::reservation_state& state) {
  add_reservation(self, state, std::nullopt);
}

/// With a publisher the worker ends a hold from the expiry topic at its deadline; the actor is
/// told to check expiry_backstop later in case that event never comes (without one, at the
/// deadline; a hold found lapsed at recovery, whose event may have died with an embedded
/// broker, at once). One timer for the event's holds, not a delayed message per reservation
/// actor: in CAF 0.17 a pending delayed message keeps its actor alive, and when the clock
/// thread drops an actor's last reference, the actor's cleanup pushes into the clock's own
/// buffer, which deadlocks when the buffer is full (README design notes). Entries made stale by
/// an extension or an ending are skipped when they come due.
void watch_hold(self_pointer self, const domain::reservation_state& r) {
  auto& st = self->state;
  auto now = now_of(self);
  auto due = r.hold_expires_at <= now ? now : r.hold_expires_at + st.config->expiry_backstop;
  if (auto at = st.backstops.add(due, r.id))
    wake_at(self, now, *at);
}

void backstops_due(self_pointer self) {
  auto& st = self->state;
  auto now = now_of(self);
  auto next = st.backstops.take_due(now, [&](const reservation_id& id) {
    auto* found = st.reservations.find(id);
    if (found == nullptr)
      return;
    auto& entry = found->second;
    const auto& r = entry.latest;
    if (!domain::hold_lapsed(r, now))
      return;          // ended, or extended (its new deadline has an entry of its own)
    if (!entry.handle) // holds are never passivated; this only guards the invariant
      entry.handle = spawn_for(self, r, recovered_seats(self, r));
    self->send(*entry.handle, expire_atom_v);
  });
  if (next)
    wake_at(self, now, *next);
}

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

/// Sends `command` to the reservation's actor (spawning it again if passivated) and hands the
/// answer to `done`. The in-flight count keeps the actor from being passivated meanwhile.
void ask_reservation(self_pointer self, reservation_entry& entry, reservation_command command,
                     reply_handler done) {
  if (!entry.handle)
    entry.handle = spawn_for(self, entry.latest, recovered_seats(self, entry.latest));
  entry.in_flight += 1;
  auto settle = [self, id = entry.latest.id] {
    auto& r = *self->state.reservations.find(id);
    r.second.in_flight -= 1;
    mark_used(self, r);
  };
  // No timeout: the reservation actor only waits on this actor and the store, which always
  // answer, and CAF answers for an actor that died. A timeout would cost two trips through CAF's
  // one clock thread per request (set and cancel), on the hottest path of the node.
  std::visit(
      [&](auto& c) {
        self->request(*entry.handle, caf::infinite, std::move(c))
            .then(
                [=](reservation_reply& reply) {
                  settle();
                  done(std::move(reply));
                },
                [=](caf::error& err) {
                  settle();
                  done(std::move(err));
                });
      },
      command);
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

namespace {

/// Stopped per chunk, a chunk every passivation_pace: up to 100,000 a second. After a burst of
/// holds one sweep finds tens of thousands idle, and stopping them all at once stalled the node
/// for ~0.3 s (a CreateReservation p99 of 71-121 ms at half rate): every stop runs the actor's
/// cleanup on a scheduler thread, and CAF 0.17's cleanup queues a cancellation through its one
/// clock thread. Chunks sent back to back stalled it just as long.
constexpr size_t passivation_chunk = 500;
constexpr auto passivation_pace = std::chrono::milliseconds{5};

} // namespace

/// Stops the actors of idle reservations (reservation_book decides which). Safe because only this
/// actor sends them requests, and none is outstanding; their state stays in `latest`, as stored.
void passivate_idle(self_pointer self) {
  auto& st = self->state;
  if (st.reservations.begin_pass(now_of(self), st.config->passivate_after))
    passivate_some(self);
}

void passivate_some(self_pointer self) {
  auto& st = self->state;
  for (auto* entry :
       st.reservations.next_idle(now_of(self), st.config->passivate_after, passivation_chunk))
    stop_actor(self, *entry, caf::exit_reason::user_shutdown);
  if (st.reservations.passing())
    self->delayed_send(self, passivation_pace, passivate_atom_v);
}

cache_cleared clear_cache(self_pointer self, const cache_clear& c) {
  auto found = self->state.reservations.idle_now();
  // All at once, not paced like passivate_some: an operator's one call, whose answer should say
  // what was freed, is worth a short stall that the sweep's routine passes avoid.
  if (!c.dry_run)
    for (auto* entry : found.idle)
      stop_actor(self, *entry, caf::exit_reason::user_shutdown);
  return {1, static_cast<int64_t>(found.idle.size()), found.kept, found.passivated};
}

/// Rebuilds the event from what the store held: seats follow from the live reservations, holds
/// get their actor back (one that lapsed while the node was down expires at once, through its
/// actor, which stores the change), the others start passivated, completed writes get their
/// replies back, and payments get their actors and are reconciled with their reservations.
void recover(self_pointer self, const recovered_event& found) {
  auto& st = self->state;
  auto now = now_of(self);
  for (const auto& r : found.reservations) {
    bool live = (r.status == domain::reservation_status::hold && !domain::hold_lapsed(r, now)) ||
                r.status == domain::reservation_status::confirmed;
    if (live)
      if (auto taken = retake_seats(self, r); !taken)
        // Two stored reservations claim one seat: never written by this code; keep the first.
        spdlog::critical("event {}: stored reservation {} conflicts with another: {}",
                         st.definition.id(), r.id(), taken.error().message);
    // Holds (live or lapsed) need their actor for the timer; the rest start passivated.
    if (r.status == domain::reservation_status::hold)
      start_reservation(self, r, recovered_seats(self, r));
    else
      add_passivated(self, r);
  }
  for (const auto& entry : found.journal)
    st.writes.restore(entry, now);
  for (const auto& p : found.payments)
    start_payment(self, p);
  for (const auto& p : found.payments)
    reconcile(self, p, {}, log_failure(p.id)); // at recovery: no call to trace
}

} // namespace tt::actors::event_detail
