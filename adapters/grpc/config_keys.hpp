#pragma once
/// UpdateConfig's per-event keys, `event.<event_id>.queue.admissions_per_second` and
/// `event.<event_id>.queue.max_active`: parsed in one place, for the adapter that serves them and
/// for the cluster's forwarding, which sends them to the event's owner.

#include <cstdint>
#include <optional>
#include <string>

#include "actors/common/ids.hpp"

namespace tt::adapters::rpc {

enum class event_setting : uint8_t { admissions_per_second, max_active };

struct event_setting_key {
  event_id event;
  event_setting setting;
};

/// The event and setting `key` names, or nullopt when it is not a per-event key.
std::optional<event_setting_key> parse_event_setting(const std::string& key);

} // namespace tt::adapters::rpc
