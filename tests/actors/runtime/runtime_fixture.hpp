#pragma once
/// A deterministic actor system for the reservation path's actors (shard_region, event_actor,
/// reservation_actor): CAF's test_coordinator runs every actor on the test's thread, one job at a
/// time, and its clock moves only when told, like the manual_clock the rules read. `advance`
/// moves both together, so a 60 s hold expires without a sleep and no test reads the wall clock.
///
/// CAF 0.17's own `test_coordinator_fixture` (caf/test/dsl.hpp) depends on CAF's unit-test
/// engine (`caf::test::engine::argc`, CAF_CHECK/CAF_FAIL), and its `run()` fires every pending
/// timeout regardless of its time, which never ends with the event actor's periodic sweep. This is
/// the small doctest equivalent: `run()` only consumes messages, time moves with `advance`.

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/shard_region.hpp"

namespace tt::actors::testing {

using namespace std::chrono_literals;

/// The manual clock's start; the test coordinator's clock starts one hour after its epoch.
inline const timestamp t0{1'700'000'000'000ms};

/// The fixture's reservation-token key (32 bytes, the shortest allowed).
inline const std::string test_queue_secret(32, 'k');

/// One request's outcome, filled by the client actor that asked.
template <class T>
struct answer {
  bool done = false;
  std::optional<T> value;
  caf::error error;

  bool ok() const { return done && value.has_value(); }
  /// The errc of a tt rejection; nullopt on success or for CAF's own errors.
  std::optional<errc> code() const {
    if (auto f = to_failure(error))
      return f->code;
    return std::nullopt;
  }
};

inline std::vector<seat_id> seats(std::initializer_list<const char*> ids) {
  std::vector<seat_id> out;
  for (const char* id : ids)
    out.emplace_back(id);
  return out;
}

/// "concert-1": section A (100,000 KRW) one row of four seats, section B (50,000 KRW) one row of
/// two. Capacity 6. The sale is open from an hour before t0 to a day after.
inline domain::event_definition concert(std::string id = "concert-1",
                                        std::string name = "Concert") {
  domain::event_definition def;
  def.id = event_id{std::move(id)};
  def.name = std::move(name);
  def.venue = "Hall";
  def.sale_starts_at = t0 - 1h;
  def.sale_ends_at = t0 + 24h;
  def.sections = {{"A", "Floor A", 100'000, {{"1", {"1", "2", "3", "4"}}}},
                  {"B", "Balcony", 50'000, {{"1", {"1", "2"}}}}};
  return def;
}

class runtime_fixture {
 public:
  /// `store` (may be null: memory only) is where the actors make their writes durable.
  /// `events` (may be null: nothing published) is where the actors publish their events.
  explicit runtime_fixture(unsafe_switches unsafe = {},
                           std::shared_ptr<storage::snapshot_store> store = nullptr,
                           std::chrono::milliseconds start = 0ms,
                           std::shared_ptr<event_publisher> events = nullptr)
      : clock(std::make_shared<manual_clock>(t0 + start)),
        config(make_config(clock, unsafe, std::move(store), std::move(events))), sys(init(cfg)),
        sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    // Actors here keep each other alive (event <-> reservation) and re-arm timers: the system
    // must not wait for them to finish when the fixture goes away.
    sys.await_actors_before_shutdown(false);
    sched.clock().current_time += 1h;
    region = spawn_shard_region(sys, config);
  }

  /// The coordinator's stop() runs every job and fires every timer regardless of its time, which
  /// never ends here: the event actors' sweep re-arms itself, and a reservation re-arms its
  /// expiry when the timer fires before its hold ends. So the fixture drops what is pending first.
  ~runtime_fixture() {
    region = shard_region{};
    for (;;) {
      sched.clock().cancel_all();
      if (sched.jobs.empty())
        break;
      auto* job = sched.jobs.front();
      sched.jobs.pop_front();
      intrusive_ptr_release(job); // the reference the job queue held
    }
  }

  runtime_fixture(const runtime_fixture&) = delete;
  runtime_fixture& operator=(const runtime_fixture&) = delete;

  /// Runs actors until no message is left; never fires a timer.
  size_t run() {
    size_t n = 0;
    while (sched.try_run_once())
      if (++n > 1'000'000)
        FAIL("the actors do not settle");
    return n;
  }

  /// Moves the rules' clock and CAF's clock forward together, then runs what became due.
  void advance(std::chrono::milliseconds d) {
    clock->advance(d);
    sched.advance_time(d);
    run();
  }

  /// Sends `msg` to `to` from a fresh client actor once the scheduler runs; the answer is filled
  /// when the reply arrives. Several sends before one `run()` reach the region in send order.
  template <class T, class Handle, class Message>
  std::shared_ptr<answer<T>> send(const Handle& to, Message msg) {
    auto out = std::make_shared<answer<T>>();
    sys.spawn([out, to, msg = std::move(msg)](caf::event_based_actor* self) {
      self->request(to, caf::infinite, msg)
          .then(
              [out](T& x) {
                out->done = true;
                out->value = std::move(x);
              },
              [out](caf::error& err) {
                out->done = true;
                out->error = std::move(err);
              });
    });
    return out;
  }

  /// Asks the region and runs until it answered.
  template <class T, class Message>
  answer<T> ask(Message msg) {
    auto out = send<T>(region, std::move(msg));
    run();
    REQUIRE_MESSAGE(out->done, "no reply");
    return *out;
  }

  // -- the reservation path's requests, as an adapter would send them ---------------------------
  // Built field by field, so a field added to a message later keeps its default here.

  static write_scope scope_of(const std::string& user, const std::string& key,
                              std::string canonical) {
    write_scope out;
    out.user = user_id{user};
    out.key = idempotency_key{key};
    out.canonical = std::move(canonical);
    return out;
  }

  static create_request create_of(const std::string& user, const std::string& key,
                                  std::vector<seat_id> ids, int32_t quantity = 0,
                                  const std::string& event = "concert-1",
                                  const std::string& section = {}) {
    std::string canonical = "create|" + event + "|" + section + "|" + std::to_string(quantity);
    for (const auto& id : ids)
      canonical += "|" + id();
    create_request out;
    out.event = event_id{event};
    out.scope = scope_of(user, key, std::move(canonical));
    out.seats = std::move(ids);
    out.quantity = quantity;
    out.section = section;
    return out;
  }

  static availability_query availability_of(std::vector<seat_id> ids, int32_t quantity = 0,
                                            const std::string& section = {},
                                            const std::string& event = "concert-1") {
    availability_query out;
    out.event = event_id{event};
    out.seats = std::move(ids);
    out.quantity = quantity;
    out.section = section;
    return out;
  }

  static status_query status_of(const std::string& event = "concert-1",
                                const std::string& section = {}) {
    status_query out;
    out.event = event_id{event};
    out.section = section;
    return out;
  }

  static list_query list_of(const std::string& user, int32_t page_size, std::string after = {},
                            domain::reservation_status status = {}, std::string event = {}) {
    list_query out;
    out.user = user_id{user};
    out.status = status;
    out.event = event_id{std::move(event)};
    out.after = std::move(after);
    out.page_size = page_size;
    return out;
  }

  answer<event_defined> define(domain::event_definition def) {
    return ask<event_defined>(define_event::fresh(std::move(def)));
  }

  answer<reservation_reply> create(const std::string& user, const std::string& key,
                                   std::vector<seat_id> ids) {
    return ask<reservation_reply>(create_of(user, key, std::move(ids)));
  }

  answer<reservation_reply> confirm(const reservation_id& id, const std::string& user,
                                    const std::string& key) {
    return ask<reservation_reply>(reservation_confirm{id, scope_of(user, key, "confirm|" + id()),
                                                      payment_intent_id{"pi_test"}});
  }

  answer<reservation_reply> cancel(const reservation_id& id, const std::string& user,
                                   const std::string& key) {
    return ask<reservation_reply>(
        reservation_cancel{id, scope_of(user, key, "cancel|" + id()), "by test"});
  }

  answer<reservation_reply> extend(const reservation_id& id, const std::string& user,
                                   const std::string& key, std::chrono::milliseconds extension) {
    return ask<reservation_reply>(reservation_extend{
        id, scope_of(user, key, "extend|" + id() + "|" + std::to_string(extension.count())),
        extension});
  }

  answer<reservation_reply> get(const reservation_id& id, const std::string& user) {
    return ask<reservation_reply>(reservation_get{id, user_id{user}});
  }

  status_answer status(const std::string& event = "concert-1") {
    auto a = ask<status_answer>(status_of(event));
    REQUIRE(a.ok());
    return *a.value;
  }

  std::shared_ptr<manual_clock> clock;
  std::shared_ptr<const runtime_config> config;
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  shard_region region;

 private:
  static std::shared_ptr<const runtime_config>
  make_config(std::shared_ptr<manual_clock> clock, unsafe_switches unsafe,
              std::shared_ptr<storage::snapshot_store> store,
              std::shared_ptr<event_publisher> events) {
    auto out = std::make_shared<runtime_config>();
    out->time = std::move(clock);
    out->unsafe = unsafe;
    out->store = std::move(store);
    out->events = std::move(events);
    out->queue.secret = test_queue_secret;
    return out;
  }

  static caf::actor_system_config& init(caf::actor_system_config& cfg) {
    cfg.add_message_types<caf::id_block::tt>();
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    cfg.set("logger.console", caf::atom("none"));
    return cfg;
  }
};

/// The same system with the single-actor guard switched off (negative control).
struct unsafe_runtime_fixture : runtime_fixture {
  unsafe_runtime_fixture() : runtime_fixture(unsafe_switches{true}) {}
};

} // namespace tt::actors::testing
