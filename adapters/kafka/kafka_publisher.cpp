#include "adapters/kafka/kafka_publisher.hpp"

#include <spdlog/spdlog.h>

#include "actors/common/ids.hpp"
#include "actors/runtime/outbox_events.hpp"

namespace tt::adapters::kafka {

std::variant<std::unique_ptr<kafka_publisher>, std::string>
kafka_publisher::start(const kafka_settings& settings, storage::snapshot_store* store) {
  std::unique_ptr<kafka_publisher> out{new kafka_publisher{settings, store}};
  auto conf = make_conf({
      {"bootstrap.servers", settings.bootstrap_servers},
      {"client.id", settings.client_id},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", std::to_string(settings.linger.count())},
      // The embedded broker keeps ~5 MiB per partition and drops the oldest beyond it, and a
      // restarted worker needs the expiry event of every live hold: lz4 batches fit four to five
      // times as many events in that window (tests/adapters/kafka/embedded_cluster_test.cpp).
      // More kept batches cost the mock more walking, which its fewer partitions pay back
      // (kafka_settings.hpp). A real Kafka stores them compressed too.
      {"compression.type", "lz4"},
      // Never give up on an event: the outbox keeps it until the broker has it anyway, and an
      // expiring message would let a later event of the same key overtake it.
      {"message.timeout.ms", "0"},
      {"log_level", "4"},
  });
  if (auto* err = std::get_if<std::string>(&conf))
    return *err;
  auto& c = std::get<conf_handle>(conf);
  rd_kafka_conf_set_dr_msg_cb(c.get(), &kafka_publisher::on_delivery);
  rd_kafka_conf_set_opaque(c.get(), out.get());
  auto producer = make_client(RD_KAFKA_PRODUCER, std::move(c));
  if (auto* err = std::get_if<std::string>(&producer))
    return *err;
  out->producer_ = std::move(std::get<client_handle>(producer));
  out->learn_topics();
  if (auto err = out->check_shard_partitions())
    return *err;
  out->poller_ = std::thread{[p = out.get()] {
    p->poll_loop();
  }};
  return out;
}

kafka_publisher::kafka_publisher(const kafka_settings& settings, storage::snapshot_store* store)
    : settings_(settings), store_(store) {}

kafka_publisher::~kafka_publisher() {
  stopping_ = true;
  if (poller_.joinable())
    poller_.join();
  // Drop what is left without waiting: it is still in the outbox.
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(producer_.get(), 0); // runs the purged events' callbacks, which free them
}

void kafka_publisher::learn_topics() {
  const auto& t = settings_.topics;
  for (const auto* name : {&t.lifecycle, &t.payment, &t.expiry, &t.dead_letter})
    topics_.emplace_back(rd_kafka_topic_new(producer_.get(), name->c_str(), nullptr));
  // brokers() asks for the metadata of the topics this client knows, now the four above. A
  // failure is not fatal: the producer asks again by itself once the brokers are back.
  auto known = brokers(std::chrono::seconds{5});
  if (auto* err = std::get_if<std::string>(&known))
    spdlog::warn("kafka: the topics' metadata is not known yet: {}", *err);
}

std::optional<std::string> kafka_publisher::check_shard_partitions() const {
  if (settings_.shard_partitions == 0)
    return std::nullopt;
  for (auto kind : {actors::topic_kind::payment, actors::topic_kind::expiry}) {
    const auto& name = settings_.topics.of(kind);
    auto known = partitions_of(producer_.get(), name, 10'000);
    if (auto* err = std::get_if<std::string>(&known))
      return "kafka: " + *err;
    auto count = std::get<std::vector<int32_t>>(known).size();
    if (count != settings_.shard_partitions)
      return "kafka: topic " + name + " has " + std::to_string(count) +
             " partitions; a clustered node needs one per shard (cluster.shards = " +
             std::to_string(settings_.shard_partitions) + "; tacos-broker --shards creates them)";
  }
  return std::nullopt;
}

int32_t kafka_publisher::partition_of(const actors::outbound_event& event) const {
  if (!settings_.partitioned_by_shard(event.topic))
    return RD_KAFKA_PARTITION_UA;
  // Our own events' keys are minted reservation ids: they name their shard.
  auto route = route_of(reservation_id{event.key});
  if (!route || route->shard >= settings_.shard_partitions)
    return RD_KAFKA_PARTITION_UA;
  return static_cast<int32_t>(route->shard);
}

void kafka_publisher::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<kafka_publisher*>(opaque);
  std::unique_ptr<actors::outbound_event> event{
      static_cast<actors::outbound_event*>(msg->_private)};
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->delivered_ += 1;
    if (!event->outbox_key.empty())
      self->acknowledged_.push_back(std::move(event->outbox_key));
    return;
  }
  if (self->stopping_)
    return;
  self->failed_ += 1;
  spdlog::warn("kafka: event {} not delivered ({}); queued again", event->event_id,
               rd_kafka_err2str(msg->err));
  std::lock_guard lock{self->mutex_};
  self->backlog_.push_back(std::move(*event));
}

bool kafka_publisher::send(actors::outbound_event& event) {
  const auto& topic = settings_.topics.of(event.topic);
  auto owned = std::make_unique<actors::outbound_event>(std::move(event));
  auto* e = owned.get();
  auto* headers = rd_kafka_headers_new(3);
  auto header = [headers](const char* name, const std::string& value) {
    rd_kafka_header_add(headers, name, -1, value.data(), static_cast<ssize_t>(value.size()));
  };
  header("event_id", e->event_id);
  header("event_type", e->event_type);
  if (!e->reason.empty())
    header("reason", e->reason);
  auto err = rd_kafka_producev(
      producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition_of(*e)),
      RD_KAFKA_V_KEY(const_cast<char*>(e->key.data()), e->key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(e->envelope.data()), e->envelope.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(e),
      RD_KAFKA_V_END);
  if (err)
    rd_kafka_headers_destroy(headers); // owned by the message only when it was queued
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    event = std::move(*owned);
    return false;
  }
  if (err) { // an unknown topic or a fatal producer error: it stays in the outbox
    spdlog::error("kafka: event {} cannot be produced: {}", e->event_id, rd_kafka_err2str(err));
    return true;
  }
  owned.release(); // freed by on_delivery
  published_ += 1;
  return true;
}

void kafka_publisher::publish(std::vector<actors::outbound_event> events) {
  std::lock_guard lock{mutex_};
  // Behind a backlog, new events wait too: one key's events must not overtake each other.
  for (auto& e : events)
    if (!backlog_.empty() || !send(e))
      backlog_.push_back(std::move(e));
}

void kafka_publisher::drain_backlog() {
  std::lock_guard lock{mutex_};
  while (!backlog_.empty() && send(backlog_.front()))
    backlog_.pop_front();
}

void kafka_publisher::delete_acknowledged() {
  if (acknowledged_.empty() || store_ == nullptr) {
    acknowledged_.clear();
    return;
  }
  std::vector<storage::mutation> batch;
  batch.reserve(acknowledged_.size());
  for (const auto& key : acknowledged_)
    batch.push_back(actors::outbox_delete(key));
  acknowledged_.clear();
  // A lost delete only means the event is published once more at the next start.
  store_->commit(std::move(batch), [](std::optional<storage::storage_error> err) {
    if (err)
      spdlog::warn("kafka: acknowledged events stay in the outbox: {}", err->message);
  });
}

void kafka_publisher::poll_loop() {
  while (!stopping_) {
    rd_kafka_poll(producer_.get(), 50);
    delete_acknowledged();
    drain_backlog();
  }
}

void kafka_publisher::flush(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    {
      std::lock_guard lock{mutex_};
      if (backlog_.empty() && rd_kafka_outq_len(producer_.get()) == 0)
        return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
}

std::variant<int, std::string> kafka_publisher::brokers(std::chrono::milliseconds timeout) const {
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(producer_.get(), 0, nullptr, &md, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return std::string{"the brokers did not answer a metadata request: "} + rd_kafka_err2str(err);
  int count = md->broker_cnt;
  rd_kafka_metadata_destroy(md);
  return count;
}

publisher_stats kafka_publisher::stats() const {
  publisher_stats s;
  s.published = published_;
  s.delivered = delivered_;
  s.failed = failed_;
  {
    std::lock_guard lock{mutex_};
    s.backlog = backlog_.size();
  }
  s.in_producer = static_cast<uint64_t>(rd_kafka_outq_len(producer_.get()));
  return s;
}

} // namespace tt::adapters::kafka
