#pragma once
/// The port through which actors hand domain events to Kafka (adapters/kafka implements it; a node
/// without one keeps every effect in-process, which is what the actor unit tests run). Events are
/// first stored in the outbox with the change they report (see outbox_events.hpp), then handed
/// over here; the publisher deletes an event's outbox row once the broker acknowledged it, so a
/// crash in between re-publishes it at the next start and consumers absorb the duplicate by id.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tt::actors {

/// The logical topics; their names are configured (kafka.topic.*).
enum class topic_kind : uint8_t { lifecycle, payment, expiry, dead_letter };
std::string_view to_string(topic_kind topic) noexcept;
std::optional<topic_kind> topic_kind_of(std::string_view name) noexcept;

struct outbound_event {
  topic_kind topic = topic_kind::lifecycle;
  /// The Kafka key: the reservation id, so one reservation's events stay in order.
  std::string key;
  /// The envelope's event id and type, repeated as Kafka headers so that kcat shows them.
  std::string event_id;
  std::string event_type;
  /// A serialized tt.internal.v1.EventEnvelope.
  std::string envelope;
  /// The event's outbox row; empty for events that are not kept.
  std::string outbox_key;
  /// Dead letters only: why the worker gave up (a Kafka header too).
  std::string reason;
};

class event_publisher {
 public:
  virtual ~event_publisher() = default;
  /// Queues `events` for delivery, in order; never blocks. Thread-safe.
  virtual void publish(std::vector<outbound_event> events) = 0;
};

} // namespace tt::actors
