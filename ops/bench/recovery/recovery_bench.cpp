// tt_recovery_bench: how long a node takes from "store closed" to "serving", the way tacosd
// starts: open the RocksDB snapshot store, plan_recovery (read every stored event, reservation,
// idempotency record and waiting-room entry), define the events on a real actor system (event
// actors rebuild their seats and spawn one reservation actor per reservation, the admission actor
// rebuilds its line), and answer a first status query and a first queue-stats query.
//
// Usage: tt_recovery_bench [--entities=N] [--queue-entries=M] [--dir=PATH]
// N entities (default 100,000) are written first, through the actors' own record functions: half
// reservations of one 50,000-seat event (one seat each; every other one a live hold, the rest
// cancelled), half the idempotency records of their creates. Then M people (default 100,000)
// waiting in the event's room, whose admissions are stopped so that none of them moves before it
// is counted. Target (issue #4): <= 5 s.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <unistd.h>

#include <caf/all.hpp>

#include "actors/runtime/event_records.hpp"
#include "actors/runtime/recovery.hpp"
#include "actors/runtime/reservation_codec.hpp"
#include "actors/runtime/room_records.hpp"
#include "actors/runtime/shard_region.hpp"
#include "storage/rocksdb_snapshot_store.hpp"

namespace {

using namespace tt;
using steady = std::chrono::steady_clock;

double ms_since(steady::time_point start) {
  return std::chrono::duration<double, std::milli>(steady::now() - start).count();
}

/// 50 sections x 40 rows x 25 seats.
domain::event_definition stadium(timestamp now) {
  domain::event_definition d;
  d.id = event_id{"recovery-stadium"};
  d.name = "Recovery bench stadium";
  d.venue = "Bench";
  d.sale_starts_at = now - std::chrono::hours{1};
  d.sale_ends_at = now + std::chrono::hours{24};
  d.waiting_room = domain::waiting_room_settings{true, 100, 1'000};
  for (int s = 1; s <= 50; ++s) {
    domain::section_definition section{
        "S" + std::to_string(s), "Section " + std::to_string(s), 10'000 * (1 + s % 5), {}};
    for (int r = 1; r <= 40; ++r) {
      domain::row_definition row{std::to_string(r), {}};
      for (int n = 1; n <= 25; ++n)
        row.seat_numbers.push_back(std::to_string(n));
      section.rows.push_back(std::move(row));
    }
    d.sections.push_back(std::move(section));
  }
  return d;
}

seat_id nth_seat(int i) {
  return seat_id{"S" + std::to_string(i / 1000 + 1) + "-" + std::to_string(i % 1000 / 25 + 1) +
                 "-" + std::to_string(i % 25 + 1)};
}

bool commit_sync(storage::snapshot_store& store, std::vector<storage::mutation> batch) {
  std::promise<std::optional<storage::storage_error>> done;
  auto outcome = done.get_future();
  store.commit(std::move(batch),
               [&](std::optional<storage::storage_error> e) { done.set_value(e); });
  auto err = outcome.get();
  if (err)
    std::fprintf(stderr, "commit failed: %s\n", err->message.c_str());
  return !err;
}

std::unique_ptr<storage::rocksdb_snapshot_store> open_store(const std::filesystem::path& dir,
                                                            storage::sync_policy sync) {
  storage::store_options options;
  options.group_commit.sync = sync;
  auto opened = storage::rocksdb_snapshot_store::open(dir, options);
  if (auto* err = std::get_if<storage::storage_error>(&opened)) {
    std::fprintf(stderr, "open failed: %s\n", err->message.c_str());
    std::exit(1);
  }
  return std::move(std::get<0>(opened));
}

/// Writes the room's numbers (admissions stopped) and `count` waiting entries.
bool populate_room(storage::snapshot_store& store, const event_id& event, int count,
                   timestamp now) {
  domain::stored_room numbers;
  numbers.admissions_stopped = true;
  if (!commit_sync(store, {actors::room_numbers_mutation(event, numbers)}))
    return false;
  ulid_generator ids{43};
  std::vector<storage::mutation> batch;
  for (int i = 0; i < count; ++i) {
    domain::stored_entry entry;
    entry.token = mint_waiting_token(7, event, ids.next(now));
    entry.user = user_id{"waiting-" + std::to_string(i)};
    entry.session = session_id{"s" + std::to_string(i)};
    entry.sequence = static_cast<uint64_t>(i) + 1;
    entry.joined_at = now;
    batch.push_back(actors::entry_mutation(event, entry, nullptr));
    if (batch.size() >= 2'000 && !commit_sync(store, std::exchange(batch, {})))
      return false;
  }
  return batch.empty() || commit_sync(store, std::move(batch));
}

/// Writes `entities` records and `queue_entries` waiting entries (see the header comment);
/// returns false on a storage error.
bool populate(const std::filesystem::path& dir, const domain::event_definition& def, int entities,
              int queue_entries, timestamp now) {
  auto store = open_store(dir, storage::sync_policy::none);
  if (!commit_sync(*store, {actors::event_mutation(def)}))
    return false;
  ulid_generator ids{42};
  std::vector<storage::mutation> batch;
  int reservations = entities / 2;
  for (int i = 0; i < reservations; ++i) {
    domain::reservation_state r;
    r.id = mint_reservation_id(7, def.id, ids.next(now));
    r.event = def.id;
    r.owner = user_id{"user-" + std::to_string(i)};
    bool live = i % 2 == 0;
    r.status = live ? domain::reservation_status::hold : domain::reservation_status::cancelled;
    r.seats = {nth_seat(i % 50'000)};
    r.total = {10'000, "KRW"};
    r.created_at = r.updated_at = now;
    r.hold_expires_at = now + std::chrono::hours{1};
    batch.push_back(actors::reservation_mutation(r));
    actors::write_scope scope{r.owner, idempotency_key{"k" + std::to_string(i)},
                              "create|" + r.id()};
    actors::reservation_reply reply{r, {}, std::nullopt};
    batch.push_back(actors::journal_mutation(
        def.id,
        actors::journal_entry_of(scope, actors::encode_reply(reply), now + std::chrono::hours{1})));
    if (batch.size() >= 2'000 && !commit_sync(*store, std::exchange(batch, {})))
      return false;
  }
  if (!batch.empty() && !commit_sync(*store, std::move(batch)))
    return false;
  return populate_room(*store, def.id, queue_entries, now);
}

/// Reads `--name=N` into `out` when `arg` is that flag.
bool int_flag(const std::string& arg, const std::string& name, int& out) {
  auto prefix = "--" + name + "=";
  if (arg.rfind(prefix, 0) != 0)
    return false;
  out = std::atoi(arg.c_str() + prefix.size());
  return true;
}

} // namespace

int main(int argc, char** argv) {
  int entities = 100'000;
  int queue_entries = 100'000;
  std::filesystem::path dir;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (int_flag(arg, "entities", entities) || int_flag(arg, "queue-entries", queue_entries))
      continue;
    if (arg.rfind("--dir=", 0) == 0) {
      dir = arg.substr(6);
      continue;
    }
    std::fprintf(stderr,
                 "usage: tt_recovery_bench [--entities=N] [--queue-entries=M] [--dir=PATH]\n");
    return 2;
  }
  if (entities < 2 || entities > 10'000'000) {
    std::fprintf(stderr, "--entities must be 2..10000000\n");
    return 2;
  }
  const auto room_limit = static_cast<int>(domain::waiting_room_policy{}.max_entries);
  if (queue_entries < 0 || queue_entries > room_limit) {
    std::fprintf(stderr, "--queue-entries must be 0..%d (what one room holds)\n", room_limit);
    return 2;
  }
  bool own_dir = dir.empty();
  if (own_dir)
    dir = std::filesystem::temp_directory_path() /
          ("tt-recovery-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);

  auto now = system_clock_source{}.now();
  auto def = stadium(now);
  auto written = steady::now();
  if (!populate(dir, def, entities, queue_entries, now))
    return 1;
  std::printf("wrote %d entities and %d queue entries in %.0f ms\n", entities, queue_entries,
              ms_since(written));

  auto start = steady::now();
  auto store = open_store(dir, storage::sync_policy::batch);
  double opened_ms = ms_since(start);
  actors::recovery_summary summary;
  auto plan = actors::plan_recovery(*store, {}, now, summary);
  if (!plan) {
    std::fprintf(stderr, "recovery failed: %s\n", plan.error().message.c_str());
    return 1;
  }
  double read_ms = ms_since(start);

  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::tt>();
  caf::actor_system sys{cfg};
  auto runtime = std::make_shared<actors::runtime_config>();
  runtime->store = std::shared_ptr<storage::snapshot_store>(store.get(), [](auto*) {});
  auto region = actors::spawn_shard_region(sys, runtime);
  caf::scoped_actor self{sys};
  bool ok = true;
  self->request(region, caf::infinite, std::move(*plan))
      .receive([&](const actors::catalog_defined& c) { ok = c.kept.empty(); },
               [&](const caf::error&) { ok = false; });
  // The first answer comes after the event actor has rebuilt its seats and reservation actors.
  int32_t held = -1;
  self->request(region, caf::infinite, actors::status_query{def.id, {}})
      .receive([&](const actors::status_answer& a) { held = a.totals.held; },
               [&](const caf::error&) { ok = false; });
  // And the room's after its admission actor has rebuilt the line.
  uint64_t waiting = 0;
  self->request(region, caf::infinite, actors::queue_stats_query{def.id})
      .receive(
          [&](const actors::queue_stats_answer& a) {
            for (const auto& room : a.rooms)
              waiting += room.stats.waiting;
          },
          [&](const caf::error&) { ok = false; });
  double serving_ms = ms_since(start);
  caf::anon_send_exit(region, caf::exit_reason::user_shutdown);

  std::printf("recovered %zu events, %zu reservations (%zu live holds), %zu idempotency records, "
              "%zu queue entries\n",
              summary.events, summary.reservations, summary.live_holds, summary.idempotency_records,
              summary.queue_entries);
  std::printf("open %.0f ms, read %.0f ms, serving after %.0f ms (%d seats held, %llu waiting); "
              "target <= 5000 ms: %s\n",
              opened_ms, read_ms - opened_ms, serving_ms, held,
              static_cast<unsigned long long>(waiting), serving_ms <= 5000 ? "met" : "MISSED");
  sys.await_actors_before_shutdown(false);
  if (own_dir)
    std::filesystem::remove_all(dir);
  bool all_back = held == static_cast<int32_t>(summary.live_holds) &&
                  waiting == static_cast<uint64_t>(queue_entries);
  return ok && all_back ? 0 : 1;
}
