// requester_pool: every job runs on one of the pool's actors and gets its request's answer (or
// the error of a dead callee); jobs are spread over all of the actors; the actors stop with the
// pool, so the actor system can shut down behind it.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <caf/all.hpp>

#include "adapters/grpc/requester_pool.hpp"
#include "tests/support/eventually.hpp"

using tt::adapters::rpc::requester_pool;
using namespace std::chrono_literals;
using tt::tests::eventually;

namespace {

caf::behavior add_one() {
  return {[](int x) {
    return x + 1;
  }};
}

} // namespace

TEST_CASE("every job's request is answered, and the jobs use every actor of the pool") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto callee = sys.spawn(add_one);
  constexpr int jobs = 1000;
  std::atomic<int> answered{0};
  std::atomic<long> sum{0};
  std::mutex mutex;
  std::set<caf::actor_addr> requesters;
  {
    requester_pool pool{sys, 8};
    for (int i = 0; i < jobs; ++i)
      pool.submit({[&, i](caf::event_based_actor* self) {
        {
          std::lock_guard lock{mutex};
          requesters.insert(self->address());
        }
        self->request(callee, caf::infinite, i).then([&](int r) {
          sum += r;
          ++answered;
        });
      }});
    REQUIRE(eventually([&] { return answered == jobs; }));
  }
  CHECK(sum == static_cast<long>(jobs) * (jobs + 1) / 2);
  CHECK(requesters.size() == 8);
  caf::anon_send_exit(callee, caf::exit_reason::user_shutdown);
  // Only the system's own actors are left once the pool is gone.
  CHECK(eventually([&] { return sys.registry().running() == 0; }));
}

TEST_CASE("a request to an actor that died gets an error, not silence") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto callee = sys.spawn(add_one);
  caf::anon_send_exit(callee, caf::exit_reason::kill);
  REQUIRE(eventually([&] { return sys.registry().running() == 0; }));
  std::atomic<bool> failed{false};
  requester_pool pool{sys, 2};
  pool.submit({[&](caf::event_based_actor* self) {
    self->request(callee, caf::infinite, 1).then([](int) {}, [&](caf::error&) { failed = true; });
  }});
  CHECK(eventually([&] { return failed.load(); }));
}

TEST_CASE("the pool's actors stop with it, even while their requests are unanswered") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  // Keeps every request's promise without answering: the request keeps its requester alive.
  auto kept = std::make_shared<std::vector<caf::response_promise>>();
  auto silent = sys.spawn([kept](caf::event_based_actor* self) -> caf::behavior {
    return {[=](int) {
      kept->push_back(self->make_response_promise());
      return kept->back();
    }};
  });
  std::atomic<int> asked{0};
  {
    requester_pool pool{sys, 4};
    for (int i = 0; i < 4; ++i)
      pool.submit({[&, i](caf::event_based_actor* self) {
        self->request(silent, caf::infinite, i).then([](int) {});
        ++asked;
      }});
    REQUIRE(eventually([&] { return asked == 4; }));
    CHECK(sys.registry().running() == 5);
  }
  CHECK(eventually([&] { return sys.registry().running() == 1; })); // the silent actor
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}
