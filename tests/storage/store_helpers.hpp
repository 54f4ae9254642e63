#pragma once
/// Helpers shared by the storage tests: open a store or fail the test, commit and wait for the
/// acknowledgement through a future (never a sleep), read a value or fail the test.

#include <doctest/doctest.h>

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "storage/rocksdb_snapshot_store.hpp"

namespace tt::tests {

inline std::unique_ptr<storage::rocksdb_snapshot_store>
open_store(const std::filesystem::path& path, storage::store_options options = {}) {
  auto opened = storage::rocksdb_snapshot_store::open(path, std::move(options));
  if (auto* error = std::get_if<storage::storage_error>(&opened))
    FAIL("open failed: " << storage::to_string(*error));
  return std::move(std::get<0>(opened));
}

/// Commits and blocks until on_durable ran; returns its outcome.
inline std::optional<storage::storage_error> commit_and_wait(storage::snapshot_store& store,
                                                             std::vector<storage::mutation> batch) {
  auto done = std::make_shared<std::promise<std::optional<storage::storage_error>>>();
  auto outcome = done->get_future();
  store.commit(std::move(batch),
               [done](std::optional<storage::storage_error> error) { done->set_value(error); });
  return outcome.get();
}

inline storage::mutation put(storage::entity_kind kind, std::string key, std::string value,
                             std::optional<int64_t> expires_at_ms = std::nullopt) {
  return storage::mutation{kind, std::move(key), std::move(value), expires_at_ms};
}

inline storage::mutation erase(storage::entity_kind kind, std::string key) {
  return storage::mutation{kind, std::move(key), std::nullopt, std::nullopt};
}

/// The value of `key`, nullopt when absent; fails the test on a storage error.
inline std::optional<std::string> read(const storage::snapshot_store& store,
                                       storage::entity_kind kind, std::string_view key) {
  auto got = store.get(kind, key);
  if (auto* error = std::get_if<storage::storage_error>(&got))
    FAIL("get failed: " << storage::to_string(*error));
  return std::get<std::optional<std::string>>(got);
}

} // namespace tt::tests
