#include "adapters/grpc/config_keys.hpp"

#include <string_view>

namespace tt::adapters::rpc {

std::optional<event_setting_key> parse_event_setting(const std::string& key) {
  constexpr std::string_view prefix = "event.";
  constexpr std::string_view rate = ".queue.admissions_per_second";
  constexpr std::string_view cap = ".queue.max_active";
  std::string_view k = key;
  if (k.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  k.remove_prefix(prefix.size());
  // Event ids may hold dots, so the setting is matched from the end.
  auto ends_with = [&](std::string_view suffix) {
    return k.size() > suffix.size() && k.substr(k.size() - suffix.size()) == suffix;
  };
  if (ends_with(rate))
    return event_setting_key{event_id{std::string{k.substr(0, k.size() - rate.size())}},
                             event_setting::admissions_per_second};
  if (ends_with(cap))
    return event_setting_key{event_id{std::string{k.substr(0, k.size() - cap.size())}},
                             event_setting::max_active};
  return std::nullopt;
}

} // namespace tt::adapters::rpc
