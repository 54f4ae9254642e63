#pragma once
/// Counts the domain events the actors publish, by type, on their way to Kafka:
/// `tt_events_total{type}` (type "reservation.created", "reservation.confirmed", ...,
/// "payment.completed", "hold.expiry"; any other type counts as "other", so the label stays
/// bounded). Holds created, confirmed, cancelled, expired and failed are its `reservation.*`
/// series. Wraps the node's publisher: the actors see an `event_publisher` as before and stay
/// free of metrics.
///
/// Events are counted when handed over, after they are durable; the outbox's redelivery of
/// unacknowledged events at a start does not pass through here.

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "actors/runtime/event_publisher.hpp"

namespace tt::adapters::metrics {

class counting_publisher final : public actors::event_publisher {
 public:
  /// The event types counted under their own name.
  static const std::vector<std::string>& known_types();

  counting_publisher(prometheus::Registry& registry, std::shared_ptr<actors::event_publisher> next);

  void publish(std::vector<actors::outbound_event> events) override;

 private:
  std::shared_ptr<actors::event_publisher> next_;
  /// Built once in the constructor, read-only afterwards: no lock per event.
  std::unordered_map<std::string, prometheus::Counter*> by_type_;
  prometheus::Counter* other_;
};

} // namespace tt::adapters::metrics
