#include "actors/domain/event_inventory.hpp"

#include "actors/common/invariant.hpp"
#include "actors/common/overloaded.hpp"

namespace tt::domain {
namespace {

int32_t sum(const inventory_counts& c) {
  return c.available + c.held + c.sold + c.blocked;
}

bool same_counts(const inventory_counts& a, const inventory_counts& b) {
  return a.total == b.total && a.available == b.available && a.held == b.held && a.sold == b.sold &&
         a.blocked == b.blocked;
}

std::string_view number_of(const seat_id& id) {
  return std::string_view{id()}.substr(id().rfind('-') + 1);
}

} // namespace

result<event_inventory_state> event_inventory_state::create(const event_definition& def,
                                                            const reservation_policy& policy) {
  if (auto ok = validate(def); !ok)
    return std::move(ok).error();
  event_inventory_state s;
  s.event_ = def.id;
  s.currency_ = def.currency;
  s.sale_starts_at_ = def.sale_starts_at;
  s.sale_ends_at_ = def.sale_ends_at;
  s.policy_ = policy;
  for (const auto& section : def.sections) {
    section_slot sec{section.section,
                     section.name,
                     section.price,
                     static_cast<uint32_t>(s.rows_.size()),
                     static_cast<uint32_t>(section.rows.size()),
                     {}};
    for (const auto& row : section.rows) {
      row_slot r{row.row,
                 static_cast<uint32_t>(s.seats_.size()),
                 static_cast<uint32_t>(row.seat_numbers.size()),
                 {}};
      for (const auto& number : row.seat_numbers) {
        s.seats_.push_back({make_seat_id(section.section, row.row, number),
                            static_cast<uint32_t>(s.sections_.size()),
                            static_cast<uint32_t>(s.rows_.size()), seat_state{}});
      }
      s.rows_.push_back(std::move(r));
    }
    s.sections_.push_back(std::move(sec));
  }
  s.index_.reserve(s.seats_.size());
  for (uint32_t i = 0; i < s.seats_.size(); ++i) {
    s.index_.emplace(s.seats_[i].id, i);
    s.count(s.sections_[s.seats_[i].section].counts, seat_status::available, 1);
    s.count(s.rows_[s.seats_[i].row].counts, seat_status::available, 1);
    s.count(s.totals_, seat_status::available, 1);
  }
  for (auto& c : s.sections_)
    c.counts.total = c.counts.available;
  for (auto& c : s.rows_)
    c.counts.total = c.counts.available;
  s.totals_.total = s.totals_.available;
  for (const auto& blocked : def.blocked_seats) {
    auto i = s.index_.at(blocked);
    s.count(s.sections_[s.seats_[i].section].counts, seat_status::available, -1);
    s.count(s.sections_[s.seats_[i].section].counts, seat_status::blocked, 1);
    s.count(s.rows_[s.seats_[i].row].counts, seat_status::available, -1);
    s.count(s.rows_[s.seats_[i].row].counts, seat_status::blocked, 1);
    s.count(s.totals_, seat_status::available, -1);
    s.count(s.totals_, seat_status::blocked, 1);
    s.seats_[i].state.status = seat_status::blocked;
  }
  return s;
}

void event_inventory_state::count(inventory_counts& counts, seat_status status, int32_t delta) {
  switch (status) {
    case seat_status::available:
      counts.available += delta;
      return;
    case seat_status::held:
      counts.held += delta;
      return;
    case seat_status::sold:
      counts.sold += delta;
      return;
    case seat_status::blocked:
      counts.blocked += delta;
      return;
  }
}

uint32_t event_inventory_state::index_of(const seat_id& id) const {
  auto it = index_.find(id);
  if (it == index_.end())
    invariant_breach("event " + event_() + ": event names unknown seat " + id());
  return it->second;
}

void event_inventory_state::apply_to_seat(uint32_t index, const seat_event& event) {
  auto& slot = seats_[index];
  auto before = slot.state.status;
  slot.state = domain::apply(std::move(slot.state), event);
  auto after = slot.state.status;
  for (auto* counts : {&sections_[slot.section].counts, &rows_[slot.row].counts, &totals_}) {
    count(*counts, before, -1);
    count(*counts, after, 1);
  }
}

void apply(event_inventory_state& s, const inventory_event& event) {
  using state = event_inventory_state;
  auto take_holding = [&s](const reservation_id& r) {
    auto it = s.holdings_.find(r);
    if (it == s.holdings_.end())
      invariant_breach("event " + s.event_() + ": no holding for " + r());
    return it;
  };
  // Releases, expiries and returns all end a holding and free its seats.
  auto end_holding = [&](const reservation_id& r, const std::vector<seat_id>& seats,
                         const seat_event& per_seat) {
    auto it = take_holding(r);
    if (it->second.seats.size() != seats.size())
      invariant_breach("event " + s.event_() + ": partial release of " + r());
    for (const auto& id : seats)
      s.apply_to_seat(s.index_of(id), per_seat);
    s.deadlines_.erase({it->second.until, r});
    s.holdings_.erase(it);
  };
  std::visit(
      overloaded{
          [&](const seats_held& e) {
            state::holding h{{}, e.until, false};
            for (const auto& id : e.seats) {
              h.seats.push_back(s.index_of(id));
              s.apply_to_seat(h.seats.back(), seat_held{e.reservation, e.until});
            }
            if (!s.holdings_.emplace(e.reservation, std::move(h)).second)
              invariant_breach("event " + s.event_() + ": second hold for " + e.reservation());
            s.deadlines_.emplace(e.until, e.reservation);
          },
          [&](const seats_sold& e) {
            auto it = take_holding(e.reservation);
            if (it->second.seats.size() != e.seats.size())
              invariant_breach("event " + s.event_() + ": partial sale to " + e.reservation());
            for (const auto& id : e.seats)
              s.apply_to_seat(s.index_of(id), seat_sold{e.reservation});
            it->second.sold = true;
            s.deadlines_.erase({it->second.until, e.reservation});
          },
          [&](const seats_released& e) {
            end_holding(e.reservation, e.seats, seat_released{e.reservation});
          },
          [&](const hold_expired& e) {
            end_holding(e.reservation, e.seats, seat_hold_expired{e.reservation});
          },
          [&](const seats_returned& e) {
            end_holding(e.reservation, e.seats, seat_returned{e.reservation});
          },
          [&](const hold_prolonged& e) {
            auto it = take_holding(e.reservation);
            for (const auto& id : e.seats)
              s.apply_to_seat(s.index_of(id), seat_hold_prolonged{e.reservation, e.until});
            s.deadlines_.erase({it->second.until, e.reservation});
            s.deadlines_.emplace(e.until, e.reservation);
            it->second.until = e.until;
          },
      },
      event);
}

seat_view event_inventory_state::view_of(uint32_t index, timestamp now) const {
  const auto& slot = seats_[index];
  const auto& section = sections_[slot.section];
  auto status = is_free(slot.state, now) ? seat_status::available : slot.state.status;
  return seat_view{slot.id,
                   section.section,
                   rows_[slot.row].row,
                   std::string{number_of(slot.id)},
                   money{section.price, currency_},
                   status};
}

void event_inventory_state::move_lapsed_to_available(std::vector<inventory_counts>& per_section,
                                                     timestamp now) const {
  for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it) {
    for (auto i : holdings_.at(it->second).seats) {
      auto& c = per_section[seats_[i].section];
      --c.held;
      ++c.available;
    }
  }
}

std::vector<section_summary> event_inventory_state::sections(timestamp now) const {
  std::vector<inventory_counts> counts;
  counts.reserve(sections_.size());
  for (const auto& s : sections_)
    counts.push_back(s.counts);
  move_lapsed_to_available(counts, now);
  std::vector<section_summary> out;
  out.reserve(sections_.size());
  for (std::size_t i = 0; i < sections_.size(); ++i) {
    const auto& s = sections_[i];
    out.push_back({s.section, s.name, money{s.price, currency_}, counts[i]});
  }
  return out;
}

result<section_summary> event_inventory_state::section(std::string_view name, timestamp now) const {
  for (auto& summary : sections(now))
    if (summary.section == name)
      return std::move(summary);
  return fail(errc::not_found, "no such section",
              {{"section", "unknown", std::string{name.substr(0, 64)}}});
}

inventory_counts event_inventory_state::totals(timestamp now) const {
  inventory_counts out;
  for (const auto& s : sections(now)) {
    out.total += s.counts.total;
    out.available += s.counts.available;
    out.held += s.counts.held;
    out.sold += s.counts.sold;
    out.blocked += s.counts.blocked;
  }
  return out;
}

result<availability_report> event_inventory_state::availability_of(const std::vector<seat_id>& ids,
                                                                   timestamp now) const {
  if (ids.empty() || ids.size() > static_cast<std::size_t>(policy_.max_query_seats))
    return fail(errc::invalid_argument, "too few or too many seat ids",
                {{"seat_ids", "must list 1.." + std::to_string(policy_.max_query_seats) + " seats",
                  std::to_string(ids.size())}});
  availability_report report;
  std::vector<error_detail> unknown;
  for (const auto& id : ids) {
    auto it = index_.find(id);
    if (it == index_.end()) {
      unknown.push_back({"seat_ids", "unknown seat", id().substr(0, 64)});
      continue;
    }
    if (is_free(seats_[it->second].state, now))
      report.available.push_back(view_of(it->second, now));
    else
      report.unavailable.push_back(id);
  }
  if (!unknown.empty())
    return fail(errc::not_found, "unknown seat ids", std::move(unknown));
  return report;
}

std::optional<seat_view> event_inventory_state::seat(const seat_id& id, timestamp now) const {
  auto it = index_.find(id);
  if (it == index_.end())
    return std::nullopt;
  return view_of(it->second, now);
}

std::vector<seat_view> event_inventory_state::seats_of(const reservation_id& reservation,
                                                       timestamp now) const {
  std::vector<seat_view> out;
  if (auto it = holdings_.find(reservation); it != holdings_.end())
    for (auto i : it->second.seats)
      out.push_back(view_of(i, now));
  return out;
}

money event_inventory_state::total_of(const reservation_id& reservation) const {
  money total{0, currency_};
  if (auto it = holdings_.find(reservation); it != holdings_.end())
    for (auto i : it->second.seats)
      total.amount += sections_[seats_[i].section].price;
  return total;
}

result<void> event_inventory_state::check_invariants() const {
  auto broken = [this](std::string what) {
    return fail(errc::internal, "event " + event_() + ": " + std::move(what));
  };
  std::vector<inventory_counts> sections(sections_.size()), rows(rows_.size());
  inventory_counts totals;
  for (uint32_t i = 0; i < seats_.size(); ++i) {
    const auto& slot = seats_[i];
    for (auto* c : {&sections[slot.section], &rows[slot.row], &totals}) {
      ++c->total;
      count(*c, slot.state.status, 1);
    }
    bool has_holder =
        slot.state.status == seat_status::held || slot.state.status == seat_status::sold;
    if (has_holder != !slot.state.holder().empty())
      return broken("seat " + slot.id() + " holder does not match its status");
    if (!has_holder)
      continue;
    auto it = holdings_.find(slot.state.holder);
    if (it == holdings_.end() || (slot.state.status == seat_status::sold) != it->second.sold)
      return broken("seat " + slot.id() + " is not in its holder's holding");
    if (slot.state.status == seat_status::held && slot.state.held_until != it->second.until)
      return broken("seat " + slot.id() + " deadline differs from its holding");
  }
  std::size_t held_or_sold = 0, unsold = 0;
  for (const auto& [reservation, h] : holdings_) {
    held_or_sold += h.seats.size();
    for (auto i : h.seats)
      if (seats_[i].state.holder != reservation)
        return broken("holding of " + reservation() + " lists seat " + seats_[i].id());
    if (!h.sold && (++unsold, deadlines_.count({h.until, reservation}) == 0))
      return broken("holding of " + reservation() + " has no deadline");
  }
  if (unsold != deadlines_.size() ||
      held_or_sold != static_cast<std::size_t>(totals.held + totals.sold))
    return broken("holdings and seats disagree");
  for (std::size_t i = 0; i < sections_.size(); ++i)
    if (!same_counts(sections[i], sections_[i].counts) || sum(sections[i]) != sections[i].total)
      return broken("counters of section " + sections_[i].section);
  for (std::size_t i = 0; i < rows_.size(); ++i)
    if (!same_counts(rows[i], rows_[i].counts))
      return broken("counters of row " + rows_[i].row);
  if (!same_counts(totals, totals_) || sum(totals) != capacity() || index_.size() != seats_.size())
    return broken("event counters");
  return {};
}

} // namespace tt::domain
