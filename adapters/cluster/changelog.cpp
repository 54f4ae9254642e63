#include "adapters/cluster/changelog.hpp"

#include <future>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "proto/tt/internal/v1/changelog.pb.h"

namespace tt::adapters::cluster {

namespace {

namespace pb = tt::internal::v1;

std::optional<storage::entity_kind> kind_named(std::string_view name) {
  for (auto kind : storage::all_entity_kinds)
    if (storage::to_string(kind) == name)
      return kind;
  return std::nullopt;
}

void encode_mutation(const storage::mutation& m, pb::ChangelogMutation& out) {
  out.set_kind(std::string{storage::to_string(m.kind)});
  out.set_key(m.key);
  if (m.value)
    out.set_value(*m.value);
  if (m.expires_at_ms)
    out.set_expires_at_ms(*m.expires_at_ms);
}

std::string encode_batch(int64_t claim, const std::vector<storage::mutation>& batch) {
  pb::ChangelogRecord record;
  record.set_claim(claim);
  auto* body = record.mutable_batch();
  for (const auto& m : batch)
    encode_mutation(m, *body->add_mutations());
  return record.SerializeAsString();
}

/// A snapshot part stays well under the brokers' default message size (1 MB).
constexpr size_t snapshot_part_bytes = 256 * 1024;

/// The records of a snapshot of `state` covering the log before `covers_until`, under `claim`.
std::vector<std::string> encode_snapshot(int64_t claim, int64_t covers_until,
                                         const restored_shard& state) {
  std::vector<pb::ChangelogRecord> parts(1);
  size_t bytes = 0;
  for (const auto& m : state.records) {
    if (bytes >= snapshot_part_bytes) {
      parts.emplace_back();
      bytes = 0;
    }
    encode_mutation(m, *parts.back().mutable_snapshot()->add_mutations());
    bytes += m.key.size() + (m.value ? m.value->size() : 0) + 16;
  }
  parts.front().mutable_snapshot()->mutable_previous_claims()->insert(state.previous_claims.begin(),
                                                                      state.previous_claims.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < parts.size(); ++i) {
    parts[i].set_claim(claim);
    auto* s = parts[i].mutable_snapshot();
    s->set_covers_until(covers_until);
    s->set_part(static_cast<int32_t>(i));
    s->set_parts(static_cast<int32_t>(parts.size()));
    out.push_back(parts[i].SerializeAsString());
  }
  return out;
}

} // namespace

changelog::changelog(changelog_settings settings, shard_ownership* group, bool fenced)
    : settings_(std::move(settings)), group_(group), fenced_(fenced) {}

std::variant<std::unique_ptr<changelog>, std::string>
changelog::start(const changelog_settings& settings, shard_ownership* group, bool fenced) {
  std::unique_ptr<changelog> self{new changelog(settings, group, fenced)};
  auto conf = kafka::make_conf({
      {"bootstrap.servers", settings.bootstrap_servers},
      {"client.id", settings.node_id + "-changelog"},
      // In the log on every replica before it counts, in order, once (retries keep order).
      {"acks", "all"},
      {"enable.idempotence", "true"},
      // A write waits for this record: send at once, the group commit upstream already batches.
      // linger.ms=0 alone still held each record ~20 ms (librdkafka 2.0.2 against the embedded
      // broker: 20.1 ms per sequential append); one message per batch: 0.13 ms.
      {"linger.ms", "0"},
      {"batch.num.messages", "1"},
      // The embedded broker's window (~5 MiB a partition) counts compressed bytes: a shard's
      // snapshot and tail must fit in it, and its records (protobuf, repeated keys and JSON
      // values) shrink several times.
      {"compression.type", "lz4"},
      {"log_level", "4"},
  });
  if (auto* err = std::get_if<std::string>(&conf))
    return "cluster: " + *err;
  auto& c = std::get<kafka::conf_handle>(conf);
  rd_kafka_conf_set_dr_msg_cb(c.get(), &changelog::on_delivery);
  rd_kafka_conf_set_opaque(c.get(), self.get());
  auto producer = kafka::make_client(RD_KAFKA_PRODUCER, std::move(c));
  if (auto* err = std::get_if<std::string>(&producer))
    return "cluster: " + *err;
  self->producer_ = std::move(std::get<kafka::client_handle>(producer));
  self->poller_ = std::thread{[s = self.get()] {
    s->run_poller();
  }};
  self->confirmer_ = std::thread{[s = self.get()] {
    s->run_confirmer();
  }};
  self->snapshotter_ = std::thread{[s = self.get()] {
    s->run_snapshots();
  }};
  return self;
}

changelog::~changelog() {
  // The snapshot under way (if any) still gets its appends answered by the confirmer.
  snapshots_stopping_ = true;
  snapshotter_.join();
  rd_kafka_flush(producer_.get(), 10'000);
  stopping_ = true;
  wake_.notify_all();
  poller_.join();
  confirmer_.join();
}

void changelog::produce(uint32_t shard, const std::string& value, std::unique_ptr<pending> p) {
  p->shard = shard;
  ++in_flight_;
  auto* raw = p.release();
  auto err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(settings_.topic.c_str()),
                               RD_KAFKA_V_PARTITION(static_cast<int32_t>(shard)),
                               RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(raw),
                               RD_KAFKA_V_END);
  if (err) {
    std::unique_ptr<pending> back{raw};
    back->error =
        fmt::format("changelog: cannot append to shard {}: {}", shard, rd_kafka_err2str(err));
    delivered(std::move(back));
  }
}

void changelog::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  std::unique_ptr<pending> p{static_cast<pending*>(m->_private)};
  if (m->err)
    p->error = fmt::format("changelog: shard {} did not take the record: {}", p->shard,
                           rd_kafka_err2str(m->err));
  else
    p->offset = m->offset;
  static_cast<changelog*>(opaque)->delivered(std::move(p));
}

void changelog::delivered(std::unique_ptr<pending> p) {
  {
    std::lock_guard lock{mutex_};
    delivered_.push_back(std::move(p));
  }
  wake_.notify_one();
}

void changelog::run_poller() {
  while (!stopping_.load())
    rd_kafka_poll(producer_.get(), 50);
  rd_kafka_poll(producer_.get(), 0);
}

void changelog::run_confirmer() {
  for (;;) {
    std::deque<std::unique_ptr<pending>> batch;
    {
      std::unique_lock lock{mutex_};
      wake_.wait(lock, [&] { return !delivered_.empty() || (stopping_ && in_flight_ == 0); });
      if (delivered_.empty())
        return;
      batch.swap(delivered_);
    }
    // One commit for everything delivered meanwhile: the furthest offset of each shard, with
    // the claim it was written under (a claim record's is its own offset).
    std::map<uint32_t, shard_position> furthest;
    for (const auto& p : batch) {
      if (p->error)
        continue;
      auto& f = furthest[p->shard];
      if (p->offset + 1 > f.next_offset)
        f = {p->shard, p->offset + 1, p->claim < 0 ? p->offset : p->claim};
    }
    std::vector<shard_position> positions;
    {
      std::lock_guard lock{shards_mutex_};
      for (auto& [shard, f] : furthest) {
        auto known = shards_.find(shard);
        if (known != shards_.end())
          f.snapshot = known->second.snapshot;
        positions.push_back(f);
      }
    }
    std::optional<std::string> refused;
    if (group_ != nullptr && !positions.empty()) {
      if (fenced_)
        refused = group_->confirm(positions);
      else
        group_->record_unfenced(positions);
    }
    for (auto& p : batch) {
      auto error = p->error ? p->error : refused;
      p->done(std::move(error));
      --in_flight_;
    }
  }
}

std::variant<int64_t, std::string> changelog::claim(uint32_t shard, int64_t previous,
                                                    std::chrono::milliseconds limit) {
  pb::ChangelogRecord record;
  record.mutable_claim_taken()->set_node_id(settings_.node_id);
  record.mutable_claim_taken()->set_previous_claim(previous);
  // A claim record is written under no claim: its own offset is the claim.
  auto claimed = append_and_wait(shard, -1, record.SerializeAsString(), limit);
  if (auto* offset = std::get_if<int64_t>(&claimed)) {
    std::lock_guard lock{shards_mutex_};
    shards_[shard].claim = *offset;
  }
  return claimed;
}

void changelog::append(uint32_t shard, int64_t claim, const std::vector<storage::mutation>& batch,
                       done_fn done) {
  auto p = std::make_unique<pending>();
  p->claim = claim;
  p->done = std::move(done);
  auto value = encode_batch(claim, batch);
  {
    std::lock_guard lock{shards_mutex_};
    auto& s = shards_[shard];
    s.claim = claim;
    s.bytes_since_snapshot += static_cast<int64_t>(value.size());
  }
  produce(shard, value, std::move(p));
}

std::variant<int64_t, std::string> changelog::append_and_wait(uint32_t shard, int64_t claim,
                                                              const std::string& value,
                                                              std::chrono::milliseconds limit) {
  auto answer = std::make_shared<std::promise<std::variant<int64_t, std::string>>>();
  auto p = std::make_unique<pending>();
  auto* raw = p.get();
  p->claim = claim;
  p->done = [answer, raw](std::optional<std::string> error) {
    if (error)
      answer->set_value(*error);
    else
      answer->set_value(raw->offset);
  };
  auto result = answer->get_future();
  produce(shard, value, std::move(p));
  if (result.wait_for(limit) != std::future_status::ready)
    return fmt::format("changelog: no answer from shard {}'s partition within {} ms", shard,
                       limit.count());
  return result.get();
}

void changelog::adopt(uint32_t shard, snapshot_ref from, int64_t tail_bytes) {
  std::lock_guard lock{shards_mutex_};
  auto& s = shards_[shard];
  s.snapshot = from;
  s.bytes_since_snapshot = tail_bytes;
}

void changelog::forget(uint32_t shard) {
  std::lock_guard lock{shards_mutex_};
  shards_.erase(shard);
}

snapshot_ref changelog::latest_snapshot(uint32_t shard) const {
  std::lock_guard lock{shards_mutex_};
  auto it = shards_.find(shard);
  return it == shards_.end() ? snapshot_ref{} : it->second.snapshot;
}

std::optional<std::string> changelog::snapshot(uint32_t shard, int64_t claim,
                                               std::chrono::milliseconds limit) {
  snapshot_ref from;
  int64_t appended_before = 0;
  {
    std::lock_guard lock{shards_mutex_};
    auto& s = shards_[shard];
    from = s.snapshot;
    appended_before = s.bytes_since_snapshot;
  }
  // Everything the log holds now, replayed as a restore would (the same chain of claims, with
  // this node's claim the latest): the snapshot is exactly what a restore up to here yields.
  int64_t low = 0, end = 0;
  if (auto err = rd_kafka_query_watermark_offsets(producer_.get(), settings_.topic.c_str(),
                                                  static_cast<int32_t>(shard), &low, &end,
                                                  static_cast<int>(limit.count())))
    return fmt::format("changelog: shard {}: cannot read its end: {}", shard,
                       rd_kafka_err2str(err));
  auto replayed = restore(shard, end, claim, from, limit);
  if (auto* err = std::get_if<std::string>(&replayed))
    return *err;
  snapshot_ref made{-1, end};
  int64_t last = -1;
  for (const auto& part : encode_snapshot(claim, end, std::get<restored_shard>(replayed))) {
    auto offset = append_and_wait(shard, claim, part, limit);
    if (auto* err = std::get_if<std::string>(&offset))
      return *err;
    last = std::get<int64_t>(offset);
    if (made.parts_at < 0)
      made.parts_at = last;
  }
  {
    std::lock_guard lock{shards_mutex_};
    auto& s = shards_[shard];
    s.snapshot = made;
    s.bytes_since_snapshot = std::max<int64_t>(0, s.bytes_since_snapshot - appended_before);
  }
  // The group's metadata names it from the next confirm on; one now, so that a node dying
  // before its next write still hands it on.
  if (group_ == nullptr)
    return std::nullopt;
  std::vector<shard_position> position{{shard, last + 1, claim, made}};
  if (!fenced_) {
    group_->record_unfenced(position);
    return std::nullopt;
  }
  return group_->confirm(position);
}

void changelog::run_snapshots() {
  auto next = std::chrono::steady_clock::now() + settings_.snapshot_check;
  while (!snapshots_stopping_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
    if (std::chrono::steady_clock::now() < next)
      continue;
    next = std::chrono::steady_clock::now() + settings_.snapshot_check;
    std::vector<std::pair<uint32_t, int64_t>> due;
    {
      std::lock_guard lock{shards_mutex_};
      for (const auto& [shard, s] : shards_)
        if (s.claim >= 0 && s.bytes_since_snapshot >= settings_.snapshot_every_bytes)
          due.emplace_back(shard, s.claim);
    }
    for (const auto& [shard, claim] : due) {
      if (snapshots_stopping_.load())
        return;
      auto started = std::chrono::steady_clock::now();
      if (auto err = snapshot(shard, claim, std::chrono::seconds{30})) {
        spdlog::warn("cluster: no snapshot of shard {} this time: {}", shard, *err);
        continue;
      }
      auto s = latest_snapshot(shard);
      spdlog::info("cluster: snapshot of shard {} up to offset {} (parts from {}) in {} ms", shard,
                   s.covers_until, s.parts_at,
                   std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count());
    }
  }
}

std::variant<restored_shard, std::string>
changelog::restore(uint32_t shard, int64_t until, int64_t last_confirmed, snapshot_ref from,
                   std::chrono::milliseconds limit) const {
  restored_shard out;
  if (until <= 0)
    return out;
  auto conf = kafka::make_conf({
      {"bootstrap.servers", settings_.bootstrap_servers},
      {"client.id", settings_.node_id + "-restore"},
      // Required by librdkafka for a consumer; never joined (assign) nor committed.
      {"group.id", "tt-restore"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // An offset the broker no longer has is an error here, never a silent skip.
      {"auto.offset.reset", "error"},
      {"fetch.wait.max.ms", "10"},
      {"log_level", "4"},
  });
  if (auto* err = std::get_if<std::string>(&conf))
    return "changelog: " + *err;
  auto client =
      kafka::make_client(RD_KAFKA_CONSUMER, std::move(std::get<kafka::conf_handle>(conf)));
  if (auto* err = std::get_if<std::string>(&client))
    return "changelog: " + *err;
  auto& rk = std::get<kafka::client_handle>(client);
  auto partition = static_cast<int32_t>(shard);
  int64_t low = 0, high = 0;
  if (auto err = rd_kafka_query_watermark_offsets(rk.get(), settings_.topic.c_str(), partition,
                                                  &low, &high, static_cast<int>(limit.count())))
    return fmt::format("changelog: shard {}: cannot read its bounds: {}", shard,
                       rd_kafka_err2str(err));
  // From the snapshot's end when there is one: its parts come later and hold what was before.
  auto start = from.exists() ? from.covers_until : 0;
  if (low > start)
    return fmt::format("changelog: shard {} starts at offset {}, past {} where its restore must "
                       "start{}: the broker dropped records it needs, so its state cannot be "
                       "restored; refusing to serve it",
                       shard, low, start, from.exists() ? " (its latest snapshot's end)" : "");
  kafka::partition_list begin{rd_kafka_topic_partition_list_new(1)};
  rd_kafka_topic_partition_list_add(begin.get(), settings_.topic.c_str(), partition)->offset =
      start;
  if (auto err = rd_kafka_assign(rk.get(), begin.get()))
    return fmt::format("changelog: shard {}: {}", shard, rd_kafka_err2str(err));

  // Read first, then judge: which claims are legitimate is known only from the whole chain.
  std::vector<std::pair<int64_t, pb::ChangelogRecord>> log;
  std::map<int64_t, int64_t>& previous_of = out.previous_claims;
  std::map<int32_t, pb::ChangelogSnapshot> parts; // of the snapshot `from`, by part number
  int64_t next = start;
  auto give_up_at = std::chrono::steady_clock::now() + limit;
  while (next < until) {
    if (std::chrono::steady_clock::now() >= give_up_at)
      return fmt::format("changelog: shard {}: read {} of {} records within {} ms", shard, next,
                         until, limit.count());
    auto* m = rd_kafka_consumer_poll(rk.get(), 100);
    if (m == nullptr)
      continue;
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned{
        m, &rd_kafka_message_destroy};
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
      continue;
    if (m->err)
      return fmt::format("changelog: shard {}: {}", shard, rd_kafka_message_errstr(m));
    if (m->offset != next)
      return fmt::format("changelog: shard {}: expected offset {}, read {} (a gap)", shard, next,
                         m->offset);
    next = m->offset + 1;
    if (m->offset >= until)
      break;
    pb::ChangelogRecord record;
    if (!record.ParseFromArray(m->payload, static_cast<int>(m->len)))
      return fmt::format("changelog: shard {}: record {} does not decode", shard, m->offset);
    if (record.has_claim_taken()) {
      previous_of[m->offset] = record.claim_taken().previous_claim();
    } else if (record.has_batch()) {
      out.tail_bytes += static_cast<int64_t>(m->len);
      log.emplace_back(m->offset, std::move(record));
    } else if (record.has_snapshot() && from.exists() &&
               record.snapshot().covers_until() == from.covers_until) {
      // Other snapshots' parts (older ones, or one a replaced owner did not finish) are skipped.
      parts[record.snapshot().part()] = std::move(*record.mutable_snapshot());
    }
  }
  std::map<std::pair<storage::entity_kind, std::string>, storage::mutation> state;
  auto apply = [&](int64_t offset, const pb::ChangelogMutation& mu) -> std::optional<std::string> {
    auto kind = kind_named(mu.kind());
    if (!kind)
      return fmt::format("changelog: shard {}: record {} names an unknown kind '{}'", shard, offset,
                         mu.kind());
    auto key = std::make_pair(*kind, mu.key());
    if (!mu.has_value()) {
      state.erase(key);
      return std::nullopt;
    }
    storage::mutation put{*kind, mu.key(), mu.value(), std::nullopt};
    if (mu.has_expires_at_ms())
      put.expires_at_ms = mu.expires_at_ms();
    state[key] = std::move(put);
    return std::nullopt;
  };
  if (from.exists()) {
    auto expected = parts.empty() ? 0 : parts.begin()->second.parts();
    if (expected <= 0 || static_cast<int32_t>(parts.size()) != expected ||
        parts.rbegin()->first != expected - 1)
      return fmt::format("changelog: shard {}: {} of the parts of its snapshot at {} are in the "
                         "log; refusing to serve it",
                         shard, parts.size(), from.parts_at);
    for (const auto& [number, part] : parts) {
      for (const auto& mu : part.mutations())
        if (auto err = apply(from.parts_at, mu))
          return *err;
      // Links read from the log itself win (there are none before the snapshot's end).
      for (const auto& [claim, previous] : part.previous_claims())
        previous_of.emplace(claim, previous);
    }
  }
  // The legitimate claims: the chain back from the one the group confirmed last.
  std::set<int64_t> chain;
  for (auto c = last_confirmed; c >= 0 && chain.count(c) == 0;) {
    auto it = previous_of.find(c);
    if (it == previous_of.end())
      return fmt::format("changelog: shard {}: the confirmed claim {} is not in the log", shard, c);
    chain.insert(c);
    c = it->second;
  }
  // A batch counts when its claim is in the chain and the chain's next claim comes after it.
  auto counts = [&](int64_t offset, int64_t claim) {
    if (chain.count(claim) == 0)
      return false;
    auto successor = chain.upper_bound(claim);
    return offset < (successor == chain.end() ? until : *successor);
  };
  for (const auto& [offset, record] : log) {
    if (!counts(offset, record.claim())) {
      ++out.superseded;
      continue;
    }
    ++out.batches;
    for (const auto& mu : record.batch().mutations())
      if (auto err = apply(offset, mu))
        return *err;
  }
  out.records.reserve(state.size());
  for (auto& [key, m] : state)
    out.records.push_back(std::move(m));
  return out;
}

} // namespace tt::adapters::cluster
