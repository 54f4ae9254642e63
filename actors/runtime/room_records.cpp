#include "actors/runtime/room_records.hpp"

#include <string>
#include <string_view>
#include <utility>

#include "actors/runtime/record_envelope.hpp"
#include "proto/tt/internal/v1/waiting_room.pb.h"

namespace tt::actors {

namespace {

namespace pb = tt::internal::v1;

std::string entry_key(const event_id& event, const waiting_token_id& token) {
  return event() + "/" + token();
}

std::string numbers_key(const event_id& event) {
  return event() + "/room";
}

recovered_entry from_record(std::string token, const pb::QueueEntryRecord& r) {
  recovered_entry out;
  auto& e = out.entry;
  e.token = waiting_token_id{std::move(token)};
  e.user = user_id{r.user_id()};
  e.session = session_id{r.session_id()};
  e.sequence = r.sequence();
  e.joined_at = from_epoch_ms(r.joined_at_ms());
  e.admitted = r.admitted();
  e.nonce = admission_nonce{r.nonce()};
  e.admission_expires_at = from_epoch_ms(r.admission_expires_at_ms());
  e.admitted_at = from_epoch_ms(r.admitted_at_ms());
  e.consumed = r.consumed();
  if (!r.reservation_id().empty())
    out.spent =
        spent_admission{idempotency_key{r.idempotency_key()}, reservation_id{r.reservation_id()},
                        from_epoch_ms(r.finish_by_ms())};
  return out;
}

} // namespace

storage::mutation entry_mutation(const event_id& event, const domain::stored_entry& e,
                                 const spent_admission* spent) {
  pb::QueueEntryRecord r;
  r.set_user_id(e.user());
  r.set_session_id(e.session());
  r.set_sequence(e.sequence);
  r.set_joined_at_ms(to_epoch_ms(e.joined_at));
  r.set_admitted(e.admitted);
  if (e.admitted) {
    r.set_nonce(e.nonce());
    r.set_admission_expires_at_ms(to_epoch_ms(e.admission_expires_at));
    r.set_admitted_at_ms(to_epoch_ms(e.admitted_at));
    r.set_consumed(e.consumed);
  }
  if (spent != nullptr) {
    r.set_idempotency_key(spent->key());
    r.set_reservation_id(spent->reservation());
    r.set_finish_by_ms(to_epoch_ms(spent->finish_by));
  }
  return {storage::entity_kind::queue_entry, entry_key(event, e.token), envelope("queue_entry", r),
          std::nullopt};
}

storage::mutation entry_deletion(const event_id& event, const waiting_token_id& token) {
  return {storage::entity_kind::queue_entry, entry_key(event, token), std::nullopt, std::nullopt};
}

storage::mutation room_numbers_mutation(const event_id& event, const domain::stored_room& n) {
  pb::WaitingRoomRecord r;
  r.set_serving_counter(n.serving_counter);
  r.set_admissions_stopped(n.admissions_stopped);
  r.set_total_admitted(n.total_admitted);
  r.set_total_wait_ms(n.total_wait.count());
  r.set_joins_closed(n.joins_closed);
  return {storage::entity_kind::event_counters, numbers_key(event), envelope("waiting_room", r),
          std::nullopt};
}

std::vector<storage::mutation> room_deletion(const event_id& event,
                                             const std::vector<waiting_token_id>& tokens) {
  std::vector<storage::mutation> out;
  out.reserve(tokens.size() + 1);
  for (const auto& token : tokens)
    out.push_back(entry_deletion(event, token));
  out.push_back(
      {storage::entity_kind::event_counters, numbers_key(event), std::nullopt, std::nullopt});
  return out;
}

result<std::optional<recovered_room>> load_room(const storage::snapshot_store& store,
                                                const event_id& event) {
  recovered_room out;
  bool found = false;
  auto numbers = store.get(storage::entity_kind::event_counters, numbers_key(event));
  if (auto* err = std::get_if<storage::storage_error>(&numbers))
    return storage_failure(*err);
  if (const auto& bytes = std::get<std::optional<std::string>>(numbers)) {
    auto r = open_envelope<pb::WaitingRoomRecord>(numbers_key(event), *bytes);
    if (!r)
      return r.error();
    out.numbers = {r->serving_counter(), r->admissions_stopped(), r->total_admitted(),
                   std::chrono::milliseconds{r->total_wait_ms()}, r->joins_closed()};
    found = true;
  }
  // The scan yields only keys under the prefix, so what follows it is the entry's token.
  auto prefix = event() + "/";
  auto ok = scan_records<pb::QueueEntryRecord>(
      store, storage::entity_kind::queue_entry, prefix,
      [&](std::string_view key, const pb::QueueEntryRecord& r) {
        out.entries.push_back(from_record(std::string{key.substr(prefix.size())}, r));
      });
  if (!ok)
    return ok.error();
  if (!found && out.entries.empty())
    return std::optional<recovered_room>{};
  return std::optional<recovered_room>{std::move(out)};
}

} // namespace tt::actors
