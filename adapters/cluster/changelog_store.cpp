#include "adapters/cluster/changelog_store.hpp"

#include <atomic>
#include <mutex>

#include <fmt/format.h>

namespace tt::adapters::cluster {

namespace {

/// Waits for the local write and the changelog's confirmation; answers once, with the first
/// error either reported.
class both_durable {
 public:
  explicit both_durable(storage::durable_callback done) : done_(std::move(done)) {}

  void settle(std::optional<storage::storage_error> error) {
    {
      std::lock_guard lock{mutex_};
      if (error && !error_)
        error_ = std::move(error);
      if (--waiting_ > 0)
        return;
    }
    done_(std::move(error_));
  }

 private:
  std::mutex mutex_;
  int waiting_ = 2;
  std::optional<storage::storage_error> error_;
  storage::durable_callback done_;
};

} // namespace

changelog_store::changelog_store(std::shared_ptr<storage::snapshot_store> local, changelog& log,
                                 shard_of_record shard_of)
    : local_(std::move(local)), log_(log), shard_of_(std::move(shard_of)) {}

void changelog_store::serve(uint32_t shard, int64_t claim) {
  std::unique_lock lock{mutex_};
  claims_[shard] = claim;
}

void changelog_store::stop_serving(uint32_t shard) {
  {
    std::unique_lock lock{mutex_};
    claims_.erase(shard);
  }
  log_.forget(shard);
}

void changelog_store::commit(std::vector<storage::mutation> batch,
                             storage::durable_callback on_durable) {
  std::optional<uint32_t> shard;
  for (const auto& m : batch) {
    auto of = shard_of_(m.kind, m.key);
    if (!shard) {
      shard = of;
    } else if (of != shard) {
      // A batch is atomic, and one partition's record is the only atomic unit of the log.
      on_durable(storage::storage_error{
          storage::errc::invalid_argument,
          fmt::format("a batch spans shards {} and {}", *shard, of ? std::to_string(*of) : "-")});
      return;
    }
  }
  if (!shard) {
    local_->commit(std::move(batch), std::move(on_durable));
    return;
  }
  int64_t claim = -1;
  {
    std::shared_lock lock{mutex_};
    auto it = claims_.find(*shard);
    if (it != claims_.end())
      claim = it->second;
  }
  if (claim < 0) {
    on_durable(storage::storage_error{storage::errc::not_owner,
                                      fmt::format("shard {} is not served by this node", *shard)});
    return;
  }
  auto join = std::make_shared<both_durable>(std::move(on_durable));
  log_.append(*shard, claim, batch, [join](std::optional<std::string> error) {
    if (error)
      join->settle(storage::storage_error{storage::errc::not_owner, std::move(*error)});
    else
      join->settle(std::nullopt);
  });
  local_->commit(std::move(batch),
                 [join](std::optional<storage::storage_error> error) { join->settle(error); });
}

std::variant<std::optional<std::string>, storage::storage_error>
changelog_store::get(storage::entity_kind kind, std::string_view key) const {
  return local_->get(kind, key);
}

std::optional<storage::storage_error>
changelog_store::scan(storage::entity_kind kind, std::string_view key_prefix,
                      const std::function<bool(std::string_view, std::string_view)>& visit) const {
  return local_->scan(kind, key_prefix, visit);
}

storage::store_stats changelog_store::stats() const {
  return local_->stats();
}

std::optional<storage::storage_error> changelog_store::health() const {
  return local_->health();
}

} // namespace tt::adapters::cluster
