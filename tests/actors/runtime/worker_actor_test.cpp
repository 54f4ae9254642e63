// worker_actor on the deterministic scheduler, with the real region and event behind it: jobs
// wait for their due time under one timer, at most max_running effects are asked at once (the
// rest wait their turn and still all finish), a redelivered event id is answered without a
// second effect, and a tracked job's outcome reaches its sink.
#include <doctest/doctest.h>

#include <map>

#include "actors/runtime/worker_actor.hpp"
#include "tests/actors/runtime/runtime_fixture.hpp"

using namespace tt;
using namespace tt::actors;
using namespace tt::actors::testing;

namespace {

/// Records what the worker reported, by ticket.
struct recording_sink : job_sink {
  std::map<uint64_t, std::optional<std::string>> outcomes;
  void finished(uint64_t ticket, std::optional<std::string> error) override {
    outcomes.emplace(ticket, std::move(error));
  }
};

struct worker_fixture : runtime_fixture {
  explicit worker_fixture(size_t max_running = 256) {
    REQUIRE(define(concert()).ok());
    worker_options options;
    options.max_running = max_running;
    worker = spawn_worker(sys, region, config, options);
  }

  /// A hold of one seat for `user`; its id.
  reservation_id hold(const std::string& user, const char* seat) {
    auto a = create(user, "k-" + user, seats({seat}));
    REQUIRE_MESSAGE(a.ok(), caf::to_string(a.error));
    return a.value->reservation.id;
  }

  /// Hands the worker a release of `id` (an operator's compensation: it needs no lapsed
  /// deadline), due `after` from now, under Kafka event id `event_id`.
  void track(uint64_t ticket, const std::string& event_id, const reservation_id& id,
             std::chrono::milliseconds after = 0ms) {
    worker_job job;
    job.event_id = event_id;
    job.effect.kind = effect_kind::release_hold;
    job.effect.reservation = id;
    job.due = clock->now() + after;
    caf::anon_send(worker, tracked_job{ticket, job, sink});
  }

  domain::reservation_status status_of(const reservation_id& id, const std::string& user) {
    auto a = get(id, user);
    REQUIRE(a.ok());
    return a.value->reservation.status;
  }

  worker_stats stats() {
    auto a = send<worker_stats>(worker, worker_stats_query{});
    run();
    REQUIRE(a->ok());
    return *a->value;
  }

  std::shared_ptr<recording_sink> sink = std::make_shared<recording_sink>();
  worker_actor worker;
};

struct one_at_a_time : worker_fixture {
  one_at_a_time() : worker_fixture(1) {}
};

} // namespace

TEST_CASE_FIXTURE(worker_fixture, "jobs wait for their due time, earliest first, under one timer") {
  auto a = hold("u1", "A-1-1"), b = hold("u2", "A-1-2"), c = hold("u3", "A-1-3");
  // Handed out of order: each earlier one must move the single timer forward.
  track(1, "ev-a", a, 30s);
  track(2, "ev-b", b, 10s);
  track(3, "ev-c", c, 20s);
  run();
  CHECK(sink->outcomes.empty());
  CHECK(stats().waiting == 3);

  advance(10s);
  CHECK(sink->outcomes.size() == 1);
  CHECK(sink->outcomes.count(2) == 1);
  CHECK(status_of(b, "u2") == domain::reservation_status::cancelled);
  CHECK(status_of(a, "u1") == domain::reservation_status::hold);

  advance(10s);
  CHECK(sink->outcomes.count(3) == 1);
  CHECK(status_of(a, "u1") == domain::reservation_status::hold);

  advance(10s);
  REQUIRE(sink->outcomes.size() == 3);
  for (const auto& [ticket, error] : sink->outcomes)
    CHECK_MESSAGE(!error, "ticket " << ticket << ": " << error.value_or(""));
  CHECK(status_of(a, "u1") == domain::reservation_status::cancelled);
  auto s = stats();
  CHECK(s.applied == 3);
  CHECK(s.waiting == 0);
  CHECK(s.in_flight == 0);
}

TEST_CASE_FIXTURE(one_at_a_time, "due jobs beyond max_running wait their turn and all finish") {
  auto a = hold("u1", "A-1-1"), b = hold("u2", "A-1-2"), c = hold("u3", "A-1-3");
  track(1, "ev-a", a);
  track(2, "ev-b", b);
  track(3, "ev-c", c);
  run();
  REQUIRE(sink->outcomes.size() == 3);
  for (const auto& [id, user] : {std::pair{a, "u1"}, {b, "u2"}, {c, "u3"}})
    CHECK(status_of(id, user) == domain::reservation_status::cancelled);
  auto s = stats();
  CHECK(s.applied == 3);
  CHECK(s.waiting == 0);
  CHECK(s.in_flight == 0);
}

TEST_CASE_FIXTURE(worker_fixture, "a redelivered event id is answered without a second effect") {
  auto a = hold("u1", "A-1-1");
  track(1, "ev-a", a);
  track(2, "ev-a", a); // the same Kafka event, delivered again while the first runs
  run();
  track(3, "ev-a", a); // and once more after it was applied
  run();
  REQUIRE(sink->outcomes.size() == 3);
  auto s = stats();
  CHECK(s.processed == 1);
  CHECK(s.applied == 1);
  CHECK(s.duplicates == 2);
}

TEST_CASE_FIXTURE(worker_fixture, "an effect that fails reaches the sink as an error") {
  track(1, "ev-x", reservation_id{"r-no-such-reservation"});
  run();
  REQUIRE(sink->outcomes.size() == 1);
  CHECK(sink->outcomes.at(1).has_value());
  auto s = stats();
  CHECK(s.failed == 1);
  CHECK(s.in_flight == 0);
}
