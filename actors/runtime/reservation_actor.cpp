#include "actors/runtime/reservation_actor.hpp"

#include <caf/all.hpp>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/event_actor.hpp"

namespace tt::actors {

namespace {

struct reservation_actor_state {
  static inline const char* name = "reservation";
  domain::reservation_state reservation;
  /// The reservation's seats (section, row, number, price); statuses follow the reservation.
  std::vector<domain::seat_view> seats;
  event_actor event;
  std::shared_ptr<const runtime_config> config;
  ulid_generator ids{0};
};

using self_pointer = reservation_actor::stateful_pointer<reservation_actor_state>;
using reply_promise = caf::typed_response_promise<reservation_reply>;

/// Seat moves wait at most this long for the event actor (same node, never blocked on us).
constexpr auto seat_move_timeout = std::chrono::seconds{5};

timestamp now_of(self_pointer self) {
  return self->state.config->time->now();
}

reservation_reply reply_of(self_pointer self,
                           std::optional<extension_outcome> extension = std::nullopt) {
  return {self->state.reservation, self->state.seats, std::move(extension)};
}

void schedule_expiry(self_pointer self) {
  auto left = self->state.reservation.hold_expires_at - now_of(self);
  if (left < std::chrono::milliseconds{0})
    left = std::chrono::milliseconds{0};
  self->delayed_send(self, left, expire_atom_v);
}

void set_seat_status(self_pointer self, domain::seat_status status) {
  for (auto& seat : self->state.seats)
    seat.status = status;
}

/// Applies `events`, tells the event actor (read model), and re-arms the timer if the hold moved.
void commit_events(self_pointer self, const std::vector<domain::reservation_event>& events) {
  auto& st = self->state;
  for (const auto& e : events) {
    st.reservation = domain::apply(std::move(st.reservation), e);
    if (std::holds_alternative<domain::hold_extended>(e))
      schedule_expiry(self);
  }
  self->send(st.event, reservation_changed{st.reservation});
}

/// Decides `command`; if accepted, has the event move the seats (`move`), then applies. The
/// reservation takes no other message until the event has answered.
caf::result<reservation_reply> decide_and_move(self_pointer self,
                                               const domain::reservation_command& command,
                                               seat_move move, domain::seat_status seats_after) {
  auto& st = self->state;
  auto decided = domain::decide(st.reservation, command, now_of(self), st.config->policy);
  if (!decided)
    return to_caf_error(decided.error());
  auto events = std::move(*decided);
  auto promise = self->make_response_promise<reservation_reply>();
  self->request(st.event, seat_move_timeout, seat_change{st.reservation.id, move, {}})
      .await(
          [=](std::vector<domain::seat_view>&) mutable {
            commit_events(self, events);
            set_seat_status(self, seats_after);
            promise.deliver(reply_of(self));
          },
          [=](caf::error& err) mutable { promise.deliver(err); });
  return promise;
}

caf::result<reservation_reply> confirm(self_pointer self, const reservation_request& req) {
  auto& st = self->state;
  // No payment service runs yet (issue #6), so no intent can be approved: the domain rejects the
  // confirmation with payment_not_approved after its owner, status and expiry checks.
  domain::payment_outcome payment{req.payment_intent_id, domain::payment_verdict::pending, {}};
  auto order = mint_order_id(shard_of(st.reservation.event, st.config->shard_count),
                             st.reservation.event, st.ids.next(now_of(self)));
  return decide_and_move(self, domain::confirm_reservation{req.scope.user, payment, order},
                         seat_move::commit, domain::seat_status::sold);
}

caf::result<reservation_reply> extend(self_pointer self, const reservation_request& req) {
  auto& st = self->state;
  auto decided = domain::decide(st.reservation, domain::extend_hold{req.scope.user, req.extension},
                                now_of(self), st.config->policy);
  if (!decided)
    return to_caf_error(decided.error());
  auto events = std::move(*decided);
  const auto* granted = events.empty() ? nullptr : std::get_if<domain::hold_extended>(&events[0]);
  if (granted == nullptr) {
    const auto* denied = std::get_if<domain::hold_extension_denied>(&events[0]);
    return reply_of(self, extension_outcome{false, {}, denied ? denied->reason : ""});
  }
  auto outcome = extension_outcome{true, granted->extended_by, {}};
  auto promise = self->make_response_promise<reservation_reply>();
  self->request(st.event, seat_move_timeout,
                seat_change{st.reservation.id, seat_move::prolong, granted->new_expires_at})
      .await(
          [=](std::vector<domain::seat_view>&) mutable {
            commit_events(self, events);
            promise.deliver(reply_of(self, outcome));
          },
          [=](caf::error& err) mutable { promise.deliver(err); });
  return promise;
}

void expire(self_pointer self) {
  auto& st = self->state;
  if (st.reservation.status != domain::reservation_status::hold)
    return;
  if (st.reservation.hold_expires_at > now_of(self)) {
    schedule_expiry(self); // the timer ran early, or the hold was extended meanwhile
    return;
  }
  auto decided =
      domain::decide(st.reservation, domain::expire_reservation{}, now_of(self), st.config->policy);
  if (!decided)
    return;
  auto events = std::move(*decided);
  self->request(st.event, seat_move_timeout, seat_change{st.reservation.id, seat_move::expire, {}})
      .await(
          [=](std::vector<domain::seat_view>&) {
            commit_events(self, events);
            set_seat_status(self, domain::seat_status::available);
          },
          // The event actor is on this node and answers unless the node is stopping: retry later.
          [=](caf::error&) { self->delayed_send(self, std::chrono::seconds{1}, expire_atom_v); });
}

caf::result<reservation_reply> handle(self_pointer self, const reservation_request& req) {
  auto& st = self->state;
  switch (req.action) {
    case reservation_action::get:
      if (auto allowed = domain::authorize(st.reservation, req.scope.user); !allowed)
        return to_caf_error(allowed.error());
      return reply_of(self);
    case reservation_action::confirm:
      return confirm(self, req);
    case reservation_action::cancel:
      return decide_and_move(self, domain::cancel_reservation{req.scope.user, req.reason},
                             seat_move::release, domain::seat_status::available);
    case reservation_action::release:
      // ReleaseHold is an inventory operation with no user in the contract: it acts for the owner.
      return decide_and_move(self, domain::cancel_reservation{st.reservation.owner, req.reason},
                             seat_move::release, domain::seat_status::available);
    case reservation_action::extend:
      return extend(self, req);
  }
  return to_caf_error(fail(errc::invalid_argument, "unknown reservation action"));
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
    st.ids = ulid_generator{std::hash<std::string>{}(initial.id())};
    st.reservation = std::move(initial);
    st.seats = std::move(seats);
    st.event = caf::actor_cast<event_actor>(event);
    st.config = std::move(config);
    schedule_expiry(self);
    return {
        [=](const reservation_request& req) { return handle(self, req); },
        [=](expire_atom) { expire(self); },
    };
  });
}

} // namespace tt::actors
