// tacos-broker: librdkafka's mock cluster in a process of its own, for several nodes and kcat to
// share on loopback (`kafka.bootstrap_servers` of each node = the address it prints), with the
// node's topics and the cluster's (the shard changelog and the worker's topics, one partition
// per shard, and the membership topic) created up front: the mock broker has no CreateTopics, and a
// node must not create the cluster's topics. It keeps nothing on disk: when it stops, its topics
// are gone. Stops on SIGINT/SIGTERM.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "adapters/kafka/embedded_cluster.hpp"
#include "adapters/kafka/kafka_settings.hpp"

namespace {

int usage() {
  std::fputs("usage: tacos-broker [--brokers N (1..9, default 1)] [--partitions N (1..64, default "
             "8: partitions of the lifecycle and dead-letter topics)] [--shards N (1..4096, "
             "default 64: partitions of tt.shards and of the worker's payment and expiry "
             "topics)]\nprints "
             "\"bootstrap.servers=<address>\" once serving, then runs until SIGINT/SIGTERM\n",
             stderr);
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  int partitions = 8;
  int shards = 64;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "--brokers" || arg == "--partitions" || arg == "--shards") && i + 1 < argc) {
      char* end = nullptr;
      long value = std::strtol(argv[++i], &end, 10);
      long max = arg == "--brokers" ? 9 : arg == "--partitions" ? 64 : 4096;
      if (end == nullptr || *end != '\0' || value < 1 || value > max)
        return usage();
      (arg == "--brokers"      ? brokers
       : arg == "--partitions" ? partitions
                               : shards) = static_cast<int>(value);
    } else {
      return usage();
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  tt::adapters::kafka::topic_names topics;
  auto started = tt::adapters::kafka::embedded_cluster::start(
      brokers, {topics.lifecycle, topics.dead_letter}, partitions);
  if (auto* err = std::get_if<std::string>(&started)) {
    std::fprintf(stderr, "tacos-broker: %s\n", err->c_str());
    return 1;
  }
  const auto& cluster = std::get<0>(started);
  // The cluster's topics (adapters/cluster; names as the nodes' defaults): the changelog and
  // the worker's topics have one partition per shard (a clustered worker reads the partitions
  // of the shards its node serves), the membership topic one.
  for (auto [name, count] :
       {std::pair{std::string{"tt.shards"}, shards}, std::pair{topics.payment, shards},
        std::pair{topics.expiry, shards}, std::pair{std::string{"tt.members"}, 1}})
    if (auto err = cluster->create_topic(name, count)) {
      std::fprintf(stderr, "tacos-broker: %s\n", err->c_str());
      return 1;
    }
  std::printf("bootstrap.servers=%s\n", cluster->bootstrap().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  return 0;
}
