#include "actors/runtime/node_health_actor.hpp"

#include <memory>
#include <optional>

#include <caf/all.hpp>

#include "storage/data_directory.hpp"
#include "storage/snapshot_store.hpp"

namespace tt::actors {

namespace {

/// A check's last answer. Load balancers and health checkers call often: one fsync probe (or
/// one broker round trip) per storage_probe_interval is plenty, and keeps a burst of health
/// checks from becoming a burst of fsyncs.
struct cached_probe {
  component_health result;
  std::chrono::steady_clock::time_point at;
};

/// `slot`'s answer, from `check` again once it is older than storage_probe_interval.
template <class Check>
const component_health& cached(std::optional<cached_probe>& slot,
                               std::chrono::steady_clock::time_point now, const Check& check) {
  if (!slot || now - slot->at >= storage_probe_interval)
    slot = cached_probe{check(), now};
  return slot->result;
}

component_health check_actor_system(caf::actor_system& sys) {
  auto start = std::chrono::steady_clock::now();
  component_health c;
  c.name = "actor_system";
  c.kind = component_kind::internal;
  // Being asked and answering is itself the liveness check of the scheduler and mailbox path.
  c.status = health_status::healthy;
  c.metrics["running_actors"] = std::to_string(sys.registry().running());
  c.metrics["scheduler_threads"] = std::to_string(sys.scheduler().num_workers());
  c.response_time_us = micros_since(start);
  return c;
}

component_health check_storage(const storage::data_directory& dir) {
  auto result = dir.probe();
  component_health c;
  c.name = "storage";
  c.kind = component_kind::dependency;
  c.endpoint = dir.path().string();
  c.status = result.writable ? health_status::healthy : health_status::unhealthy;
  c.problem = result.error;
  c.response_time_us = result.latency.count();
  c.metrics["free_bytes"] = std::to_string(result.free_bytes);
  return c;
}

/// The snapshot store as the node's own component: its last write error (which also sets the
/// storage dependency's status: the directory may still take the probe's small file while the
/// store cannot write), its commit counters, and what start-up recovery restored.
component_health check_store(const storage::snapshot_store& store,
                             const std::map<std::string, std::string>& recovery,
                             component_health& storage_dependency) {
  component_health c;
  c.name = "snapshot_store";
  c.kind = component_kind::internal;
  c.status = health_status::healthy;
  if (auto err = store.health()) {
    // A full disk or a failed write: writes are refused while reads are served, and the store
    // resumes by itself once space is back (rocksdb_snapshot_store.hpp): degraded, not down. The
    // directory's own probe fails for the same reason then.
    auto resumable = err->code == storage::errc::no_space || err->code == storage::errc::io_error;
    c.status = resumable ? health_status::degraded : health_status::unhealthy;
    c.problem = resumable ? "writes refused, reads served, resumes by itself: " + err->message
                          : err->message;
    storage_dependency.status = c.status;
    storage_dependency.problem =
        (storage_dependency.problem.empty() ? "" : storage_dependency.problem + "; ") +
        "snapshot store: " + err->message;
  }
  auto stats = store.stats();
  c.metrics["commits"] = std::to_string(stats.commits);
  c.metrics["failed_commits"] = std::to_string(stats.failed_commits + stats.rejected_commits);
  c.metrics["pending_commits"] = std::to_string(stats.pending_commits);
  c.metrics["syncs"] = std::to_string(stats.syncs);
  c.metrics["last_sync_us"] = std::to_string(stats.last_sync_latency.count());
  for (const auto& [k, v] : recovery)
    c.metrics[k] = v;
  return c;
}

} // namespace

node_health_actor spawn_node_health(caf::actor_system& sys, node_identity identity,
                                    const storage::data_directory& dir,
                                    const storage::snapshot_store* store,
                                    std::vector<health_probe> probes) {
  auto cache = std::make_shared<std::optional<cached_probe>>();
  auto probe_cache = std::make_shared<std::vector<std::optional<cached_probe>>>(probes.size());
  return sys.spawn<caf::detached>(
      [identity, cache, probe_cache, &dir, store, probes = std::move(probes)](
          node_health_actor::pointer self) -> node_health_actor::behavior_type {
        return {
            [=, &dir](get_health_atom) {
              auto now = std::chrono::steady_clock::now();
              health_report r;
              r.node_id = identity.node_id;
              r.version = identity.version;
              r.uptime_ms = micros_since(identity.started_at) / 1000;
              r.checked_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
              r.components.push_back(check_actor_system(self->system()));
              auto storage_dependency = cached(*cache, now, [&] { return check_storage(dir); });
              if (store != nullptr)
                r.components.push_back(check_store(*store, identity.recovery, storage_dependency));
              r.components.push_back(std::move(storage_dependency));
              for (size_t i = 0; i < probes.size(); ++i)
                r.components.push_back(cached((*probe_cache)[i], now, probes[i]));
              return r;
            },
        };
      });
}

} // namespace tt::actors
