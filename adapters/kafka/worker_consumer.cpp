#include "adapters/kafka/worker_consumer.hpp"

#include <future>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include <caf/all.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/common/overloaded.hpp"
#include "actors/runtime/outbox_events.hpp"
#include "adapters/kafka/group_consumer.hpp"

namespace tt::adapters::kafka {

namespace {

using clock_type = std::chrono::steady_clock;

/// How one handed-out event ended: ok, or the error (from the worker, or from storing its dead
/// letter when `dead_letter` is set).
struct finished_event {
  uint64_t ticket = 0;
  std::optional<std::string> error;
  bool dead_letter = false;

  static finished_event of_job(uint64_t ticket, std::optional<std::string> error) {
    return {ticket, std::move(error), false};
  }
  static finished_event of_dead_letter(uint64_t ticket, std::optional<std::string> error) {
    return {ticket, std::move(error), true};
  }
};

/// Filled by the worker's and the store's threads, drained by the consumer thread.
class completion_queue : public actors::job_sink {
 public:
  void finished(uint64_t ticket, std::optional<std::string> error) override {
    push(finished_event::of_job(ticket, std::move(error)));
  }
  void push(finished_event f) {
    std::lock_guard lock{mutex_};
    items_.push_back(std::move(f));
  }
  std::vector<finished_event> take_all() {
    std::lock_guard lock{mutex_};
    return std::exchange(items_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<finished_event> items_;
};

/// What the worker does with an event: nothing for events it does not act on.
std::optional<actors::worker_job> job_of(const actors::decoded_event& e) {
  return std::visit(
      overloaded{
          [&](const actors::hold_expiry_notice& n) -> std::optional<actors::worker_job> {
            return actors::worker_job{
                e.event_id, actors::effect_request::hold_expiry(n.reservation, e.trace_id),
                n.expires_at};
          },
          [&](const domain::payment_state& p) -> std::optional<actors::worker_job> {
            return actors::worker_job::immediate(e.event_id, actors::effect_request::payment_result(
                                                                 p.reservation, p.id, e.trace_id));
          },
          [](const domain::reservation_state&) -> std::optional<actors::worker_job> {
            return std::nullopt;
          },
      },
      e.body);
}

/// Events handed out and not finished, beyond which the consumer stops fetching for a while.
constexpr size_t max_in_hand = 200'000;
constexpr auto commit_interval = std::chrono::milliseconds{200};
constexpr auto lag_interval = std::chrono::seconds{1};

} // namespace

struct worker_consumer::impl {
  struct held {
    partition_key where;
    int64_t offset = 0;
    std::string key;
    std::string value;
    std::string event_id;
    actors::worker_job job;
    int attempts = 0;
  };

  kafka_settings settings;
  actors::worker_actor worker;
  actors::event_publisher& publisher;
  storage::snapshot_store* store;
  client_handle consumer;
  std::shared_ptr<completion_queue> done = std::make_shared<completion_queue>();
  offset_tracker offsets;
  std::unordered_map<uint64_t, held> hand;
  uint64_t last_ticket = 0;
  std::multimap<clock_type::time_point, uint64_t> retries;
  std::atomic<bool> stopping{false};
  std::thread thread;
  std::atomic<int64_t> consumed{0}, retried{0}, dead{0}, lag{0}, in_hand{0};
  std::atomic<int32_t> assigned{0};
  /// Clustered: shard moves not taken up yet (any thread), and the shards read now (consumer
  /// thread).
  struct shard_move {
    bool serve = false;
    std::vector<uint32_t> shards;
  };
  std::mutex moves_mutex;
  std::vector<shard_move> moves;
  std::set<uint32_t> serving;

  impl(const kafka_settings& s, actors::worker_actor w, actors::event_publisher& p,
       storage::snapshot_store* st)
      : settings(s), worker(std::move(w)), publisher(p), store(st) {}

  void take(const rd_kafka_message_t* m) {
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        spdlog::warn("kafka: consumer: {}", rd_kafka_message_errstr(m));
      return;
    }
    consumed += 1;
    held h;
    h.where = {rd_kafka_topic_name(m->rkt), m->partition};
    h.offset = m->offset;
    if (m->key != nullptr)
      h.key.assign(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr)
      h.value.assign(static_cast<const char*>(m->payload), m->len);
    offsets.started(h.where, h.offset);
    auto ticket = ++last_ticket;
    auto decoded = actors::decode_event(h.value);
    if (!decoded) {
      hand.emplace(ticket, std::move(h));
      dead_letter(ticket, decoded.error().message);
      return;
    }
    h.event_id = decoded->event_id;
    auto job = job_of(*decoded);
    if (!job) {
      offsets.finished(h.where, h.offset);
      return;
    }
    h.job = std::move(*job);
    hand.emplace(ticket, std::move(h));
    dispatch(ticket);
  }

  void dispatch(uint64_t ticket) {
    caf::anon_send(worker, actors::tracked_job{ticket, hand.at(ticket).job, done});
  }

  void finish(uint64_t ticket) {
    auto it = hand.find(ticket);
    if (it == hand.end())
      return;
    offsets.finished(it->second.where, it->second.offset);
    hand.erase(it);
  }

  void settle(const finished_event& f) {
    auto it = hand.find(f.ticket);
    if (it == hand.end())
      return;
    if (!f.error) {
      if (f.dead_letter)
        dead += 1;
      finish(f.ticket);
      return;
    }
    auto& h = it->second;
    if (f.dead_letter) { // its dead letter is not stored yet: try again shortly
      retries.emplace(clock_type::now() + settings.retry_backoff, f.ticket);
      return;
    }
    h.attempts += 1;
    if (h.attempts >= settings.max_attempts) {
      dead_letter(f.ticket, "after " + std::to_string(h.attempts) + " attempts: " + *f.error);
      return;
    }
    retried += 1;
    auto backoff = settings.retry_backoff * (1 << std::min(h.attempts - 1, 10));
    spdlog::warn("kafka: event {} failed ({}); attempt {} in {} ms", h.event_id, *f.error,
                 h.attempts + 1, backoff.count());
    retries.emplace(clock_type::now() + backoff, f.ticket);
  }

  /// Sends the event to the dead-letter topic through the outbox; its offset is finished once
  /// the outbox row is durable.
  void dead_letter(uint64_t ticket, std::string reason) {
    auto& h = hand.at(ticket);
    h.attempts = settings.max_attempts; // a retry from here is a retry of the dead letter
    auto where =
        h.where.topic + "[" + std::to_string(h.where.partition) + "]@" + std::to_string(h.offset);
    std::vector<actors::outbound_event> letter{{actors::topic_kind::dead_letter,
                                                h.key,
                                                h.event_id.empty() ? "dl-" + where : h.event_id,
                                                "dead_letter",
                                                h.value,
                                                {},
                                                where + ": " + reason}};
    spdlog::error("kafka: event {} goes to the dead-letter topic: {}", letter.front().event_id,
                  letter.front().reason);
    auto notice = actors::dead_lettered{letter.front().event_id, letter.front().reason};
    if (store == nullptr) {
      publisher.publish(std::move(letter));
      caf::anon_send(worker, notice);
      dead += 1;
      finish(ticket);
      return;
    }
    std::vector<storage::mutation> batch;
    actors::add_outbox_rows(std::string{actors::dead_letter_owner}, letter, batch);
    auto& p = publisher;
    auto w = worker;
    store->commit(std::move(batch), [queue = done, ticket, letter = std::move(letter), &p, w,
                                     notice](std::optional<storage::storage_error> err) mutable {
      if (err) {
        queue->push(finished_event::of_dead_letter(ticket, err->message));
        return;
      }
      p.publish(std::move(letter));
      caf::anon_send(w, notice);
      queue->push(finished_event::of_dead_letter(ticket, std::nullopt));
    });
  }

  /// The worker topics' partitions of `shards`, at their committed offsets.
  partition_list partitions_of_shards(const std::vector<uint32_t>& shards) const {
    partition_list list{rd_kafka_topic_partition_list_new(static_cast<int>(2 * shards.size()))};
    for (const auto* topic : {&settings.topics.payment, &settings.topics.expiry})
      for (auto shard : shards)
        rd_kafka_topic_partition_list_add(list.get(), topic->c_str(), static_cast<int32_t>(shard));
    return list;
  }

  void take_moves() {
    std::vector<shard_move> taken;
    {
      std::lock_guard lock{moves_mutex};
      taken.swap(moves);
    }
    for (auto& m : taken) {
      // A shard told twice (the host's first report may repeat a move) is read once.
      std::vector<uint32_t> changed;
      for (auto shard : m.shards)
        if (m.serve ? serving.insert(shard).second : serving.erase(shard) != 0)
          changed.push_back(shard);
      if (changed.empty())
        continue;
      auto list = partitions_of_shards(changed);
      if (m.serve) {
        if (auto* err = rd_kafka_incremental_assign(consumer.get(), list.get())) {
          spdlog::error("kafka: worker cannot read the partitions of shards {}: {}",
                        fmt::join(changed, ","), rd_kafka_error_string(err));
          rd_kafka_error_destroy(err);
        }
        continue;
      }
      commit(commit_mode::sync);
      if (auto* err = rd_kafka_incremental_unassign(consumer.get(), list.get())) {
        spdlog::error("kafka: worker cannot stop reading the partitions of shards {}: {}",
                      fmt::join(changed, ","), rd_kafka_error_string(err));
        rd_kafka_error_destroy(err);
      }
      drop_partitions(*list);
    }
  }

  /// Forgets what is in hand from `partitions` (see release_shards).
  void drop_partitions(const rd_kafka_topic_partition_list_t& partitions) {
    std::set<partition_key> gone;
    for (int i = 0; i < partitions.cnt; ++i)
      gone.insert({partitions.elems[i].topic, partitions.elems[i].partition});
    for (const auto& p : gone)
      offsets.forget(p);
    for (auto it = hand.begin(); it != hand.end();)
      it = gone.count(it->second.where) != 0 ? hand.erase(it) : std::next(it);
  }

  void commit(commit_mode mode) { commit_offsets(consumer.get(), offsets.take_commits(), mode); }

  void measure_lag() {
    rd_kafka_topic_partition_list_t* raw = nullptr;
    if (rd_kafka_assignment(consumer.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR)
      return;
    partition_list list{raw};
    rd_kafka_position(consumer.get(), list.get());
    int64_t total = 0;
    for (int i = 0; i < list->cnt; ++i) {
      const auto& tp = list->elems[i];
      int64_t low = 0, high = 0;
      if (rd_kafka_get_watermark_offsets(consumer.get(), tp.topic, tp.partition, &low, &high) !=
          RD_KAFKA_RESP_ERR_NO_ERROR)
        continue;
      auto position = tp.offset >= 0 ? tp.offset : low;
      if (high > position)
        total += high - position;
    }
    lag = total;
    assigned = list->cnt;
  }

  void loop() {
    auto next_commit = clock_type::now() + commit_interval;
    auto next_lag = clock_type::now();
    while (!stopping) {
      take_moves();
      if (hand.size() < max_in_hand) {
        // One wait, then whatever else is already fetched.
        auto* m = rd_kafka_consumer_poll(consumer.get(), 50);
        for (int n = 0; m != nullptr && n < 5000; ++n) {
          take(m);
          rd_kafka_message_destroy(m);
          m = rd_kafka_consumer_poll(consumer.get(), 0);
        }
        if (m != nullptr) {
          take(m);
          rd_kafka_message_destroy(m);
        }
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
      }
      for (const auto& f : done->take_all())
        settle(f);
      auto now = clock_type::now();
      while (!retries.empty() && retries.begin()->first <= now) {
        auto ticket = retries.begin()->second;
        retries.erase(retries.begin());
        auto it = hand.find(ticket);
        if (it == hand.end())
          continue;
        if (it->second.attempts >= settings.max_attempts)
          dead_letter(ticket, "its dead letter could not be stored before");
        else
          dispatch(ticket);
      }
      in_hand = static_cast<int64_t>(hand.size());
      if (now >= next_commit) {
        commit(commit_mode::async);
        next_commit = now + commit_interval;
      }
      if (now >= next_lag) {
        measure_lag();
        caf::anon_send(worker, actors::source_report{consumed, in_hand, retried, lag, assigned});
        // Until the group gives it partitions, look often: start-up waits for that.
        next_lag = now + (assigned > 0 ? lag_interval : std::chrono::milliseconds{100});
      }
    }
  }

  /// Stops the consumer thread, settles what finished, commits it and leaves the group, waiting
  /// a bounded time: the broker may be gone (its session then times out on the broker side).
  void stop_consuming() {
    stopping = true;
    if (thread.joinable())
      thread.join();
    for (const auto& f : done->take_all())
      settle(f);
    if (!consumer)
      return;
    commit(commit_mode::sync);
    auto* rk = consumer.get();
    auto closed = std::async(std::launch::async, [rk] { rd_kafka_consumer_close(rk); });
    if (closed.wait_for(std::chrono::seconds{5}) != std::future_status::ready) {
      spdlog::warn("kafka: the worker did not leave its group within 5 s");
      consumer.release();
      std::thread{[c = std::move(closed)]() mutable {
        c.wait();
      }}.detach();
    }
    consumer.reset();
  }

  void start_consuming(client_handle client) {
    consumer = std::move(client);
    stopping = false;
    thread = std::thread{[raw = this] {
      raw->loop();
    }};
  }
};

namespace {

/// The worker's consumer client: a member of the worker group subscribed to its topics, or
/// (clustered) one assigned partitions by hand.
std::variant<client_handle, std::string> worker_client(const kafka_settings& settings) {
  auto client_id = settings.client_id + "-worker";
  return settings.shard_partitions > 0
             ? group_client(settings, client_id, settings.group_id)
             : join_group(settings, client_id, settings.group_id,
                          {settings.topics.payment, settings.topics.expiry});
}

} // namespace

std::variant<std::unique_ptr<worker_consumer>, std::string>
worker_consumer::start(const kafka_settings& settings, actors::worker_actor worker,
                       actors::event_publisher& publisher, storage::snapshot_store* store) {
  auto client = worker_client(settings);
  if (auto* err = std::get_if<std::string>(&client))
    return *err;
  auto state = std::make_unique<impl>(settings, worker, publisher, store);
  state->start_consuming(std::move(std::get<client_handle>(client)));
  return std::unique_ptr<worker_consumer>{new worker_consumer{std::move(state)}};
}

worker_consumer::worker_consumer(std::unique_ptr<impl> impl) : impl_(std::move(impl)) {}

worker_consumer::~worker_consumer() {
  impl_->stop_consuming();
}

result<std::string> worker_consumer::restart() {
  auto& s = *impl_;
  s.stop_consuming();
  // Unfinished events are not committed: the new client reads them again from the committed
  // offsets. Their late completions name tickets no longer in hand and are ignored.
  auto dropped = s.hand.size();
  std::set<partition_key> partitions;
  for (const auto& [ticket, h] : s.hand)
    partitions.insert(h.where);
  for (const auto& p : partitions)
    s.offsets.forget(p);
  s.hand.clear();
  s.retries.clear();
  s.in_hand = 0;
  s.assigned = 0;
  {
    // Clustered: the new client is assigned the shards served now, as the host told them.
    std::lock_guard lock{s.moves_mutex};
    if (!s.serving.empty())
      s.moves.insert(s.moves.begin(), {true, {s.serving.begin(), s.serving.end()}});
  }
  s.serving.clear();
  auto client = worker_client(s.settings);
  if (auto* err = std::get_if<std::string>(&client)) {
    spdlog::error("kafka: the worker consumer did not start again: {}", *err);
    return fail(errc::unavailable, "the worker consumer left its group but could not start "
                                   "again: " +
                                       *err + "; restart it again");
  }
  s.start_consuming(std::move(std::get<client_handle>(client)));
  auto text = "worker-consumer: committed what was finished, left the group and joined it again; " +
              std::to_string(dropped) + " unfinished event(s) will be read again";
  spdlog::info("kafka: {}", text);
  return text;
}

bool worker_consumer::wait_for_assignment(std::chrono::milliseconds timeout) const {
  auto until = clock_type::now() + timeout;
  while (impl_->assigned == 0 && clock_type::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  return impl_->assigned > 0;
}

void worker_consumer::serve_shards(std::vector<uint32_t> shards) {
  std::lock_guard lock{impl_->moves_mutex};
  impl_->moves.push_back({true, std::move(shards)});
}

void worker_consumer::release_shards(std::vector<uint32_t> shards) {
  std::lock_guard lock{impl_->moves_mutex};
  impl_->moves.push_back({false, std::move(shards)});
}

consumer_stats worker_consumer::stats() const {
  consumer_stats s;
  s.consumed = impl_->consumed;
  s.in_hand = impl_->in_hand;
  s.retries = impl_->retried;
  s.dead_lettered = impl_->dead;
  s.lag = impl_->lag;
  s.assigned_partitions = impl_->assigned;
  return s;
}

} // namespace tt::adapters::kafka
