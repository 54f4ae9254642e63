#include "adapters/node/actor_figures.hpp"

#include <set>

#include <caf/scoped_actor.hpp>

#include "adapters/catalog/catalog_directory.hpp"

namespace tt::node {

namespace {

using adapters::metrics::counter_family;
using adapters::metrics::gauge_family;
using adapters::metrics::sample;

/// An ask's limit: a busy event actor costs this poll its figures, never the node a thread.
constexpr auto ask_timeout = std::chrono::seconds{1};
/// Polls between two reads of the catalog directory.
constexpr uint64_t catalog_every = 30;

prometheus::ClientMetric::Label event_label(const std::string& event) {
  return {"event", event};
}

} // namespace

actor_figures::actor_figures(caf::actor_system& actors, actors::shard_region region,
                             std::string catalog_dir, std::chrono::milliseconds interval)
    : actors_(actors), region_(std::move(region)), catalog_dir_(std::move(catalog_dir)),
      interval_(interval), thread_([this] { run(); }) {}

actor_figures::~actor_figures() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void actor_figures::run() {
  std::unique_lock lock{mutex_};
  while (!stopping_) {
    lock.unlock();
    poll();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

void actor_figures::poll() {
  caf::scoped_actor self{actors_};
  std::map<std::string, room> rooms;
  self->request(region_, ask_timeout, actors::queue_stats_query{})
      .receive(
          [&](const actors::queue_stats_answer& a) {
            for (const auto& r : a.rooms)
              rooms[r.event.get()] = {static_cast<double>(r.stats.waiting + r.stats.ready),
                                      static_cast<double>(r.stats.admitted),
                                      static_cast<double>(r.stats.total_admitted),
                                      r.stats.admission_rate};
          },
          [](const caf::error&) {});
  // The catalog's events, read again now and then: REFRESH_CONFIG may have added some, and
  // reading it expands every seat (a 50,000-seat event costs milliseconds), too much for
  // every poll.
  if (polls_++ % catalog_every == 0) {
    catalog_events_.clear();
    if (auto catalog = adapters::catalog::load_catalog_directory(catalog_dir_))
      for (const auto& e : *catalog)
        catalog_events_.insert(e.id.get());
  }
  auto events = catalog_events_;
  for (const auto& [event, _] : rooms)
    events.insert(event);
  std::map<std::string, seats> counts;
  for (const auto& event : events)
    self->request(region_, ask_timeout, actors::status_query{event_id{event}, {}})
        .receive(
            [&](const actors::status_answer& a) {
              counts[event] = {static_cast<double>(a.totals.available),
                               static_cast<double>(a.totals.held),
                               static_cast<double>(a.totals.sold)};
            },
            [](const caf::error&) {});
  std::lock_guard lock{mutex_};
  seats_ = std::move(counts);
  rooms_ = std::move(rooms);
}

std::vector<prometheus::MetricFamily> actor_figures::collect() const {
  std::vector<sample> available, held, sold, waiting, admitted, total, rate;
  {
    std::lock_guard lock{mutex_};
    for (const auto& [event, s] : seats_) {
      available.push_back({event_label(event), s.available});
      held.push_back({event_label(event), s.held});
      sold.push_back({event_label(event), s.sold});
    }
    for (const auto& [event, r] : rooms_) {
      waiting.push_back({event_label(event), r.waiting});
      admitted.push_back({event_label(event), r.admitted});
      total.push_back({event_label(event), r.total_admitted});
      rate.push_back({event_label(event), r.rate});
    }
  }
  return {
      gauge_family("tt_seats_available", "Seats on sale now, per event", available),
      gauge_family("tt_seats_held", "Seats held by a reservation now, per event", held),
      gauge_family("tt_seats_sold", "Seats sold, per event", sold),
      gauge_family("tt_queue_waiting", "Buyers in a waiting room, not yet admitted, per event",
                   waiting),
      gauge_family("tt_queue_admitted", "Buyers admitted and not finished, per event", admitted),
      counter_family("tt_queue_admissions_total", "Buyers admitted since the room's start", total),
      gauge_family("tt_queue_admission_rate",
                   "Admissions per second over the room's rate window, per event", rate),
  };
}

} // namespace tt::node
