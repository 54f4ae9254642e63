#include "adapters/cluster/cluster_node.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

namespace tt::adapters::cluster {

namespace {

/// Present while the node stands aside (FORCE_FAILOVER), so that a restart keeps it so.
constexpr std::string_view standing_aside_key = "cluster/standing_aside";

} // namespace

cluster_node::cluster_node(cluster_settings settings) : settings_(std::move(settings)) {}

std::variant<std::unique_ptr<cluster_node>, std::string>
cluster_node::join(const cluster_settings& settings,
                   std::shared_ptr<storage::snapshot_store> local) {
  std::unique_ptr<cluster_node> self{new cluster_node(settings)};
  auto aside = local->get(storage::entity_kind::meta, standing_aside_key);
  if (auto* err = std::get_if<storage::storage_error>(&aside))
    return "reading " + std::string{standing_aside_key} + ": " + err->message;
  ownership_settings o;
  o.aside = std::get<std::optional<std::string>>(aside).has_value();
  o.bootstrap_servers = settings.bootstrap_servers;
  o.group_id = settings.group_id;
  o.topic = settings.shard_topic;
  o.node_id = settings.node_id;
  o.session_timeout = settings.session_timeout;
  auto owned = shard_ownership::start(o, self->host_.listener());
  if (auto* err = std::get_if<std::string>(&owned))
    return *err;
  self->ownership_ = std::move(std::get<0>(owned));
  if (settings.unsafe_skip_fence)
    spdlog::warn("testing.unsafe_skip_fence is on: a stale owner may ACKNOWLEDGE writes for "
                 "shards it lost (double sales, lost writes)");
  changelog_settings c;
  c.bootstrap_servers = settings.bootstrap_servers;
  c.topic = settings.shard_topic;
  c.node_id = settings.node_id;
  c.snapshot_every_bytes = settings.snapshot_every_bytes;
  auto log = changelog::start(c, self->ownership_.get(), !settings.unsafe_skip_fence);
  if (auto* err = std::get_if<std::string>(&log))
    return *err;
  self->log_ = std::move(std::get<0>(log));
  auto count = settings.shard_count;
  self->store_ = std::make_shared<changelog_store>(
      std::move(local), *self->log_, [count](storage::entity_kind kind, std::string_view key) {
        return shard_of_record_key(kind, key, count);
      });
  membership_settings m;
  m.bootstrap_servers = settings.bootstrap_servers;
  m.topic = settings.members_topic;
  m.node_id = settings.node_id;
  m.address = settings.advertise;
  m.interval = settings.announce_interval;
  m.expiry = settings.announce_interval * 5;
  auto* host = &self->host_;
  auto members = membership::start(m, [host] {
    auto s = host->states();
    return self_report{s.serving, s.restoring};
  });
  if (auto* err = std::get_if<std::string>(&members))
    return *err;
  self->membership_ = std::move(std::get<0>(members));
  spdlog::info("cluster: node {} joined group {} over {} ({} shards), reachable at {}",
               settings.node_id, settings.group_id, settings.shard_topic, settings.shard_count,
               settings.advertise);
  return self;
}

cluster_node::~cluster_node() {
  host_.stop();
  membership_.reset();
  log_.reset();
  ownership_.reset();
}

void cluster_node::serve(shard_host_parts parts) {
  parts.unsafe_keep_lost_shards = settings_.unsafe_skip_fence;
  host_.start(std::move(parts), *ownership_, *log_, *store_,
              [m = membership_.get()] { m->announce_soon(); });
}

void cluster_node::stop_serving() {
  host_.stop();
}

std::optional<std::string> cluster_node::stand_aside(bool aside) {
  // The node's own record (of no shard): written to the local store only.
  if (auto err = commit_and_wait(
          *store_, {{storage::entity_kind::meta, std::string{standing_aside_key},
                     aside ? std::optional<std::string>{"1"} : std::nullopt, std::nullopt}}))
    return "cannot store the choice: " + err->message;
  ownership_->stand_aside(aside);
  membership_->announce_soon();
  return std::nullopt;
}

rpc::shard_directory::placement cluster_node::place(uint32_t shard) const {
  using where = placement::where;
  switch (host_.state_of(shard)) {
    case shard_host::shard_state::serving:
      return {where::here, {}};
    case shard_host::shard_state::restoring:
      return {where::moving, {}};
    case shard_host::shard_state::absent:
      break;
  }
  auto owner = membership_->owner_of(shard);
  if (!owner || owner->node_id == settings_.node_id)
    return {where::moving, {}};
  return {where::there, owner->address};
}

size_t cluster_node::other_serving_nodes() const {
  size_t n = 0;
  for (const auto& p : membership_->peers())
    if (p.node_id != settings_.node_id && !p.leaving && (!p.shards.empty() || !p.restoring.empty()))
      ++n;
  return n;
}

std::vector<std::string> cluster_node::peer_addresses() const {
  std::vector<std::string> out;
  for (const auto& p : membership_->peers())
    if (p.node_id != settings_.node_id)
      out.push_back(p.address);
  return out;
}

actors::component_health cluster_node::health() const {
  actors::component_health c;
  c.name = "cluster";
  // An internal component: services carry metrics in GetSystemHealth, dependencies do not.
  c.kind = actors::component_kind::internal;
  auto states = host_.states();
  auto owned = ownership_->owned();
  auto generation = ownership_->generation();
  auto peers = membership_->peers();
  std::vector<std::string> described;
  for (const auto& p : peers)
    described.push_back(fmt::format("{}@{} serving {} restoring {}", p.node_id, p.address,
                                    p.shards.size(), p.restoring.size()));
  c.metrics = {
      {"node_id", settings_.node_id},
      {"advertise", settings_.advertise},
      {"group", settings_.group_id},
      {"shard_count", std::to_string(settings_.shard_count)},
      {"owned_shards", fmt::format("{}", fmt::join(owned, ","))},
      {"serving_shards", fmt::format("{}", fmt::join(states.serving, ","))},
      {"restoring_shards", fmt::format("{}", fmt::join(states.restoring, ","))},
      {"refused_shards", std::to_string(states.refused.size())},
      {"ownership_moves", std::to_string(ownership_->moves())},
      {"group_generation", generation ? std::to_string(*generation) : std::string{"not joined"}},
      {"peers", fmt::format("{}", fmt::join(described, "; "))},
      {"live_peers", std::to_string(peers.size())},
      {"standing_aside", ownership_->standing_aside() ? "true" : "false"},
  };
  c.status = actors::health_status::healthy;
  if (!states.refused.empty()) {
    c.status = actors::health_status::degraded;
    std::vector<std::string> why;
    for (const auto& [shard, reason] : states.refused)
      why.push_back(fmt::format("shard {}: {}", shard, reason));
    c.problem = fmt::format("{} owned shards are not served: {}", states.refused.size(),
                            fmt::join(why, "; "));
  } else if (!states.restoring.empty()) {
    c.status = actors::health_status::degraded;
    c.problem = fmt::format("restoring shards {}", fmt::join(states.restoring, ","));
  }
  return c;
}

} // namespace tt::adapters::cluster
