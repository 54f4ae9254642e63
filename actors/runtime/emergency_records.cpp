#include "actors/runtime/emergency_records.hpp"

#include <string>

#include "actors/runtime/record_envelope.hpp"
#include "proto/tt/internal/v1/emergency.pb.h"

namespace tt::actors {

namespace {

namespace pb = tt::internal::v1;

constexpr const char* emergency_key = "emergency/node";

} // namespace

storage::mutation emergency_mutation(const domain::emergency_switches& switches) {
  pb::EmergencyRecord r;
  r.set_maintenance(switches.maintenance);
  r.set_all_stopped(switches.all_stopped);
  r.set_node_breaker(switches.node_breaker);
  for (const auto& event : switches.broken_events)
    r.add_broken_events(event());
  return {storage::entity_kind::meta, emergency_key, envelope("emergency", r), std::nullopt};
}

result<domain::emergency_switches> load_emergency(const storage::snapshot_store& store) {
  auto found = store.get(storage::entity_kind::meta, emergency_key);
  if (auto* err = std::get_if<storage::storage_error>(&found))
    return storage_failure(*err);
  domain::emergency_switches out;
  const auto& bytes = std::get<std::optional<std::string>>(found);
  if (!bytes)
    return out;
  auto r = open_envelope<pb::EmergencyRecord>(emergency_key, *bytes);
  if (!r)
    return r.error();
  out.maintenance = r->maintenance();
  out.all_stopped = r->all_stopped();
  out.node_breaker = r->node_breaker();
  for (const auto& event : r->broken_events())
    out.broken_events.insert(event_id{event});
  return out;
}

} // namespace tt::actors
