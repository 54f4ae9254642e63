#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

#include "actors/common/overloaded.hpp"
#include "actors/runtime/admission_actor_state.hpp"

namespace tt::actors::admission_detail {

result<std::vector<domain::waiting_room_event>> run(self_pointer self,
                                                    const domain::waiting_room_command& command) {
  auto events = decide(self->state.room, command, now_of(self));
  if (events)
    for (const auto& e : *events)
      domain::apply(self->state.room, e);
  return events;
}

namespace {

/// What applied `events` changed on disk: the entries they touched (as they are now) and the
/// room's numbers. Heartbeats and reissued grants change nothing stored.
std::vector<storage::mutation> changes_of(self_pointer self,
                                          const std::vector<domain::waiting_room_event>& events) {
  auto& st = self->state;
  const auto& event = st.room.event();
  std::vector<storage::mutation> out;
  bool numbers = false;
  auto put = [&](const waiting_token_id& token) {
    auto stored = st.room.stored_entry_of(token);
    if (!stored)
      return;
    auto spent = st.spent.find(stored->nonce);
    out.push_back(entry_mutation(event, *stored,
                                 stored->consumed && spent != st.spent.end() ? &spent->second.hold
                                                                             : nullptr));
  };
  for (const auto& e : events)
    std::visit(
        overloaded{
            [&](const domain::queue_joined& j) { put(j.token); },
            [&](const domain::admission_granted& g) {
              put(g.token);
              numbers = true;
            },
            [&](const domain::admission_consumed& c) { put(c.token); },
            [&](const domain::entry_removed& r) { out.push_back(entry_deletion(event, r.token)); },
            [&](const domain::serving_advanced&) { numbers = true; },
            [&](const domain::admissions_stopped&) { numbers = true; },
            [&](const domain::admissions_resumed&) { numbers = true; },
            [&](const domain::line_closed&) { numbers = true; },
            [&](const domain::line_reopened&) { numbers = true; },
            [](const auto&) {},
        },
        e);
  if (numbers)
    out.push_back(room_numbers_mutation(event, st.room.stored_numbers()));
  return out;
}

} // namespace

void store_then(self_pointer self, const std::vector<domain::waiting_room_event>& events,
                durable_continuation then) {
  auto& st = self->state;
  auto changes = changes_of(self, events);
  if (changes.empty()) { // a repeated join or grant
    st.answer_repeat(self, std::move(then));
    return;
  }
  st.durable.persist(self, st.store, std::move(changes), std::move(then));
}

void answer_after_pending(self_pointer self, durable_continuation then) {
  self->state.durable.after_pending([then = std::move(then)] { then(std::nullopt); });
}

void store_quietly(self_pointer self, const std::vector<domain::waiting_room_event>& events) {
  store_then(self, events, [self](std::optional<failure> err) {
    if (err)
      spdlog::error("event {}: waiting-room change not stored: {}", self->state.room.event()(),
                    err->message);
  });
}

void run_quietly(self_pointer self, const domain::waiting_room_command& command) {
  if (auto events = run(self, command))
    store_quietly(self, *events);
}

void remember_spent(self_pointer self, const admission_nonce& nonce, const user_id& user,
                    spent_admission hold, timestamp valid_until) {
  auto& st = self->state;
  st.finishes.emplace(hold.finish_by, std::make_pair(nonce, hold.reservation));
  st.admitted_holds[hold.reservation] = nonce;
  st.spent[nonce] = {user, std::move(hold), valid_until};
}

void close_room(self_pointer self) {
  auto& st = self->state;
  st.durable.persist(self, st.store, room_deletion(st.room.event(), st.room.tokens()),
                     [self](std::optional<failure> err) {
                       if (err)
                         spdlog::error("event {}: closed waiting room's records stay: {}",
                                       self->state.room.event()(), err->message);
                       self->quit();
                     });
}

void restore_room(self_pointer self, const recovered_room& stored,
                  domain::waiting_room_policy policy) {
  auto& st = self->state;
  std::vector<domain::stored_entry> entries;
  entries.reserve(stored.entries.size());
  for (const auto& e : stored.entries)
    entries.push_back(e.entry);
  auto room = domain::waiting_room_state::restore(st.room.event(), policy, stored.numbers,
                                                  std::move(entries), now_of(self));
  if (!room) { // recovery refuses a corrupt store before the node serves; this is a backstop
    spdlog::error("event {}: stored waiting room not restored: {}", st.room.event()(),
                  room.error().message);
    return;
  }
  st.room = std::move(*room);
  for (const auto& e : stored.entries)
    if (e.spent)
      remember_spent(self, e.entry.nonce, e.entry.user, *e.spent, e.entry.admission_expires_at);
  spdlog::info("event {}: waiting room restored with {} entries (serving counter {})",
               st.room.event()(), st.room.entry_count(), st.room.serving_counter());
}

} // namespace tt::actors::admission_detail
