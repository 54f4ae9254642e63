#pragma once
/// The routed server streams of a clustered node, by shard, each with where its shard was served
/// when it opened: here (the stream is served by this node's actors) or by the owner at an
/// address (the stream is relayed from there). `check` ends every stream whose shard is no
/// longer where it was, with UNAVAILABLE and a retry hint: a shard that moves mid-stream never
/// leaves a stream silent (this node's actors for a lost shard stop, and a relayed owner that
/// lost it, or was paused while it moved, sends nothing more). The client reconnects and is
/// routed to the shard's new owner. A stream leaves the watch when it closes.
///
/// Thread-safe. Memory: one entry per routed stream; `check` asks the directory once per shard
/// that has streams.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "adapters/grpc/shard_directory.hpp"
#include "adapters/grpc/stream_writer.hpp"

namespace tt::adapters::rpc {

class stream_watch {
 public:
  explicit stream_watch(const shard_directory& directory) : directory_(directory) {}
  stream_watch(const stream_watch&) = delete;
  stream_watch& operator=(const stream_watch&) = delete;

  /// Watches `stream`, served here or relayed from `at.address`, until it closes. The watch
  /// must outlive the streams (the server stops before it goes).
  void watch(uint32_t shard, const shard_directory::placement& at,
             const std::shared_ptr<stream_writer>& stream);

  /// Ends the streams whose shard moved since they opened.
  void check();

 private:
  struct entry {
    shard_directory::placement at;
    std::weak_ptr<stream_writer> stream;
  };
  void forget(uint32_t shard, uint64_t id);

  const shard_directory& directory_;
  mutable std::mutex mutex_;
  uint64_t next_id_ = 0;                                   // under mutex_
  std::map<uint32_t, std::map<uint64_t, entry>> by_shard_; // under mutex_
};

} // namespace tt::adapters::rpc
