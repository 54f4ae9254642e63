#include "adapters/metrics/counting_publisher.hpp"

#include <doctest/doctest.h>
#include <prometheus/text_serializer.h>

namespace tt::adapters::metrics {

namespace {

/// Where the counted events go on: keeps them, to check nothing is held back or reordered.
class kept_events final : public actors::event_publisher {
 public:
  void publish(std::vector<actors::outbound_event> events) override {
    for (auto& e : events)
      kept.push_back(std::move(e));
  }
  std::vector<actors::outbound_event> kept;
};

actors::outbound_event event(std::string type, std::string key) {
  actors::outbound_event e;
  e.event_type = std::move(type);
  e.key = std::move(key);
  return e;
}

} // namespace

TEST_CASE("published events count by type and go on unchanged, in order") {
  prometheus::Registry registry;
  auto next = std::make_shared<kept_events>();
  counting_publisher counting{registry, next};
  counting.publish({event("reservation.created", "r-1"), event("reservation.created", "r-2"),
                    event("hold.expiry", "r-1")});
  counting.publish({event("reservation.confirmed", "r-1"), event("something.new", "r-9")});
  REQUIRE(next->kept.size() == 5);
  CHECK(next->kept[0].key == "r-1");
  CHECK(next->kept[4].event_type == "something.new");
  auto text = prometheus::TextSerializer{}.Serialize(registry.Collect());
  CHECK(text.find("tt_events_total{type=\"reservation.created\"} 2\n") != std::string::npos);
  CHECK(text.find("tt_events_total{type=\"reservation.confirmed\"} 1\n") != std::string::npos);
  CHECK(text.find("tt_events_total{type=\"hold.expiry\"} 1\n") != std::string::npos);
  // Unknown types share one series: no label value comes from outside the known list.
  CHECK(text.find("tt_events_total{type=\"other\"} 1\n") != std::string::npos);
  CHECK(text.find("something.new") == std::string::npos);
  CHECK(text.find("r-1") == std::string::npos);
}

TEST_CASE("every outcome of a hold has its series from the start") {
  prometheus::Registry registry;
  counting_publisher counting{registry, std::make_shared<kept_events>()};
  auto text = prometheus::TextSerializer{}.Serialize(registry.Collect());
  for (const char* outcome : {"created", "confirmed", "cancelled", "expired", "failed"})
    CHECK(text.find(std::string{"tt_events_total{type=\"reservation."} + outcome + "\"} 0\n") !=
          std::string::npos);
}

} // namespace tt::adapters::metrics
