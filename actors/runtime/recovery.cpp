#include "actors/runtime/recovery.hpp"

#include <unordered_map>

#include "actors/runtime/event_records.hpp"
#include "actors/runtime/room_records.hpp"

namespace tt::actors {

std::map<std::string, std::string> recovery_summary::metrics() const {
  return {{"recovered_events", std::to_string(events)},
          {"recovered_reservations", std::to_string(reservations)},
          {"recovered_live_holds", std::to_string(live_holds)},
          {"recovered_lapsed_holds", std::to_string(lapsed_holds)},
          {"recovered_idempotency_records", std::to_string(idempotency_records)},
          {"recovered_queue_entries", std::to_string(queue_entries)},
          {"recovery_ms", std::to_string(took.count())}};
}

result<define_catalog> plan_recovery(const storage::snapshot_store& store,
                                     std::vector<domain::event_definition> catalog, timestamp now,
                                     recovery_summary& summary, const event_filter& wanted) {
  auto started = std::chrono::steady_clock::now();
  auto stored = load_events(store);
  if (!stored)
    return stored.error();
  define_catalog plan;
  std::unordered_map<event_id, size_t> index;
  for (auto& def : *stored) {
    if (wanted && !wanted(def.id))
      continue;
    auto state = load_event_state(store, def.id);
    if (!state)
      return state.error();
    summary.events += 1;
    summary.reservations += state->reservations.size();
    summary.idempotency_records += state->journal.size();
    for (const auto& r : state->reservations)
      if (r.status == domain::reservation_status::hold)
        (r.hold_expires_at > now ? summary.live_holds : summary.lapsed_holds) += 1;
    auto room = load_room(store, def.id);
    if (!room)
      return room.error();
    std::shared_ptr<const recovered_room> stored_room;
    if (*room) {
      summary.queue_entries += (*room)->entries.size();
      stored_room = std::make_shared<const recovered_room>(std::move(**room));
    }
    index[def.id] = plan.events.size();
    plan.events.push_back(define_event::restored(
        std::move(def), std::make_shared<const recovered_event>(std::move(*state)),
        std::move(stored_room)));
  }
  for (auto& def : catalog) {
    if (wanted && !wanted(def.id))
      continue;
    auto it = index.find(def.id);
    if (it == index.end()) {
      plan.events.push_back(define_event::fresh(std::move(def)));
      continue;
    }
    auto& existing = plan.events[it->second];
    // Stored reservations name seats of the stored definition: it stays while any exist.
    if (existing.recovered->reservations.empty()) {
      existing.definition = std::move(def);
      existing.recovered = nullptr; // a new definition: stored when it is defined
      // existing.room stays: people queueing keep their places across a new definition.
    }
  }
  summary.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return plan;
}

} // namespace tt::actors
