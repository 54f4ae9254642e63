#pragma once
/// worker_actor: the node's consumer of expiry and payment events (fed by adapters/kafka), of
/// verified webhooks, and of operators' WorkerService calls. It waits for a job's due time (a
/// hold's deadline travels in its expiry event), asks the event actor owning the reservation for
/// the effect (through the shard region), and answers when the effect is durable, so the adapter
/// commits the Kafka offset only then. Jobs not yet due wait in one ordered map under a single
/// timer (not a timer each); at most `max_running` effects are asked at once. Event ids it applied
/// are remembered (a bounded window): a redelivered event is answered `duplicate` without asking
/// again. Beyond that window, and after a restart, the effects themselves are idempotent: each
/// checks the current state first.

#include <caf/typed_actor.hpp>

#include "actors/runtime/message_types.hpp"
#include "actors/runtime/runtime_config.hpp"
#include "actors/runtime/shard_region.hpp"

namespace tt::actors {

using worker_actor =
    caf::typed_actor<caf::replies_to<worker_job>::with<effect_reply>, caf::reacts_to<tracked_job>,
                     caf::replies_to<worker_stats_query>::with<worker_stats>,
                     caf::reacts_to<dead_lettered>, caf::reacts_to<source_report>,
                     caf::reacts_to<due_atom>, caf::reacts_to<sweep_atom>>;

struct worker_options {
  /// How many applied event ids are remembered.
  size_t remembered_ids = 200'000;
  /// How many effects are asked of the events at once; due jobs beyond it wait their turn. It
  /// keeps the event actors' outstanding requests few (see tracked_job) while leaving enough in
  /// flight for the store to write them in groups.
  size_t max_running = 256;
  /// How long one effect may take before it counts as failed (and is retried by the adapter);
  /// checked every half of it.
  std::chrono::milliseconds effect_timeout{10'000};
};

worker_actor spawn_worker(caf::actor_system& sys, shard_region region,
                          std::shared_ptr<const runtime_config> config, worker_options options);

} // namespace tt::actors
