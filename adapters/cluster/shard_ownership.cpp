#include "adapters/cluster/shard_ownership.hpp"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

namespace tt::adapters::cluster {

namespace {

/// How long a confirm keeps retrying while the group rebalances (the coordinator answers
/// REBALANCE_IN_PROGRESS until every member synced): a cooperative rebalance takes two rounds,
/// measured at up to ~6 s on the embedded broker while a member rejoins after a pause.
constexpr std::chrono::milliseconds rebalance_patience{10'000};

shard_list shards_of(const rd_kafka_topic_partition_list_t* parts) {
  shard_list out;
  for (int i = 0; parts != nullptr && i < parts->cnt; ++i)
    out.push_back(static_cast<uint32_t>(parts->elems[i].partition));
  std::sort(out.begin(), out.end());
  return out;
}

constexpr std::string_view claim_prefix = "claim=";
constexpr std::string_view snapshot_prefix = ";snapshot=";

/// "claim=<claim>", then ";snapshot=<first part>@<covers until>" once the shard has one.
std::string position_metadata(const shard_position& p) {
  auto text = std::string{claim_prefix} + std::to_string(p.claim);
  if (p.snapshot.exists())
    text += fmt::format("{}{}@{}", snapshot_prefix, p.snapshot.parts_at, p.snapshot.covers_until);
  return text;
}

/// Reads a number at the front of `text` and drops it; nullopt when there is none.
std::optional<int64_t> take_number(std::string_view& text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{})
    return std::nullopt;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return value;
}

/// The claim and snapshot a commit's metadata names; -1 for what it does not name (or what is
/// not ours).
void read_metadata(std::string_view text, shard_position& out) {
  if (text.substr(0, claim_prefix.size()) != claim_prefix)
    return;
  text.remove_prefix(claim_prefix.size());
  auto claim = take_number(text);
  if (!claim)
    return;
  if (text.empty()) {
    out.claim = *claim;
    return;
  }
  if (text.substr(0, snapshot_prefix.size()) != snapshot_prefix)
    return;
  text.remove_prefix(snapshot_prefix.size());
  auto parts_at = take_number(text);
  if (!parts_at || text.empty() || text.front() != '@')
    return;
  text.remove_prefix(1);
  auto covers_until = take_number(text);
  if (!covers_until || !text.empty())
    return;
  out.claim = *claim;
  out.snapshot = {*parts_at, *covers_until};
}

bool retriable(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
         err == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
         err == RD_KAFKA_RESP_ERR_NOT_COORDINATOR;
}

/// The first error of a commit: the request's, else the first partition's.
struct commit_result {
  bool done = false;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
};

void on_commit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
               void* opaque) {
  auto* result = static_cast<commit_result*>(opaque);
  result->done = true;
  result->err = err;
  for (int i = 0; !result->err && offsets != nullptr && i < offsets->cnt; ++i)
    result->err = offsets->elems[i].err;
}

/// The commit of `positions`, each naming its claim in the commit's metadata.
kafka::partition_list commit_list(const std::string& topic,
                                  const std::vector<shard_position>& positions) {
  kafka::partition_list list{rd_kafka_topic_partition_list_new(static_cast<int>(positions.size()))};
  for (const auto& p : positions) {
    auto* e =
        rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), static_cast<int32_t>(p.shard));
    e->offset = p.next_offset;
    // The list owns and frees its elements' metadata.
    auto text = position_metadata(p);
    e->metadata = std::malloc(text.size());
    std::memcpy(e->metadata, text.data(), text.size());
    e->metadata_size = text.size();
  }
  return list;
}

} // namespace

shard_ownership::shard_ownership(ownership_settings settings, ownership_listener listener)
    : settings_(std::move(settings)), listener_(std::move(listener)) {}

std::variant<std::unique_ptr<shard_ownership>, std::string>
shard_ownership::start(const ownership_settings& settings, ownership_listener listener) {
  std::unique_ptr<shard_ownership> self{new shard_ownership(settings, std::move(listener))};
  auto conf = kafka::make_conf({
      {"bootstrap.servers", settings.bootstrap_servers},
      {"client.id", settings.node_id},
      {"group.id", settings.group_id},
      // Every member names the same single assignor: members naming different first assignors
      // crash the embedded broker, and a real one refuses the join.
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"session.timeout.ms", std::to_string(settings.session_timeout.count())},
      {"heartbeat.interval.ms",
       std::to_string(std::max<int64_t>(100, settings.session_timeout.count() / 6))},
      {"log_level", "4"},
  });
  if (auto* err = std::get_if<std::string>(&conf))
    return "cluster: " + *err;
  auto& c = std::get<kafka::conf_handle>(conf);
  rd_kafka_conf_set_rebalance_cb(c.get(), &shard_ownership::rebalance_trampoline);
  rd_kafka_conf_set_opaque(c.get(), self.get());
  auto client = kafka::make_client(RD_KAFKA_CONSUMER, std::move(c));
  if (auto* err = std::get_if<std::string>(&client))
    return "cluster: " + *err;
  self->consumer_ = std::move(std::get<kafka::client_handle>(client));
  rd_kafka_poll_set_consumer(self->consumer_.get());
  self->aside_wanted_ = settings.aside;
  if (settings.aside)
    spdlog::warn("cluster: standing aside (FORCE_FAILOVER, kept across the restart): this node "
                 "serves no shard until EmergencyAction FORCE_FAILOVER with mode = off");
  else if (auto err = self->subscribe())
    return "cluster: " + *err;
  self->thread_ = std::thread{[s = self.get()] {
    s->run();
  }};
  return self;
}

shard_ownership::~shard_ownership() {
  stopping_ = true;
  if (thread_.joinable())
    thread_.join();
}

std::optional<std::string> shard_ownership::subscribe() {
  kafka::partition_list topics{rd_kafka_topic_partition_list_new(1)};
  rd_kafka_topic_partition_list_add(topics.get(), settings_.topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (auto err = rd_kafka_subscribe(consumer_.get(), topics.get()))
    return fmt::format("cannot join group {} over {}: {}", settings_.group_id, settings_.topic,
                       rd_kafka_err2str(err));
  subscribed_ = true;
  return std::nullopt;
}

void shard_ownership::follow_operator() {
  bool aside = aside_wanted_.load();
  if (aside && subscribed_) {
    // Revokes every shard through the callback and leaves the group: the others rebalance now,
    // not after a session timeout.
    if (auto err = rd_kafka_unsubscribe(consumer_.get()))
      spdlog::warn("cluster: standing aside from group {}: {}", settings_.group_id,
                   rd_kafka_err2str(err));
    else
      spdlog::warn("cluster: standing aside (FORCE_FAILOVER): this node left group {}; the "
                   "others take its shards",
                   settings_.group_id);
    subscribed_ = false;
    return;
  }
  if (aside || subscribed_)
    return;
  if (auto err = subscribe()) {
    spdlog::error("cluster: {}", *err);
    return;
  }
  spdlog::info("cluster: joined group {} again (FORCE_FAILOVER off)", settings_.group_id);
}

void shard_ownership::run() {
  while (!stopping_.load()) {
    follow_operator();
    // Serves the rebalance callback; the partitions are paused, so no record arrives but an
    // error event may.
    if (auto* msg = rd_kafka_consumer_poll(consumer_.get(), 100)) {
      if (msg->err && msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        spdlog::warn("cluster: ownership consumer: {}", rd_kafka_message_errstr(msg));
      rd_kafka_message_destroy(msg);
    }
  }
  // Revokes everything through the callback, then leaves the group.
  if (auto err = rd_kafka_consumer_close(consumer_.get()))
    spdlog::warn("cluster: leaving group {}: {}", settings_.group_id, rd_kafka_err2str(err));
}

void shard_ownership::rebalance_trampoline(rd_kafka_t*, rd_kafka_resp_err_t err,
                                           rd_kafka_topic_partition_list_t* partitions,
                                           void* opaque) {
  static_cast<shard_ownership*>(opaque)->on_rebalance(err, partitions);
}

void shard_ownership::on_rebalance(rd_kafka_resp_err_t err,
                                   rd_kafka_topic_partition_list_t* partitions) {
  auto* rk = consumer_.get();
  bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  auto shards = shards_of(partitions);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_error_t* failed = nullptr;
    if (cooperative)
      failed = rd_kafka_incremental_assign(rk, partitions);
    else
      rd_kafka_assign(rk, partitions);
    if (failed != nullptr) {
      spdlog::error("cluster: cannot take shards {}: {}", fmt::join(shards, ","),
                    rd_kafka_error_string(failed));
      rd_kafka_error_destroy(failed);
      return;
    }
    // Ownership needs the assignment, not the records: restore reads the changelog itself.
    rd_kafka_pause_partitions(rk, partitions);
    {
      std::unique_lock lock{fence_};
      owned_.insert(shards.begin(), shards.end());
    }
    if (!shards.empty()) {
      ++moves_;
      spdlog::info("cluster: gained shards {}", fmt::join(shards, ","));
      if (listener_.gained)
        listener_.gained(shards);
    }
    return;
  }
  // Revoked (or lost, or an error): stop acknowledging first, then let the group move them.
  if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    spdlog::error("cluster: rebalance failed: {}; giving up every shard", rd_kafka_err2str(err));
    std::shared_lock lock{fence_};
    shards.assign(owned_.begin(), owned_.end());
  }
  {
    // From here no confirm of these shards starts, and one under way does not count.
    std::unique_lock lock{fence_};
    ++revocations_;
    for (auto s : shards) {
      owned_.erase(s);
      revoked_at_[s] = revocations_;
    }
  }
  if (!shards.empty()) {
    ++moves_;
    auto how = rd_kafka_assignment_lost(rk) || err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS
                   ? loss::evicted
                   : loss::revoked;
    spdlog::info("cluster: {} shards {}", how == loss::evicted ? "lost" : "gave up",
                 fmt::join(shards, ","));
    if (listener_.lost)
      listener_.lost(shards, how);
  }
  if (cooperative && err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    if (auto* failed = rd_kafka_incremental_unassign(rk, partitions)) {
      spdlog::warn("cluster: unassign: {}", rd_kafka_error_string(failed));
      rd_kafka_error_destroy(failed);
    }
  } else {
    rd_kafka_assign(rk, nullptr);
  }
}

shard_list shard_ownership::owned() const {
  std::shared_lock lock{fence_};
  return {owned_.begin(), owned_.end()};
}

bool shard_ownership::owns(uint32_t shard) const {
  std::shared_lock lock{fence_};
  return owned_.count(shard) != 0;
}

void shard_ownership::record_unfenced(const std::vector<shard_position>& positions) {
  auto list = commit_list(settings_.topic, positions);
  rd_kafka_commit(consumer_.get(), list.get(), 1);
}

std::optional<std::string> shard_ownership::confirm(const std::vector<shard_position>& positions) {
  auto give_up_at = std::chrono::steady_clock::now() + rebalance_patience;
  for (;;) {
    uint64_t since = 0;
    {
      std::shared_lock lock{fence_};
      for (const auto& p : positions)
        if (owned_.count(p.shard) == 0)
          return fmt::format("shard {} is not owned by this node", p.shard);
      since = revocations_;
    }
    // The commit runs outside the fence's lock: librdkafka may hold it while the group
    // rebalances (2 s measured), and a revocation waiting for it kept this member from
    // rejoining in time: the group evicted it, and the next rebalance did the same to another
    // (three nodes rotated through evictions for over a minute).
    commit_result result;
    auto list = commit_list(settings_.topic, positions);
    // No queue: librdkafka serves the callback inside this call, once the coordinator answered,
    // with each partition's own error.
    auto err = rd_kafka_commit_queue(consumer_.get(), list.get(), nullptr, &on_commit, &result);
    if (!result.done)
      result.err = err;
    {
      // A shard given up meanwhile: the commit may have gone out before (it then carried a
      // generation the shard was still this member's in, before any successor's claim), but
      // the write is not acknowledged either way.
      std::shared_lock lock{fence_};
      for (const auto& p : positions) {
        auto revoked = revoked_at_.find(p.shard);
        if (revoked != revoked_at_.end() && revoked->second > since)
          return fmt::format("shard {} was given up while its write was being confirmed", p.shard);
      }
    }
    if (!result.err)
      return std::nullopt;
    if (!retriable(result.err) || std::chrono::steady_clock::now() >= give_up_at)
      return fmt::format("the group refused the commit: {}", rd_kafka_err2str(result.err));
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
}

std::optional<int32_t> shard_ownership::generation() const {
  std::unique_ptr<rd_kafka_consumer_group_metadata_t,
                  decltype(&rd_kafka_consumer_group_metadata_destroy)>
      metadata{rd_kafka_consumer_group_metadata(consumer_.get()),
               &rd_kafka_consumer_group_metadata_destroy};
  if (!metadata)
    return std::nullopt;
  void* bytes = nullptr;
  size_t size = 0;
  if (auto* err = rd_kafka_consumer_group_metadata_write(metadata.get(), &bytes, &size)) {
    rd_kafka_error_destroy(err);
    return std::nullopt;
  }
  std::string_view written{static_cast<const char*>(bytes), size};
  constexpr std::string_view magic = "CGMDv2:";
  std::optional<int32_t> out;
  if (written.size() >= magic.size() + sizeof(int32_t) &&
      written.substr(0, magic.size()) == magic) {
    int32_t generation = -1;
    std::memcpy(&generation, written.data() + magic.size(), sizeof generation);
    if (generation >= 0)
      out = generation;
  }
  rd_kafka_mem_free(consumer_.get(), bytes);
  return out;
}

std::optional<shard_position>
shard_ownership::confirmed_position(uint32_t shard, std::chrono::milliseconds limit) const {
  kafka::partition_list list{rd_kafka_topic_partition_list_new(1)};
  rd_kafka_topic_partition_list_add(list.get(), settings_.topic.c_str(),
                                    static_cast<int32_t>(shard));
  if (rd_kafka_committed(consumer_.get(), list.get(), static_cast<int>(limit.count())) ||
      list->elems[0].err)
    return std::nullopt;
  const auto& e = list->elems[0];
  shard_position out{shard, e.offset < 0 ? -1 : e.offset, -1, {}};
  if (e.metadata != nullptr)
    read_metadata({static_cast<const char*>(e.metadata), e.metadata_size}, out);
  return out;
}

} // namespace tt::adapters::cluster
