#include "actors/runtime/reservation_book.hpp"

#include <algorithm>

namespace tt::actors {

namespace {

/// Past its hold (a hold keeps its actor: it owns the timer), nothing outstanding, unused for
/// `after`.
bool idle(const reservation_entry& entry, timestamp now, std::chrono::milliseconds after) {
  return entry.handle && entry.in_flight == 0 &&
         entry.latest.status != domain::reservation_status::hold && now - entry.last_used >= after;
}

} // namespace

reservation_book::value_type& reservation_book::add(const domain::reservation_state& state,
                                                    std::optional<reservation_actor> handle,
                                                    timestamp now) {
  bool active = handle.has_value();
  auto& r =
      *reservations_.try_emplace(state.id, reservation_entry{std::move(handle), state, now}).first;
  if (active)
    mark_used(r, now);
  by_user_[state.owner].push_back(state.id);
  return r;
}

std::vector<domain::reservation_state>
reservation_book::of_user(const user_id& user, domain::reservation_status status) const {
  std::vector<domain::reservation_state> out;
  auto it = by_user_.find(user);
  if (it == by_user_.end())
    return out;
  for (const auto& id : it->second) {
    const auto& r = latest(id);
    if (status == domain::reservation_status::unspecified || r.status == status)
      out.push_back(r);
  }
  return out;
}

void reservation_book::mark_used(value_type& r, timestamp now) {
  r.second.last_used = now;
  idle_order_.emplace_back(now, &r);
}

bool reservation_book::begin_pass(timestamp now, std::chrono::milliseconds after) {
  if (passing())
    return false;
  while (!idle_order_.empty() && now - idle_order_.front().first >= after) {
    auto* r = idle_order_.front().second;
    idle_order_.pop_front();
    if (idle(r->second, now, after))
      to_passivate_.push_back(r);
  }
  return true;
}

std::vector<reservation_entry*>
reservation_book::next_idle(timestamp now, std::chrono::milliseconds after, std::size_t limit) {
  std::vector<reservation_entry*> out;
  while (out.size() < limit && !to_passivate_.empty()) {
    auto& entry = to_passivate_.back()->second;
    to_passivate_.pop_back();
    // Used again since the pass began, or listed twice: the later listing (or pass) decides.
    if (idle(entry, now, after) && std::find(out.begin(), out.end(), &entry) == out.end())
      out.push_back(&entry);
  }
  return out;
}

reservation_book::census reservation_book::idle_now() {
  census out;
  reservations_.for_each([&](value_type& r) {
    auto& entry = r.second;
    if (!entry.handle)
      ++out.passivated;
    else if (entry.in_flight == 0 && entry.latest.status != domain::reservation_status::hold)
      out.idle.push_back(&entry);
    else
      ++out.kept;
  });
  return out;
}

} // namespace tt::actors
