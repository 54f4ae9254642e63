#include "actors/runtime/worker_actor.hpp"

#include <deque>
#include <unordered_map>
#include <unordered_set>

#include <caf/all.hpp>

namespace tt::actors {

namespace {

using promise_type = caf::typed_response_promise<effect_reply>;

struct waiting_job {
  worker_job job;
  promise_type promise;
};

/// Recently applied event ids, oldest evicted first.
class id_window {
 public:
  explicit id_window(size_t capacity) : capacity_(capacity) {}
  bool contains(const std::string& id) const { return ids_.count(id) != 0; }
  void add(const std::string& id) {
    if (capacity_ == 0 || !ids_.insert(id).second)
      return;
    order_.push_back(id);
    if (order_.size() > capacity_) {
      ids_.erase(order_.front());
      order_.pop_front();
    }
  }

 private:
  size_t capacity_;
  std::unordered_set<std::string> ids_;
  std::deque<std::string> order_;
};

constexpr size_t recent_dead_letters = 20;

struct worker_state {
  static inline const char* name = "worker";
  shard_region region;
  std::shared_ptr<const runtime_config> config;
  worker_options options;
  id_window applied{0};
  /// Ids of jobs waiting or in flight: a redelivery meanwhile is a duplicate too.
  std::unordered_set<std::string> underway;
  std::unordered_map<uint64_t, waiting_job> waiting;
  uint64_t last_token = 0;
  worker_stats stats;
  double total_ms = 0;
};

using self_pointer = worker_actor::stateful_pointer<worker_state>;

timestamp now_of(self_pointer self) {
  return self->state.config->time->now();
}

kind_stats& of_kind(self_pointer self, effect_kind kind) {
  return self->state.stats.kinds.at(static_cast<size_t>(kind));
}

void record(self_pointer self, effect_kind kind, const effect_reply& r,
            std::chrono::steady_clock::duration took) {
  auto& s = self->state.stats;
  auto& k = of_kind(self, kind);
  k.processed += 1;
  k.last_at = now_of(self);
  s.processed += 1;
  (r.status == effect_status::applied ? s.applied : s.skipped) += 1;
  s.last_processed_at = now_of(self);
  self->state.total_ms += std::chrono::duration<double, std::milli>(took).count();
  s.average_ms = self->state.total_ms / static_cast<double>(s.processed);
}

void run(self_pointer self, waiting_job w) {
  auto& st = self->state;
  st.stats.in_flight += 1;
  auto started = std::chrono::steady_clock::now();
  auto id = w.job.event_id;
  auto kind = w.job.effect.kind;
  auto promise = w.promise;
  self->request(st.region, st.options.effect_timeout, w.job.effect)
      .then(
          [=](effect_reply& r) mutable {
            auto& st = self->state;
            st.stats.in_flight -= 1;
            record(self, kind, r, std::chrono::steady_clock::now() - started);
            if (!id.empty()) {
              st.underway.erase(id);
              st.applied.add(id);
            }
            promise.deliver(std::move(r));
          },
          [=](caf::error& err) mutable {
            auto& st = self->state;
            st.stats.in_flight -= 1;
            st.stats.failed += 1;
            of_kind(self, kind).failed += 1;
            if (!id.empty())
              st.underway.erase(id);
            promise.deliver(std::move(err));
          });
}

caf::result<effect_reply> accept(self_pointer self, worker_job job) {
  auto& st = self->state;
  const auto& id = job.event_id;
  if (!id.empty() && (st.applied.contains(id) || st.underway.count(id) != 0)) {
    st.stats.duplicates += 1;
    return effect_reply{effect_status::duplicate, "event " + id + " was applied already", {}, {}};
  }
  if (!id.empty())
    st.underway.insert(id);
  auto promise = self->make_response_promise<effect_reply>();
  auto left = job.due - now_of(self);
  if (left <= std::chrono::milliseconds{0}) {
    run(self, {std::move(job), promise});
    return promise;
  }
  auto token = ++st.last_token;
  st.waiting.emplace(token, waiting_job{std::move(job), promise});
  st.stats.waiting += 1;
  self->delayed_send(self, left, due_atom_v, token);
  return promise;
}

} // namespace

std::string_view to_string(effect_kind kind) noexcept {
  switch (kind) {
    case effect_kind::hold_expiry:
      return "hold_expiry";
    case effect_kind::payment_result:
      return "payment_result";
    case effect_kind::release_hold:
      return "release_hold";
    case effect_kind::refund_orphaned_payments:
      return "refund_orphaned_payments";
    case effect_kind::cleanup:
      return "cleanup";
  }
  return "unknown";
}

worker_actor spawn_worker(caf::actor_system& sys, shard_region region,
                          std::shared_ptr<const runtime_config> config, worker_options options) {
  return sys.spawn([=](self_pointer self) -> worker_actor::behavior_type {
    auto& st = self->state;
    st.region = region;
    st.config = config;
    st.options = options;
    st.applied = id_window{options.remembered_ids};
    st.stats.started_at = now_of(self);
    for (auto kind : all_effect_kinds)
      st.stats.kinds.push_back({kind, 0, 0, {}});
    return {
        [=](worker_job& job) { return accept(self, std::move(job)); },
        [=](const worker_stats_query&) { return self->state.stats; },
        [=](const dead_lettered& d) {
          auto& s = self->state.stats;
          s.dead_letters += 1;
          s.recent_dead_letters.push_back(d);
          if (s.recent_dead_letters.size() > recent_dead_letters)
            s.recent_dead_letters.erase(s.recent_dead_letters.begin());
        },
        [=](const source_report& r) { self->state.stats.source = r; },
        [=](due_atom, uint64_t token) {
          auto& st = self->state;
          auto it = st.waiting.find(token);
          if (it == st.waiting.end())
            return;
          auto w = std::move(it->second);
          st.waiting.erase(it);
          st.stats.waiting -= 1;
          run(self, std::move(w));
        },
    };
  });
}

} // namespace tt::actors
