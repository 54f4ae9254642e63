// Group commit through the real RocksDB store: counts syncs against commits (a counting check,
// not timing). The grouping test's negative control commits one at a time, where no grouping is
// possible, and must see exactly one sync per commit.

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <numeric>
#include <thread>

#include "tests/storage/store_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tt::storage;
using tt::tests::commit_and_wait;
using tt::tests::open_store;
using tt::tests::put;
using tt::tests::read;

namespace {

uint64_t total(const bucket_counts& b) {
  return std::accumulate(b.counts.begin(), b.counts.end(), uint64_t{0});
}

} // namespace

TEST_CASE("concurrent commits under the batch policy share fsyncs") {
  tt::tests::temp_dir tmp;
  store_options options;
  options.group_commit.sync = sync_policy::batch;
  options.group_commit.max_delay = std::chrono::microseconds(2000);
  auto store = open_store(tmp.path() / "db", options);
  constexpr int threads = 8;
  constexpr int per_thread = 500;
  std::promise<void> go;
  auto start = go.get_future().share();
  std::atomic<int> failures{0};
  std::vector<std::promise<void>> finished(threads);
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      auto remaining = std::make_shared<std::atomic<int>>(per_thread);
      start.wait();
      for (int i = 0; i < per_thread; ++i) {
        auto key = "E" + std::to_string(t) + "/S" + std::to_string(i);
        store->commit({put(entity_kind::seat, key, "held")},
                      [&, t, remaining](std::optional<storage_error> error) {
                        if (error)
                          ++failures;
                        if (--*remaining == 0)
                          finished[static_cast<std::size_t>(t)].set_value();
                      });
      }
    });
  }
  go.set_value();
  for (auto& writer : writers)
    writer.join();
  for (auto& f : finished)
    f.get_future().wait();
  CHECK(failures == 0);
  auto stats = store->stats();
  CHECK(stats.commits == threads * per_thread);
  CHECK(stats.syncs >= 1);
  CHECK(stats.syncs < stats.commits / 4);
  CHECK(stats.batches_written == stats.syncs);
  CHECK(stats.last_sync_latency.count() > 0);
  CHECK(read(*store, entity_kind::seat, "E7/S499") == "held");
  // The figures count the same groups: one write time and one batch size each.
  auto figures = store->figures();
  CHECK(total(figures.synced_write_seconds) == stats.batches_written);
  CHECK(total(figures.unsynced_write_seconds) == 0);
  CHECK(total(figures.group_commits) == stats.batches_written);
  CHECK(figures.group_commits.sum == doctest::Approx(threads * per_thread));
  CHECK(figures.group_commits.counts.front() < stats.batches_written); // some groups of 2 and up
  CHECK(figures.synced_write_seconds.sum > 0);
  // RocksDB's own fsync timings: one per synced group at least.
  CHECK(figures.fsyncs.count >= stats.syncs);
  CHECK(figures.fsyncs.sum > 0);
  CHECK(figures.fsyncs.p99 >= figures.fsyncs.p50);
}

TEST_CASE("negative control: one commit at a time costs one sync each") {
  tt::tests::temp_dir tmp;
  store_options options;
  options.group_commit.sync = sync_policy::always;
  auto store = open_store(tmp.path() / "db", options);
  for (int i = 0; i < 50; ++i)
    REQUIRE_FALSE(
        commit_and_wait(*store, {put(entity_kind::seat, "E/S" + std::to_string(i), "v")}));
  auto stats = store->stats();
  CHECK(stats.commits == 50);
  CHECK(stats.syncs == 50);
  auto figures = store->figures();
  CHECK(figures.group_commits.counts.front() == 50); // every group is one commit
  CHECK(figures.group_commits.sum == doctest::Approx(50));
}

TEST_CASE("the none policy acknowledges without syncing") {
  tt::tests::temp_dir tmp;
  store_options options;
  options.group_commit.sync = sync_policy::none;
  auto store = open_store(tmp.path() / "db", options);
  REQUIRE_FALSE(commit_and_wait(*store, {put(entity_kind::meta, "version", "1")}));
  CHECK(store->stats().syncs == 0);
  CHECK(store->stats().batches_written == 1);
  auto figures = store->figures();
  CHECK(total(figures.unsynced_write_seconds) == 1);
  CHECK(total(figures.synced_write_seconds) == 0);
  CHECK(figures.fsyncs.count == 0);
}

TEST_CASE("the store's queue bound refuses commits beyond it") {
  tt::tests::temp_dir tmp;
  store_options options;
  options.group_commit.sync = sync_policy::always;
  options.group_commit.max_pending_commits = 2;
  auto store = open_store(tmp.path() / "db", options);
  // The first commit's callback holds the writer thread until released, so later commits queue.
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  store->commit({put(entity_kind::seat, "a", "1")}, [&](std::optional<storage_error>) {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();
  std::vector<std::future<std::optional<storage_error>>> queued;
  for (int i = 0; i < 3; ++i) {
    auto done = std::make_shared<std::promise<std::optional<storage_error>>>();
    queued.push_back(done->get_future());
    store->commit({put(entity_kind::seat, "q" + std::to_string(i), "1")},
                  [done](std::optional<storage_error> e) { done->set_value(e); });
  }
  REQUIRE(queued[2].wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  auto refused = queued[2].get();
  REQUIRE(refused);
  CHECK(refused->code == errc::queue_full);
  release.set_value();
  CHECK_FALSE(queued[0].get());
  CHECK_FALSE(queued[1].get());
  CHECK_FALSE(read(*store, entity_kind::seat, "q2"));
}
