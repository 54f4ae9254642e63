// Negative controls: the unguarded twins of the guards that tests switch off (unsafe_switches), to
// prove the tests catch the bug each guard prevents. Kept apart from the production handlers,
// which are given one or the other when their actor starts.
#include <spdlog/spdlog.h>

#include "actors/runtime/admission_actor_state.hpp"
#include "actors/runtime/event_actor_state.hpp"
#include "actors/runtime/shard_region_state.hpp"

namespace tt::actors::event_detail {

namespace {

/// The window between check and act, like a slow write would open.
constexpr auto unsafe_apply_delay = std::chrono::milliseconds{100};

} // namespace

taken_seats take_seats_later(self_pointer self, domain::hold_seats command,
                             const std::vector<domain::inventory_event>& decided) {
  auto& st = self->state;
  auto now = now_of(self);
  taken_seats out{{}, domain::money{0, st.definition.currency}};
  for (const auto& e : decided)
    if (auto* held = std::get_if<domain::seats_held>(&e)) {
      command.seat_ids = held->seats;
      command.quantity = 0;
      for (const auto& seat : held->seats) {
        out.seats.push_back(*st.inventory.seat(seat, now));
        out.seats.back().status = domain::seat_status::held;
        out.total.amount += out.seats.back().price.amount;
      }
    }
  self->delayed_send(self, unsafe_apply_delay, deferred_hold{std::move(command)});
  return out;
}

void apply_deferred_hold(self_pointer self, const deferred_hold& d) {
  auto& st = self->state;
  auto decided = domain::decide(st.inventory, d.command, now_of(self));
  if (!decided) {
    spdlog::warn("event {}: unsafe mode lost the hold of {} ({}): its seats were oversold",
                 st.definition.id(), d.command.reservation(), decided.error().message);
    return;
  }
  apply_all(st.inventory, *decided);
  report_stock(self);
}

} // namespace tt::actors::event_detail

namespace tt::actors::admission_detail {

void answer_at_once(self_pointer, durable_continuation then) {
  then(std::nullopt);
}

} // namespace tt::actors::admission_detail

namespace tt::actors {

admission_actor no_gate(region_pointer, const event_id&) {
  return {};
}

} // namespace tt::actors
