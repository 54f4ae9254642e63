#pragma once
/// The metrics whose figures live inside the actors: seats available, held and sold per event,
/// and each waiting room's size, admissions and admission rate. A thread of its own asks the
/// shard region every `interval` (GetInventoryStatus's and GetQueueStats' messages, so the
/// actors need nothing new) and keeps the last answers for collection: a scrape never waits for
/// an actor, and the actors see one query per event per interval however often they are scraped.
/// Events are the catalog directory's (read every 30th poll) and every event with a waiting room;
/// labels are event ids, bounded by the catalog.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/runtime/shard_region.hpp"
#include "adapters/metrics/node_metrics.hpp"

namespace tt::node {

class actor_figures {
 public:
  /// Starts asking `region` every `interval`; `catalog_dir` names the events to ask about.
  actor_figures(caf::actor_system& actors, actors::shard_region region, std::string catalog_dir,
                std::chrono::milliseconds interval);
  actor_figures(const actor_figures&) = delete;
  actor_figures& operator=(const actor_figures&) = delete;
  /// Stops the thread (an ask in progress ends within its timeout).
  ~actor_figures();

  /// The families of the last answers (thread-safe).
  std::vector<prometheus::MetricFamily> collect() const;

 private:
  struct seats {
    double available = 0, held = 0, sold = 0;
  };
  struct room {
    double waiting = 0, admitted = 0, total_admitted = 0, rate = 0;
  };
  void run();
  void poll();

  caf::actor_system& actors_;
  actors::shard_region region_;
  std::string catalog_dir_;
  std::chrono::milliseconds interval_;
  /// The poll thread's own: the catalog's event ids as last read, and the polls so far.
  std::set<std::string> catalog_events_;
  uint64_t polls_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::string, seats> seats_;
  std::map<std::string, room> rooms_;
  std::thread thread_;
};

} // namespace tt::node
