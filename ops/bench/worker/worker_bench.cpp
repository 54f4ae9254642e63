// tt_worker_bench: the Kafka worker path measured in one process, the way tacosd wires it: a
// RocksDB snapshot store (sync=batch), the embedded Kafka cluster, the idempotent publisher with
// its outbox, the event/reservation/payment actors, the worker actor and its consumer group.
//
// 1. Throughput: N holds are created and left to lapse while the worker's consumer is not yet
//    running (their backstop timers are 10 minutes away); then the consumer starts and drains N
//    expiry events, each a real effect (expire: state stored, seats released). Baseline in the
//    same run: the same effect on N other lapsed holds asked of the actors directly, without
//    Kafka. Reported: events/s of both and the ratio. Target (issue #6): >= 20,000 events/s.
// 2. Latency: M holds, each paid with APPROVE (settle delay D) as it is made, at a steady pace;
//    for each, confirmation time (the reservation's updated_at) - processing time - D, p50/p99.
//    Target: p99 <= 50 ms beyond the simulated delay.
//
// Also reported: the process's CPU time per effect in the direct baseline, a figure that the
// host's noise (other processes, CPU steal) moves much less than the rates.
//
// Usage: tt_worker_bench [--events=N (default 20000)] [--paid=M (default 500)]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

#include <caf/all.hpp>

#include "actors/runtime/scheduler_setup.hpp"
#include "actors/runtime/shard_region.hpp"
#include "actors/runtime/worker_actor.hpp"
#include "adapters/kafka/embedded_cluster.hpp"
#include "adapters/kafka/kafka_publisher.hpp"
#include "adapters/kafka/worker_consumer.hpp"
#include "storage/rocksdb_snapshot_store.hpp"

namespace {

using namespace tt;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr auto settle_delay = milliseconds{50};
constexpr int seats_per_row = 100;

/// One section of `rows` x 100 seats.
domain::event_definition hall(timestamp now, int rows) {
  domain::event_definition d;
  d.id = event_id{"worker-bench"};
  d.name = "Worker bench hall";
  d.venue = "Bench";
  d.currency = "KRW";
  d.sale_starts_at = now - std::chrono::hours{1};
  d.sale_ends_at = now + std::chrono::hours{24};
  domain::section_definition section{"A", "Floor", 10'000, {}};
  for (int r = 1; r <= rows; ++r) {
    domain::row_definition row{std::to_string(r), {}};
    for (int n = 1; n <= seats_per_row; ++n)
      row.seat_numbers.push_back(std::to_string(n));
    section.rows.push_back(std::move(row));
  }
  d.sections.push_back(std::move(section));
  return d;
}

seat_id nth_seat(int i) {
  return seat_id{"A-" + std::to_string(i / seats_per_row + 1) + "-" +
                 std::to_string(i % seats_per_row + 1)};
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "tt_worker_bench: %s\n", why.c_str());
  std::exit(1);
}

template <class Reply, class Handle, class Message>
Reply ask(caf::scoped_actor& self, const Handle& to, Message msg) {
  std::optional<Reply> out;
  self->request(to, std::chrono::seconds{30}, std::move(msg))
      .receive([&](Reply& r) { out = std::move(r); },
               [&](const caf::error& e) { die("request failed: " + caf::to_string(e)); });
  return std::move(*out);
}

actors::write_scope scope_of(const std::string& user, const std::string& key) {
  return {user_id{user}, idempotency_key{key}, key};
}

/// Holds seats [first, first + n), one each, all asked at once (one at a time, every hold would
/// wait for its own fsync).
std::vector<domain::reservation_state> hold(caf::scoped_actor& self,
                                            const actors::shard_region& region,
                                            const event_id& event, int first, int n) {
  for (int i = first; i < first + n; ++i)
    self->send(region,
               actors::create_request{event,
                                      scope_of("u" + std::to_string(i), "h" + std::to_string(i)),
                                      {nth_seat(i)},
                                      0,
                                      {},
                                      {}}); // no waiting room: no token
  std::vector<domain::reservation_state> out;
  for (int i = 0; i < n; ++i)
    self->receive([&](actors::reservation_reply& r) { out.push_back(std::move(r.reservation)); },
                  [&](const caf::error& e) { die("hold: " + caf::to_string(e)); });
  return out;
}

int64_t applied(caf::scoped_actor& self, const actors::worker_actor& worker) {
  return ask<actors::worker_stats>(self, worker, actors::worker_stats_query{}).applied;
}

/// User + system CPU time of the whole process so far, in seconds.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1)))];
}

} // namespace

int main(int argc, char** argv) {
  int events = 20'000;
  int paid = 500;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--events=", 0) == 0)
      events = std::atoi(arg.c_str() + 9);
    else if (arg.rfind("--paid=", 0) == 0)
      paid = std::atoi(arg.c_str() + 7);
    else
      die("usage: tt_worker_bench [--events=N] [--paid=M]");
  }
  if (events < 1 || events > 200'000 || paid < 1 || paid > 10'000)
    die("--events must be 1..200000 and --paid 1..10000");

  auto dir =
      std::filesystem::temp_directory_path() / ("tt-worker-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  storage::store_options options;
  options.group_commit.sync = storage::sync_policy::batch;
  auto opened = storage::rocksdb_snapshot_store::open(dir, options);
  if (auto* err = std::get_if<storage::storage_error>(&opened))
    die(err->message);
  std::shared_ptr<storage::snapshot_store> store = std::move(std::get<0>(opened));

  adapters::kafka::kafka_settings settings;
  settings.group_id = "tt-worker-bench";
  const auto& t = settings.topics;
  auto cluster = adapters::kafka::embedded_cluster::start(
      1, {t.lifecycle, t.payment, t.expiry, t.dead_letter}, settings.embedded_partitions);
  if (auto* err = std::get_if<std::string>(&cluster))
    die(*err);
  settings.bootstrap_servers = std::get<0>(cluster)->bootstrap();
  auto started = adapters::kafka::kafka_publisher::start(settings, store.get());
  if (auto* err = std::get_if<std::string>(&started))
    die(*err);
  std::shared_ptr<adapters::kafka::kafka_publisher> publisher = std::move(std::get<0>(started));

  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::tt>();
  actors::configure_scheduler(cfg, "sharing", 0); // as the node does by default
  caf::actor_system sys{cfg};
  auto runtime = std::make_shared<actors::runtime_config>();
  runtime->store = store;
  runtime->events = publisher;
  // Long enough for part 2 to pay its holds, short enough for part 1 to wait for them to lapse.
  runtime->policy.hold_duration = std::chrono::seconds{5};
  runtime->expiry_backstop = std::chrono::minutes{10};
  runtime->payment.settle_delay = settle_delay;
  auto region = actors::spawn_shard_region(sys, runtime);
  auto worker = actors::spawn_worker(sys, region, runtime, {});
  caf::scoped_actor self{sys};
  auto now = runtime->time->now();
  auto def = hall(now, (2 * events + paid) / seats_per_row + 1);
  ask<actors::event_defined>(self, region, actors::define_event::fresh(def));

  // 1. Throughput. Holds for Kafka and for the direct baseline, all lapsed before either runs.
  auto via_kafka = hold(self, region, def.id, 0, events);
  auto direct = hold(self, region, def.id, events, events);
  std::this_thread::sleep_for(runtime->policy.hold_duration + milliseconds{200});

  auto direct_start = steady::now();
  auto direct_cpu_start = cpu_seconds();
  // All in flight at once, as the worker has them; the answers come back as plain messages.
  for (const auto& r : direct)
    self->send(region, actors::effect_request::hold_expiry(r.id, ""));
  int direct_done = 0;
  for (int i = 0; i < events; ++i)
    self->receive(
        [&](const actors::effect_reply& r) {
          direct_done += r.status == actors::effect_status::applied;
        },
        [&](const caf::error& e) { die("direct expiry: " + caf::to_string(e)); });
  double direct_s = std::chrono::duration<double>(steady::now() - direct_start).count();
  double direct_cpu_us = (cpu_seconds() - direct_cpu_start) * 1e6 / events;
  if (direct_done != events)
    die("the direct baseline expired " + std::to_string(direct_done) + " holds");

  auto consumer =
      adapters::kafka::worker_consumer::start(settings, worker, *publisher, store.get());
  if (auto* err = std::get_if<std::string>(&consumer))
    die(*err);
  auto& worker_consumer = std::get<0>(consumer);
  if (!worker_consumer->wait_for_assignment(std::chrono::seconds{20}))
    die("the worker got no partitions");
  std::optional<steady::time_point> first;
  double kafka_cpu_start = 0;
  auto deadline = steady::now() + std::chrono::seconds{120};
  int64_t done = 0;
  while ((done = applied(self, worker)) < events && steady::now() < deadline) {
    if (done > 0 && !first) {
      first = steady::now();
      kafka_cpu_start = cpu_seconds();
    }
    std::this_thread::sleep_for(milliseconds{5});
  }
  if (done < events)
    die("the worker expired only " + std::to_string(done) + " of " + std::to_string(events));
  double kafka_s =
      std::chrono::duration<double>(steady::now() - first.value_or(steady::now())).count();
  double kafka_rate = events / std::max(kafka_s, 1e-3);
  double kafka_cpu_s = cpu_seconds() - kafka_cpu_start;
  double direct_rate = events / std::max(direct_s, 1e-3);
  // Part 2 measures a steady pace, not the tail of part 1: its 2 x N lifecycle events are
  // delivered (and their outbox rows deleted) first.
  publisher->flush(std::chrono::seconds{30});
  std::this_thread::sleep_for(milliseconds{500});

  // 2. hold -> confirm latency, at a steady pace of one payment every 2 ms. Each hold is paid
  // as soon as it is made: paying 500 holds made at once would process the last ones seconds
  // into their 5 s holds, where a slow moment lets a hold lapse first (its late approval is then
  // refunded, correctly, and never confirmed).
  std::vector<domain::reservation_state> to_pay;
  std::vector<payment_intent_id> intents;
  for (int i = 0; i < paid; ++i) {
    auto r = hold(self, region, def.id, 2 * events + i, 1).front();
    auto intent = ask<actors::payment_reply>(
        self, region,
        actors::payment_create_request{r.id,
                                       scope_of(r.owner(), "c" + std::to_string(i)),
                                       r.total,
                                       1,
                                       domain::payment_scenario::approve,
                                       {}});
    ask<actors::payment_reply>(
        self, region,
        actors::payment_process{intent.payment.id, scope_of("", "p" + std::to_string(i))});
    to_pay.push_back(std::move(r));
    intents.push_back(intent.payment.id);
    std::this_thread::sleep_for(milliseconds{2});
  }
  std::vector<double> latencies;
  deadline = steady::now() + std::chrono::seconds{60};
  for (size_t i = 0; i < to_pay.size(); ++i) {
    actors::reservation_get get{to_pay[i].id, to_pay[i].owner};
    domain::reservation_state r;
    while ((r = ask<actors::reservation_reply>(self, region, get).reservation).status !=
               domain::reservation_status::confirmed &&
           steady::now() < deadline)
      std::this_thread::sleep_for(milliseconds{10});
    auto p = ask<actors::payment_reply>(self, region, actors::payment_get{intents[i], user_id{}})
                 .payment;
    if (r.status != domain::reservation_status::confirmed) {
      // Which side was late tells a slow run (payment processed near the hold's end) from a lost
      // effect (approved in time, never applied).
      auto ms = [&](timestamp t) {
        return std::to_string(to_epoch_ms(t) - to_epoch_ms(to_pay[i].created_at));
      };
      die("reservation " + r.id() + " (payment " + std::to_string(i + 1) + " of " +
          std::to_string(to_pay.size()) + ") is " + std::string{to_string(r.status)} +
          ", not confirmed; ms after its hold: payment processed " + ms(p.processed_at) +
          ", settled " + ms(p.settles_at) + " as " + std::string{to_string(p.status)} +
          ", hold ends " + ms(r.hold_expires_at));
    }
    latencies.push_back(
        std::chrono::duration<double, std::milli>(r.updated_at - p.processed_at - settle_delay)
            .count());
  }
  double p50 = percentile(latencies, 0.5), p99 = percentile(latencies, 0.99);

  std::printf("| measure | value | target |\n|---|---|---|\n");
  std::printf("| expiry events through Kafka + worker | %.0f events/s | >= 20000: %s |\n",
              kafka_rate, kafka_rate >= 20'000 ? "met" : "MISSED");
  std::printf("| the same effects asked directly (baseline) | %.0f events/s | |\n", direct_rate);
  std::printf("| ratio worker / direct | %.2f | |\n", kafka_rate / direct_rate);
  std::printf("| CPU time per effect, direct (all threads) | %.0f us | |\n", direct_cpu_us);
  std::printf("| CPU time per effect, through Kafka (all threads) | %.0f us | |\n",
              kafka_cpu_s * 1e6 / events);
  std::printf("| CPU busy during the Kafka phase (of %u cores) | %.2f cores | |\n",
              std::thread::hardware_concurrency(), kafka_cpu_s / std::max(kafka_s, 1e-3));
  std::printf("| hold->confirm beyond the %lld ms settle delay, p50 | %.1f ms | |\n",
              static_cast<long long>(settle_delay.count()), p50);
  std::printf("| hold->confirm beyond the settle delay, p99 (%d payments) | %.1f ms | <= 50: %s "
              "|\n",
              paid, p99, p99 <= 50 ? "met" : "MISSED");

  worker_consumer.reset();
  caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(region, caf::exit_reason::user_shutdown);
  sys.await_actors_before_shutdown(true);
  std::filesystem::remove_all(dir);
  return 0;
}
