// Command line of tt_loadgen.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tt::load {

/// Everything one load run needs; defaults are those of `tt_loadgen --help`.
struct load_options {
  std::string target = "127.0.0.1:8080";
  std::string method;              ///< gRPC path, "/pkg.Service/Method"
  std::string request_json = "{}"; ///< template, see request_pool::build
  std::string request_file; ///< one template per line instead (request_pool::build_from_lines)
  std::vector<std::pair<std::string, std::string>> headers;
  int connections = 1;          ///< HTTP/2 connections (one channel each)
  int concurrency = 64;         ///< calls in flight over all connections
  int threads = 1;              ///< completion-queue polling threads
  double duration_s = 10;       ///< measured seconds, unless `requests` is set
  uint64_t requests = 0;        ///< measured calls; 0: run for `duration_s`
  double warmup_s = 0;          ///< unmeasured seconds before the measurement
  double rate = 0;              ///< open-loop target calls/s; 0: closed loop
  double timeout_s = 10;        ///< deadline of each call
  double connect_timeout_s = 5; ///< how long to wait for every connection before giving up
  size_t pool = 10000;          ///< distinct requests pre-built from a varying template
  uint64_t seed = 1;            ///< for {rand%K} and {uuid}
  bool echo = false;            ///< target is tt_echo_server: check replies mirror requests
  bool json = false;            ///< print one JSON object instead of the human line
};

/// What the command line asked for: options to run, or the help text to print.
struct parsed_command {
  load_options options;
  bool help = false;
};

/// Parses `--flag value` / `--flag=value` arguments; an error message names the bad flag.
std::variant<parsed_command, std::string> parse_command_line(const std::vector<std::string>& args);

/// The `--help` text.
const char* usage();

} // namespace tt::load
