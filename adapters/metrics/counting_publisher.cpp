#include "adapters/metrics/counting_publisher.hpp"

namespace tt::adapters::metrics {

const std::vector<std::string>& counting_publisher::known_types() {
  static const std::vector<std::string> types{
      "reservation.created",   "reservation.extended", "reservation.confirmed",
      "reservation.cancelled", "reservation.expired",  "reservation.failed",
      "reservation.refunded",  "payment.pending",      "payment.processing",
      "payment.completed",     "payment.failed",       "payment.cancelled",
      "payment.refunded",      "hold.expiry"};
  return types;
}

counting_publisher::counting_publisher(prometheus::Registry& registry,
                                       std::shared_ptr<actors::event_publisher> next)
    : next_(std::move(next)) {
  auto& family = prometheus::BuildCounter()
                     .Name("tt_events_total")
                     .Help("Domain events published (after they were durable), by type")
                     .Register(registry);
  for (const auto& type : known_types())
    by_type_.emplace(type, &family.Add({{"type", type}}));
  other_ = &family.Add({{"type", "other"}});
}

void counting_publisher::publish(std::vector<actors::outbound_event> events) {
  for (const auto& e : events) {
    auto it = by_type_.find(e.event_type);
    (it == by_type_.end() ? other_ : it->second)->Increment();
  }
  next_->publish(std::move(events));
}

} // namespace tt::adapters::metrics
