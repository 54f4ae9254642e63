#include "adapters/node/shutdown_watchdog.hpp"

#include <cstdlib>
#include <thread>

#include <spdlog/spdlog.h>

namespace tt::node {

void end_process_after(std::chrono::milliseconds limit, int status) {
  std::thread{[limit, status] {
    std::this_thread::sleep_for(limit);
    spdlog::warn("shutdown: the actors did not stop within {} ms (CAF's clock is stuck); ending "
                 "the process: every acknowledged write is durable",
                 limit.count());
    spdlog::shutdown();
    std::_Exit(status);
  }}.detach();
}

} // namespace tt::node
