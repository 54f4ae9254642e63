#pragma once
/// How the node's (and the benchmarks') actor system schedules its actors. One place, so the
/// node and the benches that claim to be "wired like the node" run the same scheduler.
///
/// The default is CAF's *sharing* scheduler (one job queue, workers sleep on a condition
/// variable) with as many workers as cores, not CAF's default work stealing with max(4, cores):
/// an idle work-stealing worker polls the others' queues (take_tail, sched_yield) before it
/// sleeps, and on this 2-core machine, where gRPC, RocksDB and Kafka threads need the same
/// cores, that polling took most of the CPU. tt_worker_bench measured 14,800-17,700 expiry
/// events/s with sharing x 2 against 1,400-4,800 for stealing x 4, sharing x 4 and stealing x 2
/// without polling (README, Benchmarks).

#include <cstddef>
#include <string>

#include <caf/actor_system_config.hpp>

namespace tt::actors {

/// `policy`: "sharing" or "stealing" (validated by the caller's config parser). `threads`: 0
/// means one per core.
void configure_scheduler(caf::actor_system_config& cfg, const std::string& policy,
                         std::size_t threads);

} // namespace tt::actors
