// Command line of tt_flowgen.

#pragma once

#include <string>
#include <variant>
#include <vector>

namespace tt::load {

/// Everything one flow run needs; defaults are those of `tt_flowgen --help`.
struct flow_options {
  std::string target = "127.0.0.1:8080";
  std::string event; ///< an event with a waiting room
  /// User ids are <prefix>-<worker>-<user>-<flow number>; empty: "fu" and the start time in
  /// seconds, so runs against one node never share a user (joins and writes are idempotent).
  std::string user_prefix;
  int users = 64;         ///< virtual users, each running one flow at a time
  int connections = 2;    ///< HTTP/2 connections (one channel each)
  int threads = 1;        ///< completion-queue polling threads
  double duration_s = 10; ///< no flow starts later than this after the warm-up
  double warmup_s = 0;    ///< flows started earlier are run but not measured
  double timeout_s = 10;  ///< deadline of each call
  double connect_timeout_s = 5;
  double poll_min_s = 0.01; ///< a waiting user polls after ETA - 1 s, within [min, max]
  double poll_max_s = 1.0;
  double admission_timeout_s = 30; ///< a flow still waiting this long after its join fails
  double confirm_poll_s = 0.01;    ///< GetReservation interval while the payment settles
  double confirm_timeout_s = 30;
  bool json = false;
};

/// What the command line asked for: options to run, or the help text to print.
struct parsed_flow_command {
  flow_options options;
  bool help = false;
};

/// Parses the flags of `usage()`; an error message names the bad flag.
std::variant<parsed_flow_command, std::string>
parse_flow_command_line(const std::vector<std::string>& args);

/// The `--help` text.
const char* flow_usage();

} // namespace tt::load
