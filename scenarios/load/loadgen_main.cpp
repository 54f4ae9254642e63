// tt_loadgen: drives one unary contract method over the async gRPC client API and prints req/s
// and latency percentiles (see options.cpp for the flags).

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "scenarios/load/load_run.hpp"
#include "scenarios/load/options.hpp"
#include "scenarios/load/process_setup.hpp"
#include "scenarios/load/report.hpp"
#include "scenarios/load/request_pool.hpp"

namespace {

/// The lines of `path` that are not blank, or an error message.
std::variant<std::vector<std::string>, std::string> read_lines(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return "cannot read " + path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos)
      lines.push_back(line);
  if (in.bad())
    return "error reading " + path;
  return lines;
}

/// The requests of the run: the request file's lines, or the --request-json template expanded.
std::variant<tt::load::request_pool, std::string>
build_requests(const tt::load::load_options& options, const std::string& input_type) {
  if (!options.request_file.empty()) {
    auto lines = read_lines(options.request_file);
    if (auto* err = std::get_if<std::string>(&lines))
      return *err;
    return tt::load::request_pool::build_from_lines(
        input_type, std::get<std::vector<std::string>>(lines), options.seed);
  }
  // A run of N requests never needs more than N distinct ones.
  auto pool_size =
      options.requests > 0 && options.requests < options.pool ? options.requests : options.pool;
  return tt::load::request_pool::build(input_type, options.request_json, pool_size, options.seed);
}

} // namespace

int main(int argc, char** argv) {
  tt::load::quiet_abseil_mutexes();
  auto parsed = tt::load::parse_command_line({argv + 1, argv + argc});
  if (auto* err = std::get_if<std::string>(&parsed)) {
    std::fprintf(stderr, "tt_loadgen: %s\n", err->c_str());
    return 2;
  }
  const auto& command = std::get<tt::load::parsed_command>(parsed);
  if (command.help) {
    std::fputs(tt::load::usage(), stdout);
    return 0;
  }
  const auto& options = command.options;

  auto method = tt::load::find_method(options.method);
  if (auto* err = std::get_if<std::string>(&method)) {
    std::fprintf(stderr, "tt_loadgen: %s\n", err->c_str());
    return 2;
  }
  auto pool = build_requests(options, std::get<tt::load::method_info>(method).input_type);
  if (auto* err = std::get_if<std::string>(&pool)) {
    std::fprintf(stderr, "tt_loadgen: %s\n", err->c_str());
    return 2;
  }
  const auto& requests = std::get<tt::load::request_pool>(pool);

  auto ran = tt::load::run_load(options, requests);
  if (auto* err = std::get_if<std::string>(&ran)) {
    std::fprintf(stderr, "tt_loadgen: %s\n", err->c_str());
    return 3;
  }
  const auto& result = std::get<tt::load::load_result>(ran);
  auto line = tt::load::human_line(options, result);
  if (options.json) {
    std::fprintf(stderr, "%s\n", line.c_str());
    std::printf("%s\n", tt::load::json_report(options, requests.mean_bytes(), result).c_str());
  } else {
    std::printf("%s\n", line.c_str());
  }
  return 0;
}
