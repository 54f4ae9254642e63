#include "adapters/node/runtime_settings.hpp"

#include <array>

#include <spdlog/spdlog.h>

namespace tt::node {

namespace {

constexpr std::array<const char*, 2> served = {"log.level", "reservation.hold_seconds"};
constexpr const char* key_prefix = "setting/";

} // namespace

runtime_settings::runtime_settings(node_config current, storage::snapshot_store& store)
    : store_(store), current_(std::move(current)) {}

std::variant<std::shared_ptr<runtime_settings>, std::string>
runtime_settings::open(const node_config& start, storage::snapshot_store& store) {
  auto current = start;
  for (const char* key : served) {
    auto found = store.get(storage::entity_kind::meta, std::string{key_prefix} + key);
    if (auto* err = std::get_if<storage::storage_error>(&found))
      return "cannot read the stored setting " + std::string{key} + ": " + err->message;
    const auto& stored = std::get<std::optional<std::string>>(found);
    if (!stored)
      continue;
    if (auto err = set_setting(current, key, *stored); !err.empty())
      spdlog::warn("settings: the stored {} is refused ({}); keeping {}", key, err,
                   setting_value(start, key));
    else
      spdlog::info("settings: {} = {}, as an operator changed it before the restart", key, *stored);
  }
  return std::make_shared<runtime_settings>(std::move(current), store);
}

std::string runtime_settings::value(const std::string& key) const {
  std::lock_guard lock{mutex_};
  return setting_value(current_, key);
}

void runtime_settings::apply_with(const std::string& key, applier apply) {
  apply(value(key));
  appliers_[key] = std::move(apply);
}

bool runtime_settings::serves(const std::string& key) const {
  for (const char* k : served)
    if (key == k)
      return true;
  return false;
}

void runtime_settings::change(const std::string& key, const std::string& text, on_changed done) {
  node_config checked;
  if (auto err = set_setting(checked, key, text); !err.empty() || !serves(key)) {
    done(fail(errc::invalid_argument, key + ": " + (err.empty() ? "not served" : err),
              {{"config_value", err, text.substr(0, 64)}}));
    return;
  }
  // The table's own text for the value ("030" is stored and answered as "30").
  auto canonical = setting_value(checked, key);
  store_.commit({{storage::entity_kind::meta, key_prefix + key, canonical, std::nullopt}},
                [self = shared_from_this(), key, canonical,
                 done = std::move(done)](std::optional<storage::storage_error> err) {
                  if (err) {
                    done(fail(errc::unavailable, "storage: " + err->message));
                    return;
                  }
                  std::string old_value;
                  {
                    // Under the lock: concurrent changes apply in the order they are recorded.
                    std::lock_guard lock{self->mutex_};
                    old_value = setting_value(self->current_, key);
                    set_setting(self->current_, key, canonical);
                    if (auto found = self->appliers_.find(key); found != self->appliers_.end())
                      found->second(canonical);
                  }
                  spdlog::info("settings: {} changed from {} to {}", key, old_value, canonical);
                  done(adapters::rpc::setting_changed{std::move(old_value), canonical});
                });
}

} // namespace tt::node
