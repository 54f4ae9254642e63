// decide() for event_inventory_state: request validation, explicit all-or-nothing holds, commit,
// release, return and the expiry sweep. Best-available selection is in best_available.cpp.
#include <unordered_set>

#include "actors/common/overloaded.hpp"
#include "actors/domain/event_inventory.hpp"

namespace tt::domain {
namespace {

using events = std::vector<inventory_event>;

failure invalid(std::string field, std::string reason, std::string value = {}) {
  std::string message = field + ": " + reason;
  return fail(errc::invalid_argument, std::move(message),
              {error_detail{std::move(field), std::move(reason), std::move(value)}});
}

failure no_holding(const reservation_id& r) {
  return fail(errc::not_found, "reservation holds no seats of this event",
              {{"reservation_id", "no holding", r().substr(0, 128)}});
}

result<void> validate_shape(const hold_seats& cmd, const reservation_policy& policy,
                            timestamp now) {
  if (cmd.reservation().empty())
    return invalid("reservation_id", "required");
  if (cmd.seat_ids.empty() == (cmd.quantity == 0))
    return invalid(cmd.seat_ids.empty() ? "quantity" : "seat_ids",
                   "give exactly one of seat_ids and quantity");
  auto max = std::to_string(policy.max_seats);
  if (!cmd.seat_ids.empty() && cmd.seat_ids.size() > static_cast<std::size_t>(policy.max_seats))
    return invalid("seat_ids", "at most " + max + " seats", std::to_string(cmd.seat_ids.size()));
  if (cmd.seat_ids.empty() && (cmd.quantity < 1 || cmd.quantity > policy.max_seats))
    return invalid("quantity", "must be 1.." + max, std::to_string(cmd.quantity));
  if (cmd.until <= now)
    return invalid("hold_expires_at", "must be in the future");
  std::unordered_set<std::string_view> seen;
  for (const auto& id : cmd.seat_ids)
    if (!seen.insert(id()).second)
      return invalid("seat_ids", "duplicate seat id", id().substr(0, 64));
  return {};
}

} // namespace

result<std::vector<uint32_t>> event_inventory_state::resolve_explicit(const hold_seats& cmd,
                                                                      timestamp now) const {
  std::vector<uint32_t> chosen;
  std::vector<error_detail> unknown, taken;
  for (const auto& id : cmd.seat_ids) {
    auto it = index_.find(id);
    if (it == index_.end()) {
      unknown.push_back({"seat_ids", "unknown seat", id().substr(0, 64)});
    } else if (!is_free(seats_[it->second].state, now)) {
      taken.push_back(
          {"seat_ids", std::string{status_reason(seats_[it->second].state, now)}, id()});
    } else {
      chosen.push_back(it->second);
    }
  }
  if (!unknown.empty())
    return fail(errc::not_found, "unknown seat ids for event " + event_(), std::move(unknown));
  if (!taken.empty())
    return fail(errc::inventory_conflict, "some seats are not available; none were held",
                std::move(taken));
  return chosen;
}

void event_inventory_state::append_lapsed_holds(const std::vector<uint32_t>& seats, timestamp now,
                                                std::vector<inventory_event>& out) const {
  std::unordered_set<std::string_view> seen;
  for (auto i : seats) {
    const auto& state = seats_[i].state;
    if (state.status != seat_status::held || state.held_until > now)
      continue;
    if (seen.insert(state.holder()).second)
      out.emplace_back(seats_event<hold_expired>(state.holder, holdings_.at(state.holder)));
  }
}

template <class Event>
Event event_inventory_state::seats_event(const reservation_id& reservation,
                                         const holding& h) const {
  Event e;
  e.reservation = reservation;
  e.seats.reserve(h.seats.size());
  for (auto i : h.seats)
    e.seats.push_back(seats_[i].id);
  return e;
}

result<std::vector<inventory_event>> decide(const event_inventory_state& s,
                                            const inventory_command& command, timestamp now) {
  using state = event_inventory_state;
  auto find = [&s](const reservation_id& r) -> const state::holding* {
    auto it = s.holdings_.find(r);
    return it == s.holdings_.end() ? nullptr : &it->second;
  };
  return std::visit(
      overloaded{
          [&](const hold_seats& c) -> result<events> {
            if (auto ok = validate_shape(c, s.policy_, now); !ok)
              return std::move(ok).error();
            if (now < s.sale_starts_at_ || now >= s.sale_ends_at_)
              return fail(errc::failed_precondition, "the sale for this event is not open");
            if (find(c.reservation) != nullptr)
              return fail(errc::already_exists, "reservation already holds seats of this event");
            auto chosen = c.seat_ids.empty() ? s.best_available(c.quantity, c.section, now)
                                             : s.resolve_explicit(c, now);
            if (!chosen)
              return std::move(chosen).error();
            events out;
            s.append_lapsed_holds(*chosen, now, out);
            state::holding h{std::move(*chosen), c.until, false};
            auto held = s.seats_event<seats_held>(c.reservation, h);
            held.until = c.until;
            out.emplace_back(std::move(held));
            return out;
          },
          [&](const commit_seats& c) -> result<events> {
            const auto* h = find(c.reservation);
            if (h == nullptr)
              return no_holding(c.reservation);
            if (h->sold)
              return fail(errc::failed_precondition, "seats are already sold to this reservation");
            if (h->until <= now)
              return fail(errc::reservation_expired, "the hold has expired");
            return events{s.seats_event<seats_sold>(c.reservation, *h)};
          },
          [&](const release_seats& c) -> result<events> {
            const auto* h = find(c.reservation);
            if (h == nullptr)
              return no_holding(c.reservation);
            if (h->sold)
              return fail(errc::failed_precondition, "seats are sold; refund them instead");
            return events{s.seats_event<seats_released>(c.reservation, *h)};
          },
          [&](const return_seats& c) -> result<events> {
            const auto* h = find(c.reservation);
            if (h == nullptr)
              return no_holding(c.reservation);
            if (!h->sold)
              return fail(errc::failed_precondition, "seats are not sold; release them instead");
            return events{s.seats_event<seats_returned>(c.reservation, *h)};
          },
          [&](const prolong_hold& c) -> result<events> {
            const auto* h = find(c.reservation);
            if (h == nullptr)
              return no_holding(c.reservation);
            if (h->sold)
              return fail(errc::failed_precondition, "seats are already sold");
            if (h->until <= now)
              return fail(errc::reservation_expired, "the hold has expired");
            if (c.until <= h->until)
              return invalid("hold_expires_at", "must be after the current deadline");
            auto prolonged = s.seats_event<hold_prolonged>(c.reservation, *h);
            prolonged.until = c.until;
            return events{std::move(prolonged)};
          },
          [&](const expire_holds&) -> result<events> {
            events out;
            for (auto it = s.deadlines_.begin(); it != s.deadlines_.end() && it->first <= now; ++it)
              out.emplace_back(s.seats_event<hold_expired>(it->second, s.holdings_.at(it->second)));
            return out;
          },
      },
      command);
}

} // namespace tt::domain
