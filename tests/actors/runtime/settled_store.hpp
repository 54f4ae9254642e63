#pragma once
/// The real RocksDB snapshot store, made to fit the deterministic scheduler: commit waits until
/// the batch is durable and runs the callback on the committing thread. (The test coordinator's
/// job queue is single-threaded, so the store's writer thread must not send to actors.) It can
/// also refuse writes the way a full or broken disk does, to test what actors do then.

#include <doctest/doctest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <utility>
#include <vector>

#include "storage/rocksdb_snapshot_store.hpp"
#include "tests/actors/runtime/runtime_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace tt::actors::testing {

class settled_store final : public storage::snapshot_store {
 public:
  /// `now_ms` is the store's clock for TTLs (the tests' manual time, not the wall clock).
  settled_store(const std::filesystem::path& path, storage::now_ms_fn now_ms) {
    storage::store_options options;
    options.now_ms = std::move(now_ms);
    auto opened = storage::rocksdb_snapshot_store::open(path, std::move(options));
    if (auto* err = std::get_if<storage::storage_error>(&opened))
      FAIL("open failed: " << err->message);
    real_ = std::move(std::get<0>(opened));
  }

  /// While set, every commit fails with io_error and stores nothing.
  bool refuse_writes = false;
  /// While set, commits wait (a slow fsync) until release_held() stores them in order.
  bool hold_commits = false;

  void commit(std::vector<storage::mutation> batch, storage::durable_callback on_durable) override {
    if (refuse_writes) {
      on_durable(storage::storage_error{storage::errc::io_error, "disk refused the write (test)"});
      return;
    }
    if (hold_commits) {
      held_.emplace_back(std::move(batch), std::move(on_durable));
      return;
    }
    store_now(std::move(batch), on_durable);
  }
  /// Stores every held commit, in the order they came, and stops holding.
  void release_held() {
    hold_commits = false;
    for (auto& [batch, on_durable] : std::exchange(held_, {}))
      store_now(std::move(batch), on_durable);
  }
  std::variant<std::optional<std::string>, storage::storage_error>
  get(storage::entity_kind kind, std::string_view key) const override {
    return real_->get(kind, key);
  }
  std::optional<storage::storage_error>
  scan(storage::entity_kind kind, std::string_view prefix,
       const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return real_->scan(kind, prefix, visit);
  }
  storage::store_stats stats() const override { return real_->stats(); }
  std::optional<storage::storage_error> health() const override { return real_->health(); }

 private:
  void store_now(std::vector<storage::mutation> batch,
                 const storage::durable_callback& on_durable) {
    std::promise<std::optional<storage::storage_error>> done;
    auto outcome = done.get_future();
    real_->commit(std::move(batch),
                  [&done](std::optional<storage::storage_error> err) { done.set_value(err); });
    on_durable(outcome.get());
  }

  std::unique_ptr<storage::rocksdb_snapshot_store> real_;
  std::vector<std::pair<std::vector<storage::mutation>, storage::durable_callback>> held_;
};

/// A fresh RocksDB store in a temp dir. Idempotency records carry expiries in test time (t0 + ...):
/// the store's TTL clock stays at t0, so they are hidden only when the actors' own TTL rules say
/// so.
struct store_fixture {
  tests::temp_dir tmp;
  std::shared_ptr<settled_store> store = std::make_shared<settled_store>(
      tmp.path() / "db", [] { return t0.time_since_epoch().count(); });
};

} // namespace tt::actors::testing
