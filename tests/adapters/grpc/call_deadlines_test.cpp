// call_deadlines on a manual clock: a budget expires once, when the clock reaches its deadline and
// not a millisecond before, unless answered first; budgets expire in deadline order, and one added
// later but due earlier wakes the thread that sleeps towards the others.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <vector>

#include "adapters/grpc/call_deadlines.hpp"
#include "tests/support/eventually.hpp"

using tt::adapters::rpc::call_deadlines;
using namespace std::chrono_literals;

namespace {

struct deadlines_fixture {
  std::shared_ptr<tt::manual_clock> clock =
      std::make_shared<tt::manual_clock>(tt::timestamp{1'700'000'000'000ms});
  call_deadlines deadlines{clock};

  /// Moves the clock, then returns once the deadlines' thread has run what is due.
  void advance(std::chrono::milliseconds d) {
    clock->advance(d);
    deadlines.expire_due();
  }
};

} // namespace

TEST_CASE_FIXTURE(deadlines_fixture, "an unanswered budget expires once, not before its deadline") {
  std::atomic<int> expired{0};
  deadlines.watch(50ms, [&] { ++expired; });
  CHECK(deadlines.watched() == 1);
  advance(49ms);
  CHECK(expired == 0);
  advance(1ms);
  CHECK(expired == 1);
  CHECK(deadlines.watched() == 0);
  advance(1h);
  CHECK(expired == 1);
}

TEST_CASE_FIXTURE(deadlines_fixture, "a budget is rounded up to the clock's milliseconds") {
  std::atomic<int> expired{0};
  deadlines.watch(1500us, [&] { ++expired; });
  advance(1ms);
  CHECK(expired == 0);
  advance(1ms);
  CHECK(expired == 1);
}

TEST_CASE_FIXTURE(deadlines_fixture, "an answered budget never expires") {
  std::atomic<int> expired{0};
  auto ticket = deadlines.watch(30ms, [&] { ++expired; });
  deadlines.answered(ticket);
  CHECK(deadlines.watched() == 0);
  advance(1h);
  CHECK(expired == 0);
  deadlines.answered(ticket); // twice, or after expiry: harmless
}

TEST_CASE_FIXTURE(deadlines_fixture, "budgets expire in deadline order, each when it is due") {
  // Written by the deadlines' thread, read here after expire_due (which orders the two).
  std::vector<int> expired;
  for (int ms : {30, 10, 20})
    deadlines.watch(std::chrono::milliseconds{ms}, [&expired, ms] { expired.push_back(ms); });
  advance(20ms);
  CHECK(expired == std::vector<int>{10, 20});
  advance(10ms);
  CHECK(expired == std::vector<int>{10, 20, 30});
}

TEST_CASE_FIXTURE(deadlines_fixture, "a budget due earlier than those before it wakes the thread") {
  std::atomic<int> late{0}, early{0};
  deadlines.watch(10s, [&] { ++late; });
  deadlines.expire_due(); // the thread now sleeps towards the 10 s deadline, in real time
  deadlines.watch(20ms, [&] { ++early; });
  clock->advance(20ms);
  // No expire_due: only the wake-up by watch gets the thread there within eventually's 2 s.
  REQUIRE(tt::tests::eventually([&] { return early == 1; }));
  CHECK(late == 0);
  CHECK(deadlines.watched() == 1); // the late one, dropped unexpired when `deadlines` goes
}
