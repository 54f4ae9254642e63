#include "adapters/cluster/membership.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace tt::adapters::cluster {

namespace {

using steady = std::chrono::steady_clock;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string encode(const membership_settings& s, const self_report& r, bool leaving) {
  nlohmann::json j{{"node_id", s.node_id},     {"address", s.address}, {"shards", r.shards},
                   {"restoring", r.restoring}, {"leaving", leaving},   {"at_ms", wall_ms()}};
  return j.dump();
}

/// The announcement in `m`, nullopt when it is not one (skipped: the topic is ours, but a
/// reader must not trust it blindly).
std::optional<peer> decode(const rd_kafka_message_t* m) {
  if (m->err || m->payload == nullptr)
    return std::nullopt;
  auto j = nlohmann::json::parse(static_cast<const char*>(m->payload),
                                 static_cast<const char*>(m->payload) + m->len, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  peer p;
  try {
    p.node_id = j.at("node_id").get<std::string>();
    p.address = j.at("address").get<std::string>();
    p.shards = j.at("shards").get<shard_list>();
    p.restoring = j.value("restoring", shard_list{});
    p.leaving = j.value("leaving", false);
    p.at_ms = j.value("at_ms", wall_ms());
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  p.offset = m->offset;
  return p;
}

} // namespace

membership::membership(membership_settings settings, std::function<self_report()> report)
    : settings_(std::move(settings)), report_(std::move(report)) {}

std::variant<std::unique_ptr<membership>, std::string>
membership::start(const membership_settings& settings, std::function<self_report()> report) {
  std::unique_ptr<membership> self{new membership(settings, std::move(report))};
  auto pconf = kafka::make_conf({
      {"bootstrap.servers", settings.bootstrap_servers},
      {"client.id", settings.node_id + "-members"},
      {"linger.ms", "0"},
      {"log_level", "4"},
  });
  if (auto* err = std::get_if<std::string>(&pconf))
    return "cluster: " + *err;
  auto producer = kafka::make_client(RD_KAFKA_PRODUCER, std::move(std::get<0>(pconf)));
  if (auto* err = std::get_if<std::string>(&producer))
    return "cluster: " + *err;
  self->producer_ = std::move(std::get<0>(producer));
  auto cconf = kafka::make_conf({
      {"bootstrap.servers", settings.bootstrap_servers},
      {"client.id", settings.node_id + "-members"},
      // Required by librdkafka for a consumer; never joined (assign, not subscribe).
      {"group.id", "tt-members-reader"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // The mock broker answers a fetch only when this runs out.
      {"fetch.wait.max.ms", "10"},
      {"log_level", "4"},
  });
  if (auto* err = std::get_if<std::string>(&cconf))
    return "cluster: " + *err;
  auto consumer = kafka::make_client(RD_KAFKA_CONSUMER, std::move(std::get<0>(cconf)));
  if (auto* err = std::get_if<std::string>(&consumer))
    return "cluster: " + *err;
  self->consumer_ = std::move(std::get<0>(consumer));
  rd_kafka_poll_set_consumer(self->consumer_.get());
  kafka::partition_list all{rd_kafka_topic_partition_list_new(1)};
  // From the oldest kept: announcements older than the expiry are dropped as they are read.
  rd_kafka_topic_partition_list_add(all.get(), settings.topic.c_str(), 0)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  if (auto err = rd_kafka_assign(self->consumer_.get(), all.get()))
    return "cluster: cannot read " + settings.topic + ": " + rd_kafka_err2str(err);
  self->thread_ = std::thread{[s = self.get()] {
    s->run();
  }};
  return self;
}

membership::~membership() {
  stopping_ = true;
  if (thread_.joinable())
    thread_.join();
  announce(true);
  rd_kafka_flush(producer_.get(), 2000);
  rd_kafka_consumer_close(consumer_.get());
}

void membership::announce_soon() {
  announce_soon_ = true;
}

void membership::announce(bool leaving) {
  auto value = encode(settings_, report_(), leaving);
  auto err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(settings_.topic.c_str()),
                               RD_KAFKA_V_PARTITION(0),
                               RD_KAFKA_V_KEY(settings_.node_id.data(), settings_.node_id.size()),
                               RD_KAFKA_V_VALUE(value.data(), value.size()),
                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  if (err)
    spdlog::warn("cluster: cannot announce this node: {}", rd_kafka_err2str(err));
}

void membership::run() {
  auto next = steady::now();
  while (!stopping_.load()) {
    if (announce_soon_.exchange(false) || steady::now() >= next) {
      announce(false);
      next = steady::now() + settings_.interval;
    }
    rd_kafka_poll(producer_.get(), 0);
    read_announcements();
  }
}

void membership::read_announcements() {
  auto* m = rd_kafka_consumer_poll(consumer_.get(), 50);
  if (m == nullptr)
    return;
  auto now = steady::now();
  auto who = decode(m);
  rd_kafka_message_destroy(m);
  if (!who)
    return;
  std::lock_guard lock{mutex_};
  if (who->leaving) {
    nodes_.erase(who->node_id);
    return;
  }
  // An announcement older than the expiry (read from history at start) is no sign of life. Its
  // age comes from the announcer's clock (the nodes' clocks agree to well under the expiry).
  auto age = std::chrono::milliseconds{std::max<int64_t>(0, wall_ms() - who->at_ms)};
  auto heard = now - std::chrono::duration_cast<steady::duration>(age);
  auto id = who->node_id; // the key first: the right operand of = is evaluated before the left
  nodes_[id] = seen{std::move(*who), heard};
}

bool membership::live(const seen& s, steady::time_point now) const {
  return now - s.heard_at < settings_.expiry;
}

std::optional<peer> membership::owner_of(uint32_t shard) const {
  auto now = steady::now();
  std::lock_guard lock{mutex_};
  const peer* best = nullptr;
  for (const auto& [id, s] : nodes_) {
    if (!live(s, now) || !std::binary_search(s.who.shards.begin(), s.who.shards.end(), shard))
      continue;
    if (best == nullptr || s.who.offset > best->offset)
      best = &s.who;
  }
  if (best == nullptr)
    return std::nullopt;
  return *best;
}

std::vector<peer> membership::peers() const {
  auto now = steady::now();
  std::lock_guard lock{mutex_};
  std::vector<peer> out;
  for (const auto& [id, s] : nodes_)
    if (live(s, now))
      out.push_back(s.who);
  return out;
}

} // namespace tt::adapters::cluster
