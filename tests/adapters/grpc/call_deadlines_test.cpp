// call_deadlines: a budget expires once, at (not before) its deadline, unless answered first; a
// budget added later but due earlier is not held up by the ones before it.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "adapters/grpc/call_deadlines.hpp"
#include "tests/support/eventually.hpp"

using tt::adapters::rpc::call_deadlines;
using namespace std::chrono_literals;
using tt::tests::eventually;

TEST_CASE("an unanswered budget expires once, not before its deadline") {
  call_deadlines deadlines;
  std::atomic<int> expired{0};
  auto start = call_deadlines::clock_type::now();
  std::atomic<int64_t> after_ms{-1};
  deadlines.watch(start + 50ms, [&] {
    after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   call_deadlines::clock_type::now() - start)
                   .count();
    ++expired;
  });
  CHECK(deadlines.watched() == 1);
  REQUIRE(eventually([&] { return expired == 1; }));
  CHECK(after_ms >= 50);
  std::this_thread::sleep_for(50ms);
  CHECK(expired == 1);
  CHECK(deadlines.watched() == 0);
}

TEST_CASE("an answered budget never expires") {
  call_deadlines deadlines;
  std::atomic<int> expired{0};
  auto ticket = deadlines.watch(call_deadlines::clock_type::now() + 30ms, [&] { ++expired; });
  deadlines.answered(ticket);
  CHECK(deadlines.watched() == 0);
  std::this_thread::sleep_for(100ms);
  CHECK(expired == 0);
  deadlines.answered(ticket); // twice, or after expiry: harmless
}

TEST_CASE("a budget due earlier than those before it expires first") {
  call_deadlines deadlines;
  std::atomic<int> late{0}, early{0};
  deadlines.watch(call_deadlines::clock_type::now() + 10s, [&] { ++late; });
  deadlines.watch(call_deadlines::clock_type::now() + 20ms, [&] { ++early; });
  REQUIRE(eventually([&] { return early == 1; }));
  CHECK(late == 0);
  CHECK(deadlines.watched() == 1); // the late one, dropped unexpired when `deadlines` goes
}
