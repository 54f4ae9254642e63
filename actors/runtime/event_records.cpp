#include "actors/runtime/event_records.hpp"

#include <string_view>

#include "actors/domain/idempotency.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/payment_codec.hpp"
#include "actors/runtime/record_envelope.hpp"
#include "actors/runtime/reservation_codec.hpp"

namespace tt::actors {

namespace {

namespace pb = tt::internal::v1;

std::string journal_key(const event_id& event, const user_id& user, const idempotency_key& key) {
  // Length-prefixed user, so that no (user, key) pair collides with another.
  return event() + "/" + std::to_string(user().size()) + ":" + user() + "/" + key();
}

} // namespace

storage::mutation reservation_mutation(const domain::reservation_state& state) {
  return {storage::entity_kind::reservation, state.event() + "/" + state.id(),
          envelope("reservation", to_record(state)), std::nullopt};
}

journal_entry journal_entry_of(const write_scope& scope, std::string reply, timestamp expires_at) {
  return {scope.user, scope.key, domain::request_fingerprint(scope.canonical), std::move(reply),
          expires_at};
}

storage::mutation journal_mutation(const event_id& event, const journal_entry& entry) {
  pb::IdempotencyRecord r;
  r.set_user_id(entry.user());
  r.set_key(entry.key());
  r.set_fingerprint(entry.fingerprint);
  r.set_reply(entry.reply);
  r.set_expires_at_ms(to_epoch_ms(entry.expires_at));
  auto key = journal_key(event, entry.user, entry.key);
  return {storage::entity_kind::idempotency, key, envelope("idempotency", r),
          to_epoch_ms(entry.expires_at)};
}

storage::mutation payment_mutation(const event_id& event, const domain::payment_state& state) {
  return {storage::entity_kind::payment, event() + "/" + state.id(),
          envelope("payment", to_record(state)), std::nullopt};
}

storage::mutation event_mutation(const domain::event_definition& d) {
  pb::EventRecord r;
  r.set_event_id(d.id());
  r.set_name(d.name);
  r.set_venue(d.venue);
  r.set_sale_starts_at_ms(to_epoch_ms(d.sale_starts_at));
  r.set_sale_ends_at_ms(to_epoch_ms(d.sale_ends_at));
  r.set_currency(d.currency);
  for (const auto& s : d.sections) {
    auto* section = r.add_sections();
    section->set_section(s.section);
    section->set_name(s.name);
    section->set_price(s.price);
    for (const auto& row : s.rows) {
      auto* out = section->add_rows();
      out->set_row(row.row);
      for (const auto& n : row.seat_numbers)
        out->add_seat_numbers(n);
    }
  }
  for (const auto& seat : d.blocked_seats)
    r.add_blocked_seats(seat());
  if (d.waiting_room) {
    auto* room = r.mutable_waiting_room();
    room->set_enabled(d.waiting_room->enabled);
    room->set_admissions_per_second(d.waiting_room->admissions_per_second);
    room->set_max_active(d.waiting_room->max_active);
  }
  return {storage::entity_kind::meta, "event/" + d.id(), envelope("event", r), std::nullopt};
}

result<std::vector<domain::event_definition>> load_events(const storage::snapshot_store& store) {
  std::vector<domain::event_definition> out;
  auto ok = scan_records<pb::EventRecord>(
      store, storage::entity_kind::meta, "event/", [&](std::string_view, const pb::EventRecord& r) {
        domain::event_definition d;
        d.id = event_id{r.event_id()};
        d.name = r.name();
        d.venue = r.venue();
        d.sale_starts_at = from_epoch_ms(r.sale_starts_at_ms());
        d.sale_ends_at = from_epoch_ms(r.sale_ends_at_ms());
        d.currency = r.currency();
        for (const auto& s : r.sections()) {
          domain::section_definition section{s.section(), s.name(), s.price(), {}};
          for (const auto& row : s.rows())
            section.rows.push_back(
                {row.row(), {row.seat_numbers().begin(), row.seat_numbers().end()}});
          d.sections.push_back(std::move(section));
        }
        for (const auto& seat : r.blocked_seats())
          d.blocked_seats.push_back(seat_id{seat});
        if (r.has_waiting_room())
          d.waiting_room = domain::waiting_room_settings{r.waiting_room().enabled(),
                                                         r.waiting_room().admissions_per_second(),
                                                         r.waiting_room().max_active()};
        out.push_back(std::move(d));
      });
  if (!ok)
    return ok.error();
  return out;
}

result<recovered_event> load_event_state(const storage::snapshot_store& store,
                                         const event_id& event) {
  recovered_event out;
  auto prefix = event() + "/";
  auto ok =
      scan_records<pb::ReservationRecord>(store, storage::entity_kind::reservation, prefix,
                                          [&](std::string_view, const pb::ReservationRecord& r) {
                                            out.reservations.push_back(from_record(r));
                                          });
  if (!ok)
    return ok.error();
  ok = scan_records<pb::PaymentRecord>(store, storage::entity_kind::payment, prefix,
                                       [&](std::string_view, const pb::PaymentRecord& r) {
                                         out.payments.push_back(from_record(r));
                                       });
  if (!ok)
    return ok.error();
  ok = scan_records<pb::IdempotencyRecord>(
      store, storage::entity_kind::idempotency, prefix,
      [&](std::string_view, const pb::IdempotencyRecord& r) {
        out.journal.push_back({user_id{r.user_id()}, idempotency_key{r.key()}, r.fingerprint(),
                               r.reply(), from_epoch_ms(r.expires_at_ms())});
      });
  if (!ok)
    return ok.error();
  return out;
}

} // namespace tt::actors
