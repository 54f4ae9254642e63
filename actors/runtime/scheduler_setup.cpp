#include "actors/runtime/scheduler_setup.hpp"

#include <algorithm>
#include <thread>

#include <caf/atom.hpp>

namespace tt::actors {

void configure_scheduler(caf::actor_system_config& cfg, const std::string& policy,
                         std::size_t threads) {
  cfg.set("scheduler.policy", caf::atom_from_string(policy));
  if (threads == 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", threads);
}

} // namespace tt::actors
