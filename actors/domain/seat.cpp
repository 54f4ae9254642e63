#include "actors/domain/seat.hpp"

#include "actors/common/invariant.hpp"
#include "actors/common/overloaded.hpp"

namespace tt::domain {
namespace {

bool held_by(const seat_state& seat, const reservation_id& r) noexcept {
  return seat.status == seat_status::held && seat.holder == r;
}

failure not_holder(std::string_view action) {
  return fail(errc::failed_precondition, std::string{"cannot "} + std::string{action} +
                                             ": seat is not held by this reservation");
}

result<std::vector<seat_event>> decide_hold(const seat_state& seat, const hold_seat& cmd,
                                            timestamp now) {
  if (cmd.reservation().empty())
    return fail(errc::invalid_argument, "reservation_id is required",
                {{"reservation_id", "required", ""}});
  if (cmd.until <= now)
    return fail(errc::invalid_argument, "hold must end in the future",
                {{"until", "in the past", ""}});
  if (!is_free(seat, now))
    return fail(errc::inventory_conflict, "seat is not available",
                {{"seat_id", std::string{status_reason(seat, now)}, ""}});
  std::vector<seat_event> events;
  if (seat.status == seat_status::held)
    events.emplace_back(seat_hold_expired{seat.holder});
  events.emplace_back(seat_held{cmd.reservation, cmd.until});
  return events;
}

result<std::vector<seat_event>> decide_sell(const seat_state& seat, const sell_seat& cmd,
                                            timestamp now) {
  if (!held_by(seat, cmd.reservation))
    return not_holder("sell");
  if (seat.held_until <= now)
    return fail(errc::reservation_expired, "the hold has expired");
  return std::vector<seat_event>{seat_sold{cmd.reservation}};
}

[[noreturn]] void breach(std::string_view event, const seat_state& seat) {
  invariant_breach(std::string{event} + " does not fit seat state " +
                   std::string{status_reason(seat, timestamp::max())} + " held by '" +
                   seat.holder() + "'");
}

} // namespace

bool is_free(const seat_state& seat, timestamp now) noexcept {
  return seat.status == seat_status::available ||
         (seat.status == seat_status::held && seat.held_until <= now);
}

std::string_view status_reason(const seat_state& seat, timestamp now) noexcept {
  switch (seat.status) {
    case seat_status::available:
      return "available";
    case seat_status::held:
      return seat.held_until <= now ? "available" : "held";
    case seat_status::sold:
      return "sold";
    case seat_status::blocked:
      return "blocked";
  }
  return "unknown";
}

result<std::vector<seat_event>> decide(const seat_state& seat, const seat_command& command,
                                       timestamp now) {
  using events = std::vector<seat_event>;
  return std::visit(
      overloaded{
          [&](const hold_seat& c) -> result<events> { return decide_hold(seat, c, now); },
          [&](const sell_seat& c) -> result<events> { return decide_sell(seat, c, now); },
          [&](const release_seat& c) -> result<events> {
            // The holder may release even after `until`: the seat is free either way.
            if (!held_by(seat, c.reservation))
              return not_holder("release");
            return events{seat_released{c.reservation}};
          },
          [&](const expire_seat_hold& c) -> result<events> {
            if (!held_by(seat, c.reservation))
              return not_holder("expire");
            if (seat.held_until > now)
              return fail(errc::failed_precondition, "the hold has not run out yet");
            return events{seat_hold_expired{c.reservation}};
          },
          [&](const return_seat& c) -> result<events> {
            if (seat.status != seat_status::sold || seat.holder != c.reservation)
              return fail(errc::failed_precondition, "seat is not sold to this reservation");
            return events{seat_returned{c.reservation}};
          },
          [&](const prolong_seat_hold& c) -> result<events> {
            if (!held_by(seat, c.reservation))
              return not_holder("prolong");
            if (seat.held_until <= now)
              return fail(errc::reservation_expired, "the hold has expired");
            if (c.until <= seat.held_until)
              return fail(errc::invalid_argument, "a prolonged hold must end later",
                          {{"until", "not after the current deadline", ""}});
            return events{seat_hold_prolonged{c.reservation, c.until}};
          },
      },
      command);
}

seat_state apply(seat_state seat, const seat_event& event) {
  auto free_seat = [&seat] {
    seat.status = seat_status::available;
    seat.holder = reservation_id{};
    seat.held_until = timestamp{};
  };
  std::visit(overloaded{
                 [&](const seat_held& e) {
                   if (seat.status != seat_status::available)
                     breach("seat_held", seat);
                   seat.status = seat_status::held;
                   seat.holder = e.reservation;
                   seat.held_until = e.until;
                 },
                 [&](const seat_sold& e) {
                   if (!held_by(seat, e.reservation))
                     breach("seat_sold", seat);
                   seat.status = seat_status::sold;
                   seat.held_until = timestamp{};
                 },
                 [&](const seat_released& e) {
                   if (!held_by(seat, e.reservation))
                     breach("seat_released", seat);
                   free_seat();
                 },
                 [&](const seat_hold_expired& e) {
                   if (!held_by(seat, e.reservation))
                     breach("seat_hold_expired", seat);
                   free_seat();
                 },
                 [&](const seat_returned& e) {
                   if (seat.status != seat_status::sold || seat.holder != e.reservation)
                     breach("seat_returned", seat);
                   free_seat();
                 },
                 [&](const seat_hold_prolonged& e) {
                   if (!held_by(seat, e.reservation))
                     breach("seat_hold_prolonged", seat);
                   seat.held_until = e.until;
                 },
             },
             event);
  return seat;
}

} // namespace tt::domain
