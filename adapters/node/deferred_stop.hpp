#pragma once
/// The composition root's start/stop pairing (Scylla's `defer_verbose_shutdown`): main.cpp
/// follows every component it starts at once with the guard `defer_stop` returns, so whichever way
/// `run` ends (a shutdown signal, a start-up failure halfway, an exception) the components stop
/// in reverse start order, each exactly once, and the log shows which one a hung stop is waiting
/// for. The guard is an absl::Cleanup: move-only, its action runs once, a moved-from guard does
/// nothing. Stop actions must not throw (they run in a destructor, so a throw terminates).

#include <string>
#include <utility>

#include <absl/cleanup/cleanup.h>
#include <spdlog/spdlog.h>

namespace tt::node {

/// Logs that `component` started and returns the guard that stops it: when the guard goes out of
/// scope it logs "shutdown: stopping <component>", calls `stop`, then logs
/// "shutdown: <component> stopped".
template <class Stop>
[[nodiscard]] auto defer_stop(std::string component, Stop stop) {
  spdlog::info("start: {} started", component);
  return absl::MakeCleanup([component = std::move(component), stop = std::move(stop)]() mutable {
    spdlog::info("shutdown: stopping {}", component);
    stop();
    spdlog::info("shutdown: {} stopped", component);
  });
}

} // namespace tt::node
