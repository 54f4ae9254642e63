#include <doctest/doctest.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include "storage/group_commit.hpp"

using namespace tt::storage;

namespace {

/// A sink that records every group's keys; optionally fails, or blocks its first call until
/// released so tests can fill the queue deterministically.
struct recording_sink {
  std::mutex mutex;
  std::vector<std::vector<std::string>> groups;
  std::vector<bool> syncs;
  std::optional<storage_error> failure;
  std::promise<void> entered;
  std::shared_future<void> release;
  bool first = true;

  group_commit::sink as_sink() {
    return [this](const std::vector<commit_request>& group, bool sync) {
      bool block = false;
      {
        std::lock_guard<std::mutex> guard(mutex);
        std::vector<std::string> keys;
        for (const auto& request : group)
          for (const auto& m : request.mutations)
            keys.push_back(m.key);
        groups.push_back(std::move(keys));
        syncs.push_back(sync);
        block = first && release.valid();
        first = false;
      }
      if (block) {
        entered.set_value();
        release.wait();
      }
      return failure;
    };
  }
};

std::vector<mutation> one(std::string key) {
  return {mutation{entity_kind::seat, std::move(key), std::string("v"), std::nullopt}};
}

/// Collects outcomes keyed by commit index; every callback fulfils one future.
struct outcomes {
  std::vector<std::promise<std::optional<storage_error>>> promises;
  std::vector<std::future<std::optional<storage_error>>> futures;
  explicit outcomes(std::size_t n) : promises(n) {
    for (auto& p : promises)
      futures.push_back(p.get_future());
  }
  durable_callback callback(std::size_t i) {
    return [this, i](std::optional<storage_error> e) {
      promises[i].set_value(e);
    };
  }
};

} // namespace

TEST_CASE("commits are written in submission order and each is acknowledged once") {
  recording_sink sink;
  group_commit_options options;
  options.sync = sync_policy::always;
  group_commit commits(options, sink.as_sink());
  outcomes done(50);
  for (std::size_t i = 0; i < 50; ++i)
    commits.submit(one("k" + std::to_string(i)), done.callback(i));
  for (auto& f : done.futures)
    CHECK_FALSE(f.get());
  std::vector<std::string> written;
  for (auto& group : sink.groups)
    written.insert(written.end(), group.begin(), group.end());
  REQUIRE(written.size() == 50);
  for (std::size_t i = 0; i < 50; ++i)
    CHECK(written[i] == "k" + std::to_string(i));
  auto stats = commits.stats();
  CHECK(stats.commits == 50);
  CHECK(stats.syncs == sink.groups.size());
  CHECK(stats.pending_commits == 0);
}

TEST_CASE("commits queued behind a busy writer share one group") {
  recording_sink sink;
  std::promise<void> release;
  sink.release = release.get_future().share();
  auto entered = sink.entered.get_future();
  group_commit commits(group_commit_options{}, sink.as_sink());
  outcomes done(11);
  commits.submit(one("first"), done.callback(0));
  entered.wait(); // the writer is inside the sink with "first"
  for (std::size_t i = 1; i <= 10; ++i)
    commits.submit(one("k" + std::to_string(i)), done.callback(i));
  release.set_value();
  for (auto& f : done.futures)
    CHECK_FALSE(f.get());
  REQUIRE(sink.groups.size() == 2);
  CHECK(sink.groups[1].size() == 10);
}

TEST_CASE("a full queue refuses at once with queue_full, and accepts again after the drain") {
  recording_sink sink;
  std::promise<void> release;
  sink.release = release.get_future().share();
  auto entered = sink.entered.get_future();
  group_commit_options options;
  options.max_pending_commits = 4;
  group_commit commits(options, sink.as_sink());
  outcomes done(5);
  commits.submit(one("in-flight"), done.callback(0));
  entered.wait();
  for (std::size_t i = 1; i <= 3; ++i)
    commits.submit(one("queued"), done.callback(i));
  commits.submit(one("overflow"), done.callback(4));
  // The refusal is delivered before submit returns.
  REQUIRE(done.futures[4].wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  auto refused = done.futures[4].get();
  REQUIRE(refused);
  CHECK(refused->code == errc::queue_full);
  CHECK(commits.stats().rejected_commits == 1);
  release.set_value();
  for (std::size_t i = 0; i < 4; ++i)
    CHECK_FALSE(done.futures[i].get());
  outcomes again(1);
  commits.submit(one("later"), again.callback(0));
  CHECK_FALSE(again.futures[0].get());
}

TEST_CASE("the byte bound refuses a commit that would exceed it") {
  recording_sink sink;
  group_commit_options options;
  options.max_pending_bytes = 64;
  group_commit commits(options, sink.as_sink());
  outcomes done(1);
  commits.submit(one(std::string(100, 'k')), done.callback(0));
  auto refused = done.futures[0].get();
  REQUIRE(refused);
  CHECK(refused->code == errc::queue_full);
  CHECK(sink.groups.empty());
}

TEST_CASE("a failed write reaches every commit of the group and shows in last_error") {
  recording_sink sink;
  sink.failure = storage_error{errc::no_space, "disk full"};
  group_commit commits(group_commit_options{}, sink.as_sink());
  outcomes done(1);
  commits.submit(one("k"), done.callback(0));
  auto error = done.futures[0].get();
  REQUIRE(error);
  CHECK(error->code == errc::no_space);
  auto stats = commits.stats();
  CHECK(stats.failed_commits == 1);
  CHECK(stats.commits == 0);
  REQUIRE(commits.last_error());
  CHECK(commits.last_error()->code == errc::no_space);
}

TEST_CASE("stop drains every accepted commit, then refuses with shutting_down") {
  recording_sink sink;
  std::promise<void> release;
  sink.release = release.get_future().share();
  auto entered = sink.entered.get_future();
  group_commit_options options;
  options.sync = sync_policy::none;
  group_commit commits(options, sink.as_sink());
  outcomes done(4);
  commits.submit(one("a"), done.callback(0));
  entered.wait();
  commits.submit(one("b"), done.callback(1));
  commits.submit(one("c"), done.callback(2));
  std::thread stopper([&] { commits.stop(); });
  release.set_value();
  stopper.join();
  for (std::size_t i = 0; i < 3; ++i)
    CHECK_FALSE(done.futures[i].get());
  CHECK(sink.syncs == std::vector<bool>{false, false});
  commits.submit(one("d"), done.callback(3));
  auto refused = done.futures[3].get();
  REQUIRE(refused);
  CHECK(refused->code == errc::shutting_down);
  CHECK(commits.stats().syncs == 0);
}
