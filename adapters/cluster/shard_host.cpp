#include "adapters/cluster/shard_host.hpp"

#include <algorithm>
#include <atomic>
#include <future>

#include <caf/scoped_actor.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/runtime/message_types.hpp"
#include "actors/runtime/outbox_events.hpp"
#include "actors/runtime/recovery.hpp"

namespace tt::adapters::cluster {

namespace {

using namespace std::chrono_literals;

/// How long a gain may take in each step before the shard is refused: the claim's round trip,
/// the replay of a partition (at most the broker's ~5 MiB window), the region's definitions.
constexpr auto claim_limit = 10s;
constexpr auto replay_limit = 60s;
constexpr auto define_limit = 30s;
/// How often shards that could not be restored are tried again.
constexpr auto refused_retry_interval = 5s;
/// Gained shards restore side by side: each restore waits mostly on the broker (the committed
/// claim, its own claim's delivery and confirm, the replay), and a survivor gains a dead
/// node's shards all at once. Taken one by one, ten empty shards took 4 s on a loaded machine.
constexpr size_t parallel_restores = 8;

void remove(shard_list& from, uint32_t shard) {
  from.erase(std::remove(from.begin(), from.end(), shard), from.end());
}

} // namespace

std::optional<storage::storage_error> commit_and_wait(storage::snapshot_store& store,
                                                      std::vector<storage::mutation> batch) {
  std::promise<std::optional<storage::storage_error>> done;
  auto result = done.get_future();
  store.commit(std::move(batch),
               [&done](std::optional<storage::storage_error> e) { done.set_value(std::move(e)); });
  return result.get();
}

std::optional<uint32_t> shard_of_record_key(storage::entity_kind kind, std::string_view key,
                                            uint32_t shard_count) {
  constexpr std::string_view definition = "event/";
  constexpr std::string_view user = "user/"; // adapters/auth/user_directory
  if (kind == storage::entity_kind::meta) {
    if (key.substr(0, definition.size()) == definition)
      return shard_of(event_id{std::string{key.substr(definition.size())}}, shard_count);
    if (key.substr(0, user.size()) == user)
      return shard_of_user(key.substr(user.size()), shard_count);
    return std::nullopt;
  }
  auto owner = key.substr(0, key.find('/'));
  if (kind == storage::entity_kind::outbox && owner == actors::dead_letter_owner)
    return std::nullopt;
  return shard_of(event_id{std::string{owner}}, shard_count);
}

shard_host::~shard_host() {
  stop();
}

void shard_host::stop() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

ownership_listener shard_host::listener() {
  return {[this](const shard_list& shards) {
            enqueue({true, shards, loss::revoked});
          },
          [this](const shard_list& shards, loss how) {
            enqueue({false, shards, how});
          }};
}

void shard_host::enqueue(move m) {
  {
    std::lock_guard lock{mutex_};
    if (m.gained)
      for (auto s : m.shards)
        states_.restoring.push_back(s);
    moves_.push_back(std::move(m));
  }
  wake_.notify_one();
}

void shard_host::start(shard_host_parts parts, const shard_ownership& ownership, changelog& log,
                       changelog_store& store, std::function<void()> changed) {
  parts_ = std::move(parts);
  ownership_ = &ownership;
  log_ = &log;
  store_ = &store;
  changed_ = std::move(changed);
  thread_ = std::thread{[this] {
    run();
  }};
}

shard_host::shard_state shard_host::state_of(uint32_t shard) const {
  std::lock_guard lock{mutex_};
  if (std::find(states_.serving.begin(), states_.serving.end(), shard) != states_.serving.end())
    return shard_state::serving;
  if (std::find(states_.restoring.begin(), states_.restoring.end(), shard) !=
      states_.restoring.end())
    return shard_state::restoring;
  return shard_state::absent;
}

shard_states shard_host::states() const {
  std::lock_guard lock{mutex_};
  auto out = states_;
  std::sort(out.serving.begin(), out.serving.end());
  std::sort(out.restoring.begin(), out.restoring.end());
  return out;
}

void shard_host::follow(serving_listener listener) {
  std::lock_guard lock{listener_mutex_};
  listener_ = std::move(listener);
  if (!listener_)
    return;
  auto now = states().serving;
  if (!now.empty())
    listener_(now, {});
}

void shard_host::tell(const shard_list& started, const shard_list& stopped) {
  std::lock_guard lock{listener_mutex_};
  if (listener_)
    listener_(started, stopped);
}

void shard_host::run() {
  for (;;) {
    std::optional<move> next;
    shard_list retry;
    {
      std::unique_lock lock{mutex_};
      wake_.wait_for(lock, refused_retry_interval, [&] { return stopping_ || !moves_.empty(); });
      if (stopping_)
        return;
      if (!moves_.empty()) {
        next = std::move(moves_.front());
        moves_.pop_front();
      } else {
        // A refusal may be transient (the group rebalancing, the broker slow): try again while
        // the shard is still ours. A gap stays a gap, and says so again.
        for (const auto& [shard, why] : states_.refused)
          retry.push_back(shard);
      }
    }
    if (next && next->gained) {
      take_all(next->shards);
    } else if (next) {
      give_up(next->shards, next->how);
    } else {
      take_all(retry);
      if (retry.empty())
        continue;
    }
    if (changed_)
      changed_();
  }
}

void shard_host::take_all(const shard_list& shards) {
  if (shards.empty())
    return;
  // Read once for the whole move: a catalog of big venues costs seconds of CPU to read.
  auto catalog = parts_.catalog();
  if (!catalog)
    catalog = std::make_shared<const std::vector<domain::event_definition>>();
  std::atomic<size_t> next{0};
  auto restorer = [&] {
    for (auto i = next++; i < shards.size(); i = next++)
      take(shards[i], *catalog);
  };
  std::vector<std::thread> others;
  for (size_t n = 1; n < std::min(parallel_restores, shards.size()); ++n)
    others.emplace_back(restorer);
  restorer();
  for (auto& t : others)
    t.join();
}

void shard_host::take(uint32_t shard, const std::vector<domain::event_definition>& catalog) {
  if (!ownership_->owns(shard)) { // given and taken back while earlier gains restored
    std::lock_guard lock{mutex_};
    remove(states_.restoring, shard);
    states_.refused.erase(shard);
    return;
  }
  auto started = std::chrono::steady_clock::now();
  auto refuse = [&](std::string why) {
    spdlog::error("cluster: shard {} NOT SERVED: {}", shard, why);
    log_->forget(shard);
    std::lock_guard lock{mutex_};
    remove(states_.restoring, shard);
    states_.refused[shard] = std::move(why);
  };
  // The claim the group confirmed last heads the chain of legitimate owners the replay trusts.
  auto confirmed = ownership_->confirmed_position(shard, claim_limit);
  if (!confirmed)
    return refuse("the group's committed claim of the shard could not be read");
  // Before the claim: its confirm, like every later one, must name the latest snapshot.
  log_->adopt(shard, confirmed->snapshot, 0);
  auto claimed = log_->claim(shard, confirmed->claim, claim_limit);
  if (auto* err = std::get_if<std::string>(&claimed))
    return refuse(*err);
  auto claim = std::get<int64_t>(claimed);
  auto restored = log_->restore(shard, claim, confirmed->claim, confirmed->snapshot, replay_limit);
  if (auto* err = std::get_if<std::string>(&restored))
    return refuse(*err);
  auto& shard_state = std::get<restored_shard>(restored);
  // A long tail since the last snapshot: the next one is due soon.
  log_->adopt(shard, confirmed->snapshot, shard_state.tail_bytes);
  auto records = shard_state.records.size();
  if (auto err = replace_local_copy(shard, std::move(shard_state.records)))
    return refuse(*err);
  // Before its events start: recovery itself writes (holds that lapsed meanwhile end).
  store_->serve(shard, claim);
  if (auto err = serve_events(shard, catalog)) {
    store_->stop_serving(shard);
    return refuse(*err);
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  spdlog::info("cluster: serving shard {} (claim {}; {} records from {} batches, {} superseded "
               "ignored) after {} ms",
               shard, claim, records, shard_state.batches, shard_state.superseded, took.count());
  {
    std::lock_guard lock{mutex_};
    remove(states_.restoring, shard);
    states_.refused.erase(shard);
    states_.serving.push_back(shard);
  }
  tell({shard}, {});
}

std::optional<std::string> shard_host::replace_local_copy(uint32_t shard,
                                                          std::vector<storage::mutation> records) {
  std::set<std::pair<storage::entity_kind, std::string>> kept;
  for (const auto& r : records)
    kept.emplace(r.kind, r.key);
  std::vector<storage::mutation> batch = std::move(records);
  for (auto kind : storage::all_entity_kinds) {
    auto err = parts_.local->scan(kind, "", [&](std::string_view key, std::string_view) {
      if (shard_of_record_key(kind, key, parts_.shard_count) == shard &&
          kept.count({kind, std::string{key}}) == 0)
        batch.push_back({kind, std::string{key}, std::nullopt, std::nullopt});
      return true;
    });
    if (err)
      return "reading this node's copy: " + err->message;
  }
  if (batch.empty())
    return std::nullopt;
  if (auto err = commit_and_wait(*parts_.local, std::move(batch)))
    return "writing this node's copy: " + err->message;
  return std::nullopt;
}

std::optional<std::string>
shard_host::serve_events(uint32_t shard, const std::vector<domain::event_definition>& catalog) {
  auto count = parts_.shard_count;
  auto wanted = [shard, count](const event_id& id) {
    return shard_of(id, count) == shard;
  };
  std::vector<domain::event_definition> of_shard;
  for (const auto& d : catalog)
    if (wanted(d.id))
      of_shard.push_back(d);
  actors::recovery_summary summary;
  auto plan =
      actors::plan_recovery(*parts_.local, std::move(of_shard), parts_.now(), summary, wanted);
  if (!plan)
    return "recovery: " + plan.error().message;
  std::vector<event_id> events;
  for (const auto& d : plan->events)
    events.push_back(d.definition.id);
  if (events.empty())
    return std::nullopt;
  caf::scoped_actor self{*parts_.actors};
  std::optional<std::string> problem;
  self->request(parts_.region, define_limit, std::move(*plan))
      .receive(
          [&](const actors::catalog_defined& outcome) {
            for (const auto& kept : outcome.kept)
              if (kept.code != errc::failed_precondition) // kept its stored definition: fine
                problem = kept.message;
          },
          [&](const caf::error& err) { problem = caf::to_string(err); });
  if (problem)
    return "defining its events: " + *problem;
  // What the previous owner stored but had not published yet (consumers drop duplicates).
  for (const auto& id : events) {
    auto pending = actors::load_outbox(*parts_.local, id() + "/");
    if (!pending)
      return "outbox: " + pending.error().message;
    if (!pending->empty() && parts_.publisher)
      parts_.publisher->publish(std::move(*pending));
  }
  return std::nullopt;
}

void shard_host::give_up(const shard_list& shards, loss how) {
  if (how == loss::evicted && parts_.unsafe_keep_lost_shards) {
    spdlog::warn("cluster: testing.unsafe_skip_fence: still serving shards {} the group gave to "
                 "another node",
                 fmt::join(shards, ","));
    return;
  }
  tell({}, shards);
  for (auto s : shards)
    store_->stop_serving(s);
  caf::scoped_actor self{*parts_.actors};
  self->request(parts_.region, define_limit, actors::release_shards{shards})
      .receive(
          [&](const actors::shards_released& out) {
            spdlog::info("cluster: stopped {} events of shards {}", out.events.size(),
                         fmt::join(shards, ","));
          },
          [&](const caf::error& err) {
            spdlog::error("cluster: stopping the events of shards {}: {}", fmt::join(shards, ","),
                          caf::to_string(err));
          });
  std::lock_guard lock{mutex_};
  for (auto s : shards) {
    remove(states_.serving, s);
    remove(states_.restoring, s);
    states_.refused.erase(s);
  }
}

} // namespace tt::adapters::cluster
