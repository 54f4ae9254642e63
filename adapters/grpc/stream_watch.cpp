#include "adapters/grpc/stream_watch.hpp"

#include <utility>
#include <vector>

namespace tt::adapters::rpc {

namespace {

bool same(const shard_directory::placement& a, const shard_directory::placement& b) {
  return a.at == b.at && a.address == b.address;
}

failure moved(uint32_t shard) {
  return fail(errc::unavailable,
              "shard " + std::to_string(shard) +
                  " moved to another node while this stream was open; reconnect to follow it",
              {{"retry_after_ms", "retry after this many milliseconds", "500"}});
}

} // namespace

void stream_watch::watch(uint32_t shard, const shard_directory::placement& at,
                         const std::shared_ptr<stream_writer>& stream) {
  uint64_t id = 0;
  {
    std::lock_guard lock{mutex_};
    id = next_id_++;
    by_shard_[shard].emplace(id, entry{at, stream});
  }
  stream->on_close([this, shard, id] { forget(shard, id); });
}

void stream_watch::forget(uint32_t shard, uint64_t id) {
  std::lock_guard lock{mutex_};
  auto it = by_shard_.find(shard);
  if (it == by_shard_.end())
    return;
  it->second.erase(id);
  if (it->second.empty())
    by_shard_.erase(it);
}

void stream_watch::check() {
  std::vector<uint32_t> shards;
  {
    std::lock_guard lock{mutex_};
    for (const auto& [shard, streams] : by_shard_)
      shards.push_back(shard);
  }
  for (auto shard : shards) {
    auto now = directory_.place(shard); // outside the lock: the directory takes its own
    std::vector<std::shared_ptr<stream_writer>> ending;
    {
      std::lock_guard lock{mutex_};
      auto it = by_shard_.find(shard);
      if (it == by_shard_.end())
        continue;
      for (const auto& [id, e] : it->second)
        if (!same(e.at, now))
          if (auto s = e.stream.lock())
            ending.push_back(std::move(s));
    }
    // Outside the lock: an ended stream's close comes back to forget().
    for (const auto& s : ending)
      s->fail(moved(shard));
  }
}

} // namespace tt::adapters::rpc
