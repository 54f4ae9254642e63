#include "actors/runtime/payment_book.hpp"

#include "actors/domain/settlement.hpp"

namespace tt::actors {

void payment_book::add(const domain::payment_state& state, payment_actor handle) {
  bool added = payments_.insert_or_assign(state.id, payment_entry{std::move(handle), state}).second;
  if (!added) // an intent's owner and reservation never change: it is indexed already
    return;
  by_user_[state.owner].push_back(state.id);
  by_reservation_[state.reservation].push_back(state.id);
}

payment_entry* payment_book::find(const payment_intent_id& id) {
  auto it = payments_.find(id);
  return it == payments_.end() ? nullptr : &it->second;
}

void payment_book::update(const domain::payment_state& state) {
  if (auto* entry = find(state.id))
    entry->latest = state;
}

domain::payment_outcome payment_book::outcome_of(const payment_intent_id& intent,
                                                 const reservation_id& reservation) const {
  auto it = payments_.find(intent);
  if (it == payments_.end()) {
    domain::payment_outcome unknown;
    unknown.payment_intent_id = intent();
    return unknown;
  }
  return domain::outcome_for(it->second.latest, reservation);
}

std::vector<domain::payment_state> payment_book::of_user(const user_id& user,
                                                         domain::payment_status status,
                                                         const reservation_id& reservation) const {
  std::vector<domain::payment_state> out;
  auto it = by_user_.find(user);
  if (it == by_user_.end())
    return out;
  for (const auto& id : it->second) {
    const auto& p = payments_.at(id).latest;
    if ((status == domain::payment_status::unspecified || p.status == status) &&
        (reservation().empty() || p.reservation == reservation))
      out.push_back(p);
  }
  return out;
}

std::vector<payment_intent_id> payment_book::orphans_of(const domain::reservation_state& r) const {
  std::vector<payment_intent_id> out;
  auto it = by_reservation_.find(r.id);
  if (it == by_reservation_.end())
    return out;
  for (const auto& id : it->second)
    if (domain::is_orphaned(payments_.at(id).latest, r))
      out.push_back(id);
  return out;
}

} // namespace tt::actors
