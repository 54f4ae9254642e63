#include "actors/runtime/outbox_events.hpp"

#include <array>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/event_records.hpp"
#include "actors/runtime/payment_codec.hpp"
#include "actors/runtime/reservation_codec.hpp"
#include "proto/tt/internal/v1/events.pb.h"
#include "proto/tt/internal/v1/snapshots.pb.h"

namespace tt::actors {

namespace {

namespace pb = tt::internal::v1;

constexpr std::array<std::pair<topic_kind, std::string_view>, 4> topic_names{{
    {topic_kind::lifecycle, "lifecycle"},
    {topic_kind::payment, "payment"},
    {topic_kind::expiry, "expiry"},
    {topic_kind::dead_letter, "dead_letter"},
}};

outbound_event event_of(topic_kind topic, std::string type, const std::string& key,
                        const ulid& unique, timestamp at, const google::protobuf::Message& body,
                        const std::string& trace_id) {
  pb::EventEnvelope e;
  e.set_trace_id(trace_id);
  e.set_event_id("ev-" + unique());
  e.set_event_type(type);
  auto ms = to_epoch_ms(at);
  e.mutable_occurred_at()->set_seconds(ms / 1000);
  e.mutable_occurred_at()->set_nanos(static_cast<int32_t>(ms % 1000) * 1'000'000);
  e.set_entity_key(key);
  e.mutable_payload()->PackFrom(body);
  outbound_event out; // its outbox row is named when it is kept (add_outbox_rows)
  out.topic = topic;
  out.key = key;
  out.event_id = e.event_id();
  out.event_type = std::move(type);
  out.envelope = e.SerializeAsString();
  return out;
}

} // namespace

std::string_view to_string(topic_kind topic) noexcept {
  for (const auto& [kind, name] : topic_names)
    if (kind == topic)
      return name;
  return "unknown";
}

std::optional<topic_kind> topic_kind_of(std::string_view name) noexcept {
  for (const auto& [kind, known] : topic_names)
    if (known == name)
      return kind;
  return std::nullopt;
}

outbound_event lifecycle_event(const domain::reservation_state& r, const ulid& unique, timestamp at,
                               const std::string& trace_id) {
  auto type = r.status == domain::reservation_status::hold
                  ? std::string{"reservation.created"}
                  : "reservation." + std::string{domain::to_string(r.status)};
  return event_of(topic_kind::lifecycle, std::move(type), r.id(), unique, at, to_record(r),
                  trace_id);
}

outbound_event extension_event(const domain::reservation_state& r, const ulid& unique, timestamp at,
                               const std::string& trace_id) {
  return event_of(topic_kind::lifecycle, "reservation.extended", r.id(), unique, at, to_record(r),
                  trace_id);
}

outbound_event expiry_event(const domain::reservation_state& r, const ulid& unique, timestamp at,
                            const std::string& trace_id) {
  pb::HoldExpiry body;
  body.set_reservation_id(r.id());
  body.set_event_id(r.event());
  body.set_expires_at_ms(to_epoch_ms(r.hold_expires_at));
  return event_of(topic_kind::expiry, "hold.expiry", r.id(), unique, at, body, trace_id);
}

outbound_event payment_event(const domain::payment_state& p, const ulid& unique, timestamp at,
                             const std::string& trace_id) {
  return event_of(topic_kind::payment, "payment." + std::string{domain::to_string(p.status)},
                  p.reservation(), unique, at, to_record(p), trace_id);
}

void add_outbox_rows(const std::string& owner, std::vector<outbound_event>& events,
                     std::vector<storage::mutation>& batch) {
  for (auto& e : events) {
    // Event ids are ULIDs: key order within an owner is publication order.
    e.outbox_key = owner + "/" + e.event_id;
    pb::OutboxRecord row;
    row.set_topic(std::string{to_string(e.topic)});
    row.set_key(e.key);
    row.set_envelope(e.envelope);
    row.set_event_id(e.event_id);
    row.set_event_type(e.event_type);
    row.set_reason(e.reason);
    pb::SnapshotEnvelope stored;
    stored.set_format_version(snapshot_format_version);
    stored.set_entity_type("outbox");
    stored.mutable_state()->PackFrom(row);
    batch.push_back(
        {storage::entity_kind::outbox, e.outbox_key, stored.SerializeAsString(), std::nullopt});
  }
}

std::vector<outbound_event> stage_events(const runtime_config& config, const event_id& owner,
                                         std::vector<outbound_event> events,
                                         std::vector<storage::mutation>& batch) {
  if (!config.events)
    return {};
  add_outbox_rows(owner(), events, batch);
  return events;
}

void publish_staged(const runtime_config& config, std::vector<outbound_event> events) {
  if (config.events && !events.empty())
    config.events->publish(std::move(events));
}

result<std::vector<outbound_event>> load_outbox(const storage::snapshot_store& store,
                                                std::string_view owner_prefix) {
  std::vector<outbound_event> out;
  std::optional<failure> bad;
  auto err = store.scan(
      storage::entity_kind::outbox, owner_prefix, [&](std::string_view key, std::string_view v) {
        pb::SnapshotEnvelope stored;
        pb::OutboxRecord row;
        auto topic = std::optional<topic_kind>{};
        if (stored.ParseFromArray(v.data(), static_cast<int>(v.size())) &&
            stored.state().UnpackTo(&row))
          topic = topic_kind_of(row.topic());
        if (!topic) {
          bad = fail(errc::data_corruption, "outbox row " + std::string{key} + " does not parse");
          return false;
        }
        out.push_back({*topic, row.key(), row.event_id(), row.event_type(), row.envelope(),
                       std::string{key}, row.reason()});
        return true;
      });
  if (err)
    return storage_failure(*err);
  if (bad)
    return *bad;
  return out;
}

storage::mutation outbox_delete(const std::string& outbox_key) {
  return {storage::entity_kind::outbox, outbox_key, std::nullopt, std::nullopt};
}

result<decoded_event> decode_event(std::string_view bytes) {
  pb::EventEnvelope e;
  if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || e.event_id().empty())
    return fail(errc::invalid_argument, "not an event envelope");
  decoded_event out;
  out.event_id = e.event_id();
  out.event_type = e.event_type();
  out.trace_id = e.trace_id();
  out.occurred_at =
      from_epoch_ms(e.occurred_at().seconds() * 1000 + e.occurred_at().nanos() / 1'000'000);
  pb::ReservationRecord reservation;
  pb::PaymentRecord payment;
  pb::HoldExpiry expiry;
  if (e.payload().UnpackTo(&reservation))
    out.body = from_record(reservation);
  else if (e.payload().UnpackTo(&payment))
    out.body = from_record(payment);
  else if (e.payload().UnpackTo(&expiry))
    out.body =
        hold_expiry_notice{reservation_id{expiry.reservation_id()}, event_id{expiry.event_id()},
                           from_epoch_ms(expiry.expires_at_ms())};
  else
    return fail(errc::invalid_argument,
                "event " + e.event_id().substr(0, 64) + " carries an unknown payload");
  return out;
}

} // namespace tt::actors
