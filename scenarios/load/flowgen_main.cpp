// tt_flowgen: whole waiting-room-to-confirmation flows against a node (see flow_options.cpp for
// the flags), reported as flows/s and whole-flow latency percentiles.

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "scenarios/load/flow_options.hpp"
#include "scenarios/load/flow_report.hpp"
#include "scenarios/load/flow_run.hpp"
#include "scenarios/load/process_setup.hpp"

int main(int argc, char** argv) {
  tt::load::quiet_abseil_mutexes();
  auto parsed = tt::load::parse_flow_command_line({argv + 1, argv + argc});
  if (auto* err = std::get_if<std::string>(&parsed)) {
    std::fprintf(stderr, "tt_flowgen: %s\n", err->c_str());
    return 2;
  }
  auto command = std::get<tt::load::parsed_flow_command>(parsed);
  if (command.help) {
    std::fputs(tt::load::flow_usage(), stdout);
    return 0;
  }
  auto& options = command.options;
  if (options.user_prefix.empty())
    options.user_prefix =
        "fu" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());

  auto ran = tt::load::run_flows(options);
  if (auto* err = std::get_if<std::string>(&ran)) {
    std::fprintf(stderr, "tt_flowgen: %s\n", err->c_str());
    return 3;
  }
  const auto& result = std::get<tt::load::flow_result>(ran);
  auto line = tt::load::flow_human_line(options, result);
  if (options.json) {
    std::fprintf(stderr, "%s\n", line.c_str());
    std::printf("%s\n", tt::load::flow_json_report(options, result).c_str());
  } else {
    std::printf("%s\n", line.c_str());
  }
  return 0;
}
