#pragma once
/// The node's data directory: created on open, held under an exclusive lock for the node's lifetime
/// (two nodes on one directory would corrupt each other's state), and probed for health by a real
/// write + fsync. RocksDB lives inside it once persistence lands.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>

namespace tt::storage {

/// Outcome of one health probe.
struct probe_result {
  bool writable = false;
  /// Why the probe failed (empty when writable).
  std::string error;
  std::chrono::microseconds latency{0};
  uint64_t free_bytes = 0;
};

class data_directory {
 public:
  /// Creates `path` if needed and takes an exclusive lock on it. Returns the error text on failure
  /// (permission, another node holding the lock, not a directory).
  static std::variant<std::unique_ptr<data_directory>, std::string>
  open(const std::filesystem::path& path);

  data_directory(const data_directory&) = delete;
  data_directory& operator=(const data_directory&) = delete;
  ~data_directory();

  const std::filesystem::path& path() const noexcept { return path_; }

  /// Writes, fsyncs and removes a small file. Blocking (one fsync): call it from a detached actor
  /// or a dedicated thread, never from a scheduler thread.
  probe_result probe() const;

 private:
  data_directory(std::filesystem::path path, int lock_fd);

  std::filesystem::path path_;
  int lock_fd_;
};

} // namespace tt::storage
