#include <doctest/doctest.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <spdlog/sinks/ostream_sink.h>

#include "adapters/node/deferred_stop.hpp"

using tt::node::defer_stop;

namespace {

/// Makes the default logger write bare messages into a string for the test's lifetime.
class captured_log {
 public:
  captured_log() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    logger->set_pattern("%v");
    spdlog::set_default_logger(std::move(logger));
  }
  ~captured_log() { spdlog::set_default_logger(previous_); }

  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in{out_.str()};
    for (std::string line; std::getline(in, line);)
      out.push_back(line);
    return out;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

void do_nothing() {}
using guard = decltype(defer_stop("x", do_nothing));

} // namespace

TEST_CASE("a deferred stop runs its action once, when its scope ends") {
  int stops = 0;
  {
    auto stop = defer_stop("store", [&stops] { ++stops; });
    CHECK(stops == 0);
  }
  CHECK(stops == 1);
}

TEST_CASE("a deferred stop is move-only, and a moved guard stops once, from its new owner") {
  static_assert(!std::is_copy_constructible_v<guard>);
  static_assert(!std::is_copy_assignable_v<guard>);
  static_assert(std::is_move_constructible_v<guard>);
  int stops = 0;
  {
    auto first = defer_stop("store", [&stops] { ++stops; });
    {
      auto second = std::move(first);
      CHECK(stops == 0);
    }
    CHECK(stops == 1); // the new owner stopped it
  }
  CHECK(stops == 1); // the moved-from guard did nothing
}

TEST_CASE("guards stop in reverse start order, also when an exception leaves their scope") {
  std::vector<std::string> stopped;
  auto start_three_fail_at_third = [&stopped] {
    auto a = defer_stop("a", [&stopped] { stopped.push_back("a"); });
    auto b = defer_stop("b", [&stopped] { stopped.push_back("b"); });
    throw std::runtime_error("c cannot start");
  };
  CHECK_THROWS_AS(start_three_fail_at_third(), std::runtime_error);
  CHECK(stopped == std::vector<std::string>{"b", "a"});
}

TEST_CASE("the log names the component as it starts, as its stop begins and once it is done") {
  captured_log log;
  std::vector<std::string> seen_during_stop;
  {
    auto stop = defer_stop("worker consumer",
                           [&log, &seen_during_stop] { seen_during_stop = log.lines(); });
    CHECK(log.lines() == std::vector<std::string>{"start: worker consumer started"});
  }
  CHECK(seen_during_stop == std::vector<std::string>{"start: worker consumer started",
                                                     "shutdown: stopping worker consumer"});
  CHECK(log.lines() == std::vector<std::string>{"start: worker consumer started",
                                                "shutdown: stopping worker consumer",
                                                "shutdown: worker consumer stopped"});
}
