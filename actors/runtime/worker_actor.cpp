#include "actors/runtime/worker_actor.hpp"

#include <deque>
#include <functional>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <caf/all.hpp>

#include "actors/runtime/due_queue.hpp"

namespace tt::actors {

namespace {

/// Where one job's outcome goes: its response promise, or its tracker's sink.
using job_done = std::function<void(caf::expected<effect_reply>)>;

struct pending_job {
  worker_job job;
  job_done done;
};

struct running_job {
  effect_kind kind = effect_kind::hold_expiry;
  std::string event_id;
  job_done done;
  std::chrono::steady_clock::time_point started;
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
  /// Jobs before their due time.
  due_queue<pending_job> not_due;
  /// Due jobs waiting for one of the `max_running` slots, in the order they became due.
  std::deque<pending_job> ready;
  /// Effects asked of the events and not answered, by run number.
  std::unordered_map<uint64_t, running_job> running;
  uint64_t last_run = 0;
  bool sweep_armed = false;
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

void pump(self_pointer self);

/// Ends running effect `run_id` with `outcome`; nothing if it ended already (timed out, and this
/// is its late answer: the effect checks the state first, so its retry finds it done).
void finish(self_pointer self, uint64_t run_id, caf::expected<effect_reply> outcome) {
  auto& st = self->state;
  auto it = st.running.find(run_id);
  if (it == st.running.end())
    return;
  auto job = std::move(it->second);
  st.running.erase(it);
  if (!job.event_id.empty())
    st.underway.erase(job.event_id);
  if (outcome) {
    record(self, job.kind, *outcome, std::chrono::steady_clock::now() - job.started);
    if (!job.event_id.empty())
      st.applied.add(job.event_id);
  } else {
    st.stats.failed += 1;
    of_kind(self, job.kind).failed += 1;
  }
  job.done(std::move(outcome));
  pump(self);
}

/// Fails the effects that ran past effect_timeout. One sweep for all of them, not a timeout per
/// request: each of those would take two trips through CAF's one clock thread.
void sweep(self_pointer self) {
  auto& st = self->state;
  st.sweep_armed = false;
  auto late = std::chrono::steady_clock::now() - st.options.effect_timeout;
  std::vector<uint64_t> expired;
  for (const auto& [run_id, job] : st.running)
    if (job.started <= late)
      expired.push_back(run_id);
  for (auto run_id : expired)
    finish(self, run_id, caf::make_error(caf::sec::request_timeout));
  if (!st.running.empty()) {
    st.sweep_armed = true;
    self->delayed_send(self, st.options.effect_timeout / 2, sweep_atom_v);
  }
}

void run(self_pointer self, pending_job p) {
  auto& st = self->state;
  auto run_id = ++st.last_run;
  st.running.emplace(run_id, running_job{p.job.effect.kind, p.job.event_id, std::move(p.done),
                                         std::chrono::steady_clock::now()});
  if (!st.sweep_armed) {
    st.sweep_armed = true;
    self->delayed_send(self, st.options.effect_timeout / 2, sweep_atom_v);
  }
  self->request(st.region, caf::infinite, std::move(p.job.effect))
      .then([=](effect_reply& r) { finish(self, run_id, std::move(r)); },
            [=](caf::error& err) { finish(self, run_id, std::move(err)); });
}

void pump(self_pointer self) {
  auto& st = self->state;
  while (st.running.size() < st.options.max_running && !st.ready.empty()) {
    auto next = std::move(st.ready.front());
    st.ready.pop_front();
    run(self, std::move(next));
  }
}

void release_due(self_pointer self) {
  auto& st = self->state;
  auto now = now_of(self);
  if (auto next =
          st.not_due.take_due(now, [&](pending_job p) { st.ready.push_back(std::move(p)); }))
    wake_at(self, now, *next);
  pump(self);
}

void accept(self_pointer self, worker_job job, job_done done) {
  auto& st = self->state;
  const auto& id = job.event_id;
  if (!id.empty() && (st.applied.contains(id) || st.underway.count(id) != 0)) {
    st.stats.duplicates += 1;
    done(effect_reply::without_reservation(effect_status::duplicate,
                                           "event " + id + " was applied already"));
    return;
  }
  if (!id.empty())
    st.underway.insert(id);
  auto due = job.due;
  if (due <= now_of(self)) {
    st.ready.push_back({std::move(job), std::move(done)});
    pump(self);
    return;
  }
  if (auto at = st.not_due.add(due, pending_job{std::move(job), std::move(done)}))
    wake_at(self, now_of(self), *at);
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
        [=](worker_job& job) -> caf::result<effect_reply> {
          auto promise = self->make_response_promise<effect_reply>();
          accept(self, std::move(job), [promise](caf::expected<effect_reply> r) mutable {
            if (r)
              promise.deliver(std::move(*r));
            else
              promise.deliver(std::move(r.error()));
          });
          return promise;
        },
        [=](tracked_job& t) {
          accept(self, std::move(t.job),
                 [ticket = t.ticket, sink = std::move(t.sink)](caf::expected<effect_reply> r) {
                   if (r)
                     sink->finished(ticket, std::nullopt);
                   else
                     sink->finished(ticket, caf::to_string(r.error()));
                 });
        },
        [=](const worker_stats_query&) {
          // The two gauges follow from the queues; only the counters are kept.
          const auto& st = self->state;
          auto out = st.stats;
          out.waiting = static_cast<int64_t>(st.not_due.size() + st.ready.size());
          out.in_flight = static_cast<int64_t>(st.running.size());
          return out;
        },
        [=](const dead_lettered& d) {
          auto& s = self->state.stats;
          s.dead_letters += 1;
          s.recent_dead_letters.push_back(d);
          if (s.recent_dead_letters.size() > recent_dead_letters)
            s.recent_dead_letters.erase(s.recent_dead_letters.begin());
        },
        [=](const source_report& r) { self->state.stats.source = r; },
        [=](due_atom) { release_due(self); },
        [=](sweep_atom) { sweep(self); },
    };
  });
}

} // namespace tt::actors
