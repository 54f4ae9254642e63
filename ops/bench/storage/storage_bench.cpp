// tt_storage_bench: durable commit throughput and commit→durable latency of the snapshot store
// under the three sync policies, measured in ONE run so the ratios are comparable, plus the time
// to recover (open + scan) 100,000 entities.
//
// Usage: tt_storage_bench [--threads=N] [--inflight=K] [--seconds=S] [--value-bytes=B]
//                         [--entities=E] [--dir=PATH]
// Each of N writer threads keeps up to K commits (one seat snapshot each) in flight, like K
// entity actors waiting for their acknowledgement.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "storage/rocksdb_snapshot_store.hpp"

namespace {

using tt::storage::entity_kind;
using tt::storage::mutation;
using tt::storage::rocksdb_snapshot_store;
using tt::storage::storage_error;
using tt::storage::store_options;
using tt::storage::sync_policy;
using steady = std::chrono::steady_clock;

struct bench_config {
  int threads = 8;
  int inflight = 128;
  double seconds = 4.0;
  std::size_t value_bytes = 200;
  int entities = 100'000;
  std::filesystem::path dir;
};

struct policy_result {
  sync_policy policy;
  double commits_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  uint64_t syncs = 0;
  uint64_t commits = 0;
  uint64_t failures = 0;
};

/// One writer thread's window of in-flight commits and the latencies it observed.
struct writer_state {
  std::mutex mutex;
  std::condition_variable changed;
  int in_flight = 0;
  uint64_t failures = 0;
  std::vector<double> latencies_us;
};

std::unique_ptr<rocksdb_snapshot_store> open_or_exit(const std::filesystem::path& path,
                                                     store_options options) {
  auto opened = rocksdb_snapshot_store::open(path, std::move(options));
  if (auto* error = std::get_if<storage_error>(&opened)) {
    std::fprintf(stderr, "open failed: %s\n", tt::storage::to_string(*error).c_str());
    std::exit(1);
  }
  return std::move(std::get<0>(opened));
}

void write_for(rocksdb_snapshot_store& store, writer_state& state, int thread_index,
               const bench_config& config, steady::time_point deadline) {
  const std::string value(config.value_bytes, 'v');
  for (uint64_t i = 0; steady::now() < deadline; ++i) {
    {
      std::unique_lock<std::mutex> lock(state.mutex);
      state.changed.wait(lock, [&] { return state.in_flight < config.inflight; });
      ++state.in_flight;
    }
    std::vector<mutation> batch;
    batch.push_back(
        mutation{entity_kind::seat,
                 "event-" + std::to_string(thread_index) + "/seat-" + std::to_string(i % 50'000),
                 value, std::nullopt});
    auto start = steady::now();
    store.commit(std::move(batch), [&state, start](std::optional<storage_error> error) {
      auto us = std::chrono::duration<double, std::micro>(steady::now() - start).count();
      std::lock_guard<std::mutex> guard(state.mutex);
      if (error)
        ++state.failures;
      else
        state.latencies_us.push_back(us);
      --state.in_flight;
      state.changed.notify_one();
    });
  }
  std::unique_lock<std::mutex> lock(state.mutex);
  state.changed.wait(lock, [&] { return state.in_flight == 0; });
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

policy_result run_policy(sync_policy policy, const bench_config& config) {
  auto path = config.dir / ("commit-" + std::string(tt::storage::to_string(policy)));
  store_options options;
  options.group_commit.sync = policy;
  options.group_commit.max_delay = std::chrono::microseconds(200);
  auto store = open_or_exit(path, options);
  std::vector<writer_state> states(static_cast<std::size_t>(config.threads));
  auto start = steady::now();
  auto deadline = start + std::chrono::duration_cast<steady::duration>(
                              std::chrono::duration<double>(config.seconds));
  std::vector<std::thread> threads;
  for (int t = 0; t < config.threads; ++t)
    threads.emplace_back(write_for, std::ref(*store), std::ref(states[static_cast<std::size_t>(t)]),
                         t, std::cref(config), deadline);
  for (auto& thread : threads)
    thread.join();
  auto elapsed = std::chrono::duration<double>(steady::now() - start).count();
  policy_result out{policy};
  std::vector<double> all;
  for (auto& state : states) {
    all.insert(all.end(), state.latencies_us.begin(), state.latencies_us.end());
    out.failures += state.failures;
  }
  std::sort(all.begin(), all.end());
  auto stats = store->stats();
  out.commits = stats.commits;
  out.syncs = stats.syncs;
  out.commits_per_second = static_cast<double>(all.size()) / elapsed;
  out.p50_us = percentile(all, 0.50);
  out.p99_us = percentile(all, 0.99);
  if (auto error = store->close())
    std::fprintf(stderr, "close failed: %s\n", tt::storage::to_string(*error).c_str());
  return out;
}

void run_recovery(const bench_config& config) {
  auto path = config.dir / "recovery";
  {
    store_options options;
    options.group_commit.sync = sync_policy::none;
    auto store = open_or_exit(path, options);
    const std::string value(config.value_bytes, 'r');
    constexpr int per_batch = 1000;
    for (int first = 0; first < config.entities; first += per_batch) {
      std::vector<mutation> batch;
      for (int i = first; i < std::min(first + per_batch, config.entities); ++i)
        batch.push_back(mutation{
            entity_kind::seat, "event-" + std::to_string(i / 50'000) + "/seat-" + std::to_string(i),
            value, std::nullopt});
      store->commit(std::move(batch), {});
    }
    if (auto error = store->close())
      std::fprintf(stderr, "close failed: %s\n", tt::storage::to_string(*error).c_str());
  }
  auto start = steady::now();
  auto store = open_or_exit(path, store_options{});
  auto opened = steady::now();
  uint64_t count = 0;
  uint64_t bytes = 0;
  auto error = store->scan(entity_kind::seat, "", [&](std::string_view, std::string_view value) {
    ++count;
    bytes += value.size();
    return true;
  });
  auto done = steady::now();
  if (error)
    std::fprintf(stderr, "scan failed: %s\n", tt::storage::to_string(*error).c_str());
  auto ms = [](steady::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
  };
  std::printf("\nrecovery: %llu entities (%llu payload bytes): open %.1f ms + scan %.1f ms = "
              "%.1f ms\n",
              static_cast<unsigned long long>(count), static_cast<unsigned long long>(bytes),
              ms(opened - start), ms(done - opened), ms(done - start));
}

bench_config parse(int argc, char** argv) {
  bench_config config;
  config.dir =
      std::filesystem::temp_directory_path() / ("tt-storage-bench-" + std::to_string(::getpid()));
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = arg.substr(arg.find('=') + 1);
    if (arg.rfind("--threads=", 0) == 0)
      config.threads = std::max(1, std::atoi(value.c_str()));
    else if (arg.rfind("--inflight=", 0) == 0)
      config.inflight = std::max(1, std::atoi(value.c_str()));
    else if (arg.rfind("--seconds=", 0) == 0)
      config.seconds = std::max(0.1, std::atof(value.c_str()));
    else if (arg.rfind("--value-bytes=", 0) == 0)
      config.value_bytes = static_cast<std::size_t>(std::max(1, std::atoi(value.c_str())));
    else if (arg.rfind("--entities=", 0) == 0)
      config.entities = std::max(1, std::atoi(value.c_str()));
    else if (arg.rfind("--dir=", 0) == 0)
      config.dir = value;
    else {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      std::exit(2);
    }
  }
  return config;
}

} // namespace

int main(int argc, char** argv) {
  auto config = parse(argc, argv);
  std::error_code ec;
  std::filesystem::create_directories(config.dir, ec);
  if (ec) {
    std::fprintf(stderr, "cannot create %s: %s\n", config.dir.c_str(), ec.message().c_str());
    return 1;
  }
  std::printf("snapshot store commit benchmark: %d threads x %d in flight, %.1f s per policy, "
              "%zu-byte values, dir %s\n\n",
              config.threads, config.inflight, config.seconds, config.value_bytes,
              config.dir.c_str());
  std::vector<policy_result> results;
  for (auto policy : {sync_policy::none, sync_policy::batch, sync_policy::always})
    results.push_back(run_policy(policy, config));
  std::printf("%-7s %12s %9s %10s %10s %9s %13s %8s\n", "policy", "commits/s", "vs none", "p50 us",
              "p99 us", "syncs", "commits/sync", "failed");
  for (const auto& r : results) {
    auto per_sync = r.syncs ? static_cast<double>(r.commits) / static_cast<double>(r.syncs) : 0.0;
    std::printf("%-7s %12.0f %8.2fx %10.0f %10.0f %9llu %13.1f %8llu\n",
                std::string(tt::storage::to_string(r.policy)).c_str(), r.commits_per_second,
                r.commits_per_second / results.front().commits_per_second, r.p50_us, r.p99_us,
                static_cast<unsigned long long>(r.syncs), per_sync,
                static_cast<unsigned long long>(r.failures));
  }
  run_recovery(config);
  std::filesystem::remove_all(config.dir, ec);
  return 0;
}
