// tacos-broker: librdkafka's mock cluster in a process of its own, for several nodes and kcat to
// share on loopback (`kafka.bootstrap_servers` of each node = the address it prints). It keeps
// nothing on disk: when it stops, its topics are gone. Stops on SIGINT/SIGTERM.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "adapters/kafka/embedded_cluster.hpp"
#include "adapters/kafka/kafka_settings.hpp"

namespace {

int usage() {
  std::fputs("usage: tacos-broker [--brokers N (1..9, default 1)] [--partitions N (1..64, default "
             "8)]\nprints \"bootstrap.servers=<address>\" once serving, then runs until "
             "SIGINT/SIGTERM\n",
             stderr);
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  int partitions = 8;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "--brokers" || arg == "--partitions") && i + 1 < argc) {
      char* end = nullptr;
      long value = std::strtol(argv[++i], &end, 10);
      bool ok =
          end != nullptr && *end == '\0' && value >= 1 && value <= (arg == "--brokers" ? 9 : 64);
      if (!ok)
        return usage();
      (arg == "--brokers" ? brokers : partitions) = static_cast<int>(value);
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
      brokers, {topics.lifecycle, topics.payment, topics.expiry, topics.dead_letter}, partitions);
  if (auto* err = std::get_if<std::string>(&started)) {
    std::fprintf(stderr, "tacos-broker: %s\n", err->c_str());
    return 1;
  }
  const auto& cluster = std::get<0>(started);
  std::printf("bootstrap.servers=%s\n", cluster->bootstrap().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  return 0;
}
