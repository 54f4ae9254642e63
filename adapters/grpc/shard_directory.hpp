#pragma once
/// Where the cluster serves a shard right now, and which other nodes are live (implemented by
/// the cluster adapter from the group's assignment and the membership announcements). Asked by
/// the forwarding (forwarding.hpp) from gRPC threads and its own: thread-safe.

#include <cstdint>
#include <string>
#include <vector>

namespace tt::adapters::rpc {

class shard_directory {
 public:
  struct placement {
    enum class where : uint8_t { here, there, moving } at = where::moving;
    std::string address; // there: the owner's gRPC address
  };
  virtual ~shard_directory() = default;
  virtual uint32_t shard_count() const = 0;
  virtual placement place(uint32_t shard) const = 0;
  /// The gRPC addresses of the other live nodes (not this one, not one announcing it leaves).
  virtual std::vector<std::string> peer_addresses() const = 0;
};

} // namespace tt::adapters::rpc
