#include "adapters/kafka/update_feed.hpp"

#include <vector>

#include <caf/send.hpp>

#include "actors/common/overloaded.hpp"
#include "actors/runtime/outbox_events.hpp"

namespace tt::adapters::kafka {

namespace {

constexpr int metadata_timeout_ms = 5000;

/// Every partition of `topics`, each at its high watermark (the next offset to be written).
std::variant<partition_list, std::string> ends_of(rd_kafka_t* rk,
                                                  const std::vector<std::string>& topics) {
  partition_list out{rd_kafka_topic_partition_list_new(0)};
  for (const auto& name : topics) {
    auto known = partitions_of(rk, name, metadata_timeout_ms);
    if (auto* err = std::get_if<std::string>(&known))
      return "update feed: " + *err;
    const auto& partitions = std::get<std::vector<int32_t>>(known);
    for (auto p : partitions) {
      int64_t low = 0, high = 0;
      if (auto e = rd_kafka_query_watermark_offsets(rk, name.c_str(), p, &low, &high,
                                                    metadata_timeout_ms))
        return "update feed: end of " + name + "/" + std::to_string(p) + ": " + rd_kafka_err2str(e);
      rd_kafka_topic_partition_list_add(out.get(), name.c_str(), p)->offset = high;
    }
  }
  return out;
}

/// The hub's message for one consumed record; nothing for what is not one of our events.
void forward(const actors::user_hub_actor& hub, const rd_kafka_message_t* m) {
  if (m->err)
    return;
  auto decoded = actors::decode_event(
      std::string_view{static_cast<const char*>(m->payload), m->payload ? m->len : 0});
  if (!decoded)
    return;
  auto at = decoded->occurred_at;
  std::visit(overloaded{
                 [&](domain::reservation_state& r) {
                   caf::anon_send(hub, actors::reservation_seen{std::move(r), at});
                 },
                 [&](domain::payment_state& p) {
                   caf::anon_send(hub, actors::payment_seen{std::move(p), at});
                 },
                 [](actors::hold_expiry_notice&) {}, // not read (see the header)
             },
             decoded->body);
}

} // namespace

std::variant<std::unique_ptr<update_feed>, std::string>
update_feed::start(const kafka_settings& settings, actors::user_hub_actor hub) {
  auto conf = make_conf({
      {"bootstrap.servers", settings.bootstrap_servers},
      {"client.id", settings.client_id + "-streams"},
      // Required by librdkafka for a consumer; never joined (assign, not subscribe) nor committed.
      {"group.id", settings.group_id + "-streams"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // As for the group consumers: the mock broker answers a fetch only when this runs out.
      {"fetch.wait.max.ms", "10"},
      {"log_level", "4"},
  });
  if (auto* err = std::get_if<std::string>(&conf))
    return "update feed: " + *err;
  auto client = make_client(RD_KAFKA_CONSUMER, std::move(std::get<conf_handle>(conf)));
  if (auto* err = std::get_if<std::string>(&client))
    return "update feed: " + *err;
  auto rk = std::move(std::get<client_handle>(client));
  rd_kafka_poll_set_consumer(rk.get());
  const auto& t = settings.topics;
  auto ends = ends_of(rk.get(), {t.lifecycle, t.payment});
  if (auto* err = std::get_if<std::string>(&ends))
    return *err;
  auto& list = std::get<partition_list>(ends);
  if (auto err = rd_kafka_assign(rk.get(), list.get()))
    return std::string{"update feed: assign: "} + rd_kafka_err2str(err);
  return std::unique_ptr<update_feed>{new update_feed{std::move(rk), std::move(hub), list->cnt}};
}

update_feed::update_feed(client_handle consumer, actors::user_hub_actor hub, int partitions)
    : consumer_(std::move(consumer)), hub_(std::move(hub)), partitions_(partitions),
      thread_([this] { run(); }) {}

update_feed::~update_feed() {
  stopping_ = true;
  thread_.join();
  rd_kafka_consumer_close(consumer_.get());
}

void update_feed::run() {
  while (!stopping_)
    if (auto* m = rd_kafka_consumer_poll(consumer_.get(), 100)) {
      forward(hub_, m);
      rd_kafka_message_destroy(m);
    }
}

} // namespace tt::adapters::kafka
