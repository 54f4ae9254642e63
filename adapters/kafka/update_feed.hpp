#pragma once
/// The user update hub's Kafka side: one consumer per node process, in no consumer group, assigned
/// every partition of the lifecycle and payment topics at their end offsets as of start.
/// Every node thus reads every event (a user's stream may be open on any node, whichever node's
/// actors made the change), from now on only (streams are live views; history is
/// GetReservation's). Each decoded event goes to the hub as reservation_seen or payment_seen;
/// what does not decode is skipped (the worker dead-letters it). Nothing is committed: a
/// restarted node's streams are new connections.
///
/// Not the expiry topic: an extension is also a lifecycle event (reservation.extended), so that
/// topic has nothing for streams, and it carries one event per hold. The embedded broker walks a
/// partition's message sets on every fetch that finds new data, once per consumer; a second
/// consumer of the expiry topic cost about a tenth of a core at 4,400 holds/s.
///
/// Not in a group on purpose: a group per node would need a unique id per process, leave a dead
/// group behind at every restart, and wait seconds for its first rebalance before it sees events;
/// a plain assignment has none of that. The cost: partitions added to a topic later are not read
/// until the node restarts.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <variant>

#include "actors/runtime/user_hub_actor.hpp"
#include "adapters/kafka/kafka_settings.hpp"
#include "adapters/kafka/rdkafka_handles.hpp"

namespace tt::adapters::kafka {

class update_feed {
 public:
  /// Assigns the topics' partitions at their current end (reads the cluster's metadata and
  /// watermarks, so it may take up to a few seconds) and starts reading.
  static std::variant<std::unique_ptr<update_feed>, std::string>
  start(const kafka_settings& settings, actors::user_hub_actor hub);

  update_feed(const update_feed&) = delete;
  update_feed& operator=(const update_feed&) = delete;
  ~update_feed();

  /// Partitions read.
  int partitions() const noexcept { return partitions_; }

 private:
  update_feed(client_handle consumer, actors::user_hub_actor hub, int partitions);
  void run();

  client_handle consumer_;
  actors::user_hub_actor hub_;
  int partitions_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

} // namespace tt::adapters::kafka
