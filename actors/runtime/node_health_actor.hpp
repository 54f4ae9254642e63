#pragma once
/// node_health_actor: answers "how is this node?" with a health_report built from real checks of
/// the components that exist: the actor system (it is answering, how many actors run, how many
/// scheduler threads) and storage: the data directory (a write + fsync probe, reused for
/// storage_probe_interval) and the snapshot store (its last write error, commit counters, and
/// what recovery restored), plus what the composition root adds as probes (Kafka). Runs detached
/// because the probe blocks on fsync and must never stall a scheduler thread.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/runtime/message_types.hpp"

namespace tt::storage {
class data_directory;
class snapshot_store;
} // namespace tt::storage

namespace tt::actors {

using node_health_actor = caf::typed_actor<caf::replies_to<get_health_atom>::with<health_report>>;

/// How long one storage probe (and one answer of each health_probe) answers for.
constexpr std::chrono::seconds storage_probe_interval{1};

struct node_identity {
  std::string node_id;
  std::string version;
  std::chrono::steady_clock::time_point started_at;
  /// What start-up recovery restored (recovery_summary::metrics), reported with storage.
  std::map<std::string, std::string> recovery;
};

/// A check of a component the actors know nothing of (Kafka, from the adapters). It runs on the
/// health actor's own thread and may block briefly.
using health_probe = std::function<component_health()>;

/// `dir` and `store` (may be null: no snapshot store) must outlive the actor (the composition
/// root stops the actor system first); so must whatever the probes use.
node_health_actor spawn_node_health(caf::actor_system& sys, node_identity identity,
                                    const storage::data_directory& dir,
                                    const storage::snapshot_store* store = nullptr,
                                    std::vector<health_probe> probes = {});

} // namespace tt::actors
