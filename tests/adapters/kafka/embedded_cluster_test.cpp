// The embedded broker's window against the node's real events. librdkafka's mock cluster keeps
// about 5 MiB per partition and drops the oldest message sets beyond that, and a restarted worker
// re-reads the expiry event of every live hold from its uncommitted tail. So the window, counted
// in events, bounds how many live holds a restart finds on time (the rest end by the backstop,
// late). Uncompressed, one partition kept 10,627 of the 20,000 events below; with the
// publisher's lz4 batches it keeps them all (a node's partition keeps about 58,000: README,
// "The broker's window"). Through the real publisher and broker on loopback.
#include <doctest/doctest.h>

#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "actors/common/ids.hpp"
#include "actors/runtime/outbox_events.hpp"
#include "adapters/kafka/embedded_cluster.hpp"
#include "adapters/kafka/kafka_publisher.hpp"

using namespace tt;
using namespace std::chrono_literals;
namespace kafka = tt::adapters::kafka;

namespace {

/// The expiry events of holds as the node makes them: minted ids of one event, eight holds a
/// millisecond, and the random trace id of the call that made each (compression must not get an
/// easier text than the node's). An expiry event carries only the id, event and deadline.
std::vector<actors::outbound_event> expiry_events_of_holds(int holds) {
  const event_id event{"jamsil-stadium-tour-2027"};
  const timestamp now{1'796'000'000'000ms};
  ulid_generator ids{42};
  std::mt19937_64 random{7};
  std::vector<actors::outbound_event> out;
  out.reserve(static_cast<size_t>(holds));
  for (int i = 0; i < holds; ++i) {
    auto at = now + std::chrono::milliseconds{i / 8};
    domain::reservation_state r;
    r.id = mint_reservation_id(shard_of(event, 64), event, ids.next(at));
    r.event = event;
    r.hold_expires_at = at + 60s;
    char trace[33];
    std::snprintf(trace, sizeof trace, "%016llx%016llx", static_cast<unsigned long long>(random()),
                  static_cast<unsigned long long>(random()));
    out.push_back(actors::expiry_event(r, ids.next(at), at, trace));
  }
  return out;
}

} // namespace

TEST_CASE("one partition of the embedded broker keeps the expiry events of 20,000 live holds") {
  kafka::kafka_settings settings;
  auto started = kafka::embedded_cluster::start(1, {settings.topics.expiry}, 1);
  REQUIRE(std::holds_alternative<std::unique_ptr<kafka::embedded_cluster>>(started));
  auto& cluster = *std::get<std::unique_ptr<kafka::embedded_cluster>>(started);
  settings.bootstrap_servers = cluster.bootstrap();
  auto publisher = kafka::kafka_publisher::start(settings, nullptr);
  REQUIRE(std::holds_alternative<std::unique_ptr<kafka::kafka_publisher>>(publisher));
  auto& out = *std::get<std::unique_ptr<kafka::kafka_publisher>>(publisher);

  constexpr int holds = 20'000;
  auto events = expiry_events_of_holds(holds);
  size_t bytes = 0;
  for (const auto& e : events)
    bytes += e.key.size() + e.envelope.size() + e.event_id.size() + e.event_type.size();
  // The premise: uncompressed, these events are well past the mock's 5 MiB per partition.
  REQUIRE(bytes > 6 * 1024 * 1024);
  out.publish(std::move(events));
  out.flush(30s);
  REQUIRE(out.stats().delivered == holds);

  auto conf = kafka::make_conf({{"bootstrap.servers", cluster.bootstrap()}});
  REQUIRE(std::holds_alternative<kafka::conf_handle>(conf));
  auto reader =
      kafka::make_client(RD_KAFKA_CONSUMER, std::move(std::get<kafka::conf_handle>(conf)));
  REQUIRE(std::holds_alternative<kafka::client_handle>(reader));
  int64_t low = -1;
  int64_t high = -1;
  REQUIRE(rd_kafka_query_watermark_offsets(std::get<kafka::client_handle>(reader).get(),
                                           settings.topics.expiry.c_str(), 0, &low, &high,
                                           10'000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(high == holds);
  CHECK(low == 0); // nothing dropped: a restarted worker would find every one of these holds
}
