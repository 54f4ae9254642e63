// Best-available selection for a hold by quantity. Preference, in order:
//   1. all seats adjacent in one row (neighbours in the catalog's seat order), best tier first;
//   2. all seats in one section, front rows first;
//   3. the best-tier seats wherever they are.
// "Best tier" means the highest price (premium seats first); ties keep catalog order, so the
// catalog author ranks equal-price sections. Row and section counters let the scan skip full rows
// and sections, so it touches seats mostly where a fit is possible.
#include <algorithm>
#include <numeric>

#include "actors/domain/event_inventory.hpp"

namespace tt::domain {

std::vector<uint32_t> event_inventory_state::ranked_sections(std::string_view only) const {
  std::vector<uint32_t> ranked;
  for (uint32_t i = 0; i < sections_.size(); ++i)
    if (only.empty() || sections_[i].section == only)
      ranked.push_back(i);
  std::stable_sort(ranked.begin(), ranked.end(), [this](uint32_t a, uint32_t b) {
    return sections_[a].price > sections_[b].price;
  });
  return ranked;
}

bool event_inventory_state::find_run(const row_slot& row, int32_t quantity, timestamp now,
                                     std::vector<uint32_t>& out) const {
  int32_t run = 0;
  for (uint32_t i = row.first_seat; i < row.first_seat + row.seat_count; ++i) {
    run = is_free(seats_[i].state, now) ? run + 1 : 0;
    if (run == quantity) {
      out.resize(static_cast<std::size_t>(quantity));
      std::iota(out.begin(), out.end(), i + 1 - static_cast<uint32_t>(quantity));
      return true;
    }
  }
  return false;
}

result<std::vector<uint32_t>> event_inventory_state::best_available(int32_t quantity,
                                                                    std::string_view section,
                                                                    timestamp now) const {
  auto ranked = ranked_sections(section);
  if (ranked.empty())
    return fail(errc::not_found, "no such section",
                {{"section", "unknown", std::string{section.substr(0, 64)}}});
  // Lapsed holds count as held until swept, so then up to available + held seats may be free.
  // Usually the sweep keeps up and no hold has lapsed: then only `available` counts, and rows full
  // of live holds are skipped without touching their seats.
  bool lapsed = !deadlines_.empty() && deadlines_.begin()->first <= now;
  auto may_be_free = [lapsed](const inventory_counts& c) {
    return c.available + (lapsed ? c.held : 0);
  };
  auto insufficient = [quantity](std::size_t free) {
    return fail(errc::insufficient_inventory, "not enough seats available",
                {{"quantity", "only " + std::to_string(free) + " seats available",
                  std::to_string(quantity)}});
  };
  std::size_t candidates = 0;
  for (auto si : ranked)
    candidates += static_cast<std::size_t>(may_be_free(sections_[si].counts));
  if (candidates < static_cast<std::size_t>(quantity))
    return insufficient(candidates); // the sold-out case answers without touching a seat
  std::vector<uint32_t> out;
  for (auto si : ranked) {
    const auto& sec = sections_[si];
    if (may_be_free(sec.counts) < quantity)
      continue;
    for (auto r = sec.first_row; r < sec.first_row + sec.row_count; ++r)
      if (may_be_free(rows_[r].counts) >= quantity && find_run(rows_[r], quantity, now, out))
        return out;
  }
  // Collects free seats of the ranked sections in order: all from one section if one has enough,
  // else across sections.
  enum class spread : uint8_t { one_section, across_sections };
  auto collect = [&](spread how) {
    bool per_section = how == spread::one_section; // `out` starts over at each section
    out.clear();
    for (auto si : ranked) {
      const auto& sec = sections_[si];
      if (per_section)
        out.clear();
      if (may_be_free(sec.counts) < (per_section ? quantity : 1))
        continue;
      for (auto r = sec.first_row; r < sec.first_row + sec.row_count; ++r) {
        const auto& row = rows_[r];
        if (may_be_free(row.counts) == 0)
          continue;
        for (auto i = row.first_seat; i < row.first_seat + row.seat_count; ++i) {
          if (is_free(seats_[i].state, now))
            out.push_back(i);
          if (out.size() == static_cast<std::size_t>(quantity))
            return true;
        }
      }
    }
    return false;
  };
  if (collect(spread::one_section) || collect(spread::across_sections))
    return out;
  return insufficient(out.size());
}

} // namespace tt::domain
