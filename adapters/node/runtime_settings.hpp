#pragma once
/// The node settings an operator changes while the node runs (AdminService/UpdateConfig):
/// reservation.hold_seconds (holds made from then on) and log.level (at once). A change is
/// checked by the config table's rules (config.cpp: the same bounds as at start), stored in the
/// node's own store (meta "setting/<key>", the value as text) before it counts, then applied;
/// the stored values win over the config file, environment and flags at the next start. Every
/// other setting is read at start only.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include "adapters/grpc/runtime_settings.hpp"
#include "adapters/node/config.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::node {

class runtime_settings final : public adapters::rpc::runtime_settings,
                               public std::enable_shared_from_this<runtime_settings> {
 public:
  /// Puts `value` into effect; called with the value in force when registered, then after each
  /// stored change (from the store's writer thread). Must not block.
  using applier = std::function<void(const std::string& value)>;

  /// The served settings as `start` has them, with the values stored by earlier changes over
  /// them (a stored value the table refuses now is logged and skipped). Blocking: start-up only.
  /// Returns why the store cannot be read. `store` must outlive the settings' use (its close
  /// runs the last changes' callbacks); it is not owned: the last reference to the settings may
  /// go on the store's writer thread, where the store must not be destroyed.
  static std::variant<std::shared_ptr<runtime_settings>, std::string>
  open(const node_config& start, storage::snapshot_store& store);

  /// `key`'s value in force.
  std::string value(const std::string& key) const;

  /// Applies `key`'s value in force now and after every change. Before the node serves.
  void apply_with(const std::string& key, applier apply);

  bool serves(const std::string& key) const override;
  void change(const std::string& key, const std::string& text, on_changed done) override;

  /// For open() (through make_shared): `current` as start and the store made it.
  runtime_settings(node_config current, storage::snapshot_store& store);

 private:
  storage::snapshot_store& store_;
  mutable std::mutex mutex_;
  /// The served settings' values in force (the others as at start). Guarded by mutex_.
  node_config current_;
  /// Registered before the node serves, read-only after.
  std::map<std::string, applier> appliers_;
};

} // namespace tt::node
