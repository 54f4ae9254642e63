#include "scenarios/load/options.hpp"

#include "scenarios/load/flag_parsing.hpp"

namespace tt::load {

namespace {

const flag_table<load_options>& flags() {
  using o = load_options;
  static const flag_table<load_options> table{
      {
          {"--target", text_flag(&o::target)},
          {"--method", text_flag(&o::method)},
          {"--request-json", text_flag(&o::request_json)},
          {"--request-file", text_flag(&o::request_file)},
          {"--header",
           [](auto& opts, auto& f, auto& v) {
             auto colon = v.find(':');
             if (colon == 0 || colon == std::string::npos)
               throw std::invalid_argument(f + " needs key:value, got '" + v + "'");
             opts.headers.emplace_back(v.substr(0, colon), v.substr(colon + 1));
           }},
          {"--connections", count_flag(&o::connections, 1)},
          {"--concurrency", count_flag(&o::concurrency, 1)},
          {"--threads", count_flag(&o::threads, 1)},
          {"--duration", number_flag(&o::duration_s, 0.001)},
          {"--requests", count_flag(&o::requests, 1)},
          {"--warmup", number_flag(&o::warmup_s, 0)},
          {"--rate", number_flag(&o::rate, 0)},
          {"--timeout", number_flag(&o::timeout_s, 0.001)},
          {"--connect-timeout", number_flag(&o::connect_timeout_s, 0.001)},
          {"--pool", count_flag(&o::pool, 1)},
          {"--seed", count_flag(&o::seed, 0)},
      },
      {{"--echo", &load_options::echo}, {"--json", &load_options::json}}};
  return table;
}

} // namespace

std::variant<parsed_command, std::string> parse_command_line(const std::vector<std::string>& args) {
  parsed_command out;
  if (auto error = parse_flags(args, flags(), out.options, out.help))
    return *error;
  if (!out.help && out.options.method.empty())
    return "--method is required (see --help)";
  if (!out.options.request_file.empty() && out.options.request_json != load_options{}.request_json)
    return "--request-json and --request-file exclude each other";
  return out;
}

const char* usage() {
  return R"(tt_loadgen: unary gRPC load generator (async client API, generic stub, any contract method)

  --target HOST:PORT      server to load (default 127.0.0.1:8080)
  --method /pkg.Svc/M     contract method; the request type comes from the descriptor pool
  --request-json JSON     request in the protobuf JSON mapping (default {}), a template:
                            {n} request number, {n%K} its remainder, {rand%K} random below K,
                            {uuid} random UUID. Requests are pre-built into a pool (--pool),
                            request number i uses entry i mod pool size
  --request-file PATH     one request template per line instead (blank lines skipped), each
                            expanded once with {n} = its entry number; the pool is the file
                            (--pool does not apply), e.g. GetQueueStatus requests carrying the
                            waiting tokens of users a setup pass queued
  --header KEY:VALUE      metadata on every call (repeatable)
  --connections N         HTTP/2 connections (default 1)
  --concurrency N         calls in flight over all connections (default 64)
  --threads N             completion-queue polling threads (default 1)
  --duration S            measured seconds (default 10)
  --requests N            measure exactly N calls instead of a duration
  --warmup S              unmeasured seconds first (default 0)
  --rate R                open loop: start R calls/s (latency counts from the scheduled start),
                          at most --concurrency in flight; default closed loop
  --timeout S             deadline of each call (default 10)
  --connect-timeout S     give up (exit 3) if a connection is not ready by then (default 5)
  --pool N                distinct requests built from a varying template (default 10000)
  --seed N                seed for {rand%K} and {uuid} (default 1)
  --echo                  the target is tt_echo_server: also count replies that differ in size
  --json                  print one JSON object on stdout (the human line goes to stderr)

Exit: 0 after a run (errors are counted, not fatal), 2 bad arguments, 3 target unreachable.
)";
}

} // namespace tt::load
