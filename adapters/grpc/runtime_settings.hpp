#pragma once
/// The node settings UpdateConfig changes while the node runs (reservation.hold_seconds,
/// log.level). The composition root implements it (adapters/node/runtime_settings.hpp): it
/// validates, stores and applies; the admin adapter only translates the call.

#include <functional>
#include <string>

#include "actors/common/result.hpp"

namespace tt::adapters::rpc {

struct setting_changed {
  std::string old_value;
  std::string new_value;
};

class runtime_settings {
 public:
  using on_changed = std::function<void(result<setting_changed>)>;
  virtual ~runtime_settings() = default;

  /// Whether `key` is changed at run time here.
  virtual bool serves(const std::string& key) const = 0;

  /// Validates `value` for a served `key`, stores it, then applies it and calls `done` once:
  /// from the store's writer thread, or before returning when refused (invalid_argument with the
  /// setting's bounds; unavailable when the store refuses the write). Any thread.
  virtual void change(const std::string& key, const std::string& value, on_changed done) = 0;
};

} // namespace tt::adapters::rpc
