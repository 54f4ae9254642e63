#include "scenarios/load/options.hpp"

#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>

namespace tt::load {

namespace {

double to_double(const std::string& flag, const std::string& v, double min) {
  size_t used = 0;
  double d = 0;
  try {
    d = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || !std::isfinite(d) || d < min)
    throw std::invalid_argument(flag + " needs a number >= " + std::to_string(min) + ", got '" + v +
                                "'");
  return d;
}

uint64_t to_count(const std::string& flag, const std::string& v, uint64_t min) {
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos ||
      std::stoull(v) < min)
    throw std::invalid_argument(flag + " needs a whole number >= " + std::to_string(min) +
                                ", got '" + v + "'");
  return std::stoull(v);
}

using setter = std::function<void(load_options&, const std::string& flag, const std::string&)>;

const std::map<std::string, setter>& valued_flags() {
  static const std::map<std::string, setter> flags{
      {"--target",
       [](auto& o, auto&, auto& v) {
         o.target = v;
       }},
      {"--method",
       [](auto& o, auto&, auto& v) {
         o.method = v;
       }},
      {"--request-json",
       [](auto& o, auto&, auto& v) {
         o.request_json = v;
       }},
      {"--header",
       [](auto& o, auto& f, auto& v) {
         auto colon = v.find(':');
         if (colon == 0 || colon == std::string::npos)
           throw std::invalid_argument(f + " needs key:value, got '" + v + "'");
         o.headers.emplace_back(v.substr(0, colon), v.substr(colon + 1));
       }},
      {"--connections",
       [](auto& o, auto& f, auto& v) {
         o.connections = static_cast<int>(to_count(f, v, 1));
       }},
      {"--concurrency",
       [](auto& o, auto& f, auto& v) {
         o.concurrency = static_cast<int>(to_count(f, v, 1));
       }},
      {"--threads",
       [](auto& o, auto& f, auto& v) {
         o.threads = static_cast<int>(to_count(f, v, 1));
       }},
      {"--duration",
       [](auto& o, auto& f, auto& v) {
         o.duration_s = to_double(f, v, 0.001);
       }},
      {"--requests",
       [](auto& o, auto& f, auto& v) {
         o.requests = to_count(f, v, 1);
       }},
      {"--warmup",
       [](auto& o, auto& f, auto& v) {
         o.warmup_s = to_double(f, v, 0);
       }},
      {"--rate",
       [](auto& o, auto& f, auto& v) {
         o.rate = to_double(f, v, 0);
       }},
      {"--timeout",
       [](auto& o, auto& f, auto& v) {
         o.timeout_s = to_double(f, v, 0.001);
       }},
      {"--connect-timeout",
       [](auto& o, auto& f, auto& v) {
         o.connect_timeout_s = to_double(f, v, 0.001);
       }},
      {"--pool",
       [](auto& o, auto& f, auto& v) {
         o.pool = to_count(f, v, 1);
       }},
      {"--seed",
       [](auto& o, auto& f, auto& v) {
         o.seed = to_count(f, v, 0);
       }},
  };
  return flags;
}

} // namespace

std::variant<parsed_command, std::string> parse_command_line(const std::vector<std::string>& args) {
  parsed_command out;
  try {
    for (size_t i = 0; i < args.size(); ++i) {
      std::string flag = args[i];
      std::string value;
      bool inline_value = false;
      if (auto eq = flag.find('='); eq != std::string::npos && flag.rfind("--", 0) == 0) {
        value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
        inline_value = true;
      }
      if (flag == "--help" || flag == "-h") {
        out.help = true;
      } else if (flag == "--echo" || flag == "--json") {
        (flag == "--echo" ? out.options.echo : out.options.json) = true;
      } else if (auto it = valued_flags().find(flag); it != valued_flags().end()) {
        if (!inline_value) {
          if (i + 1 == args.size())
            return flag + " needs a value";
          value = args[++i];
        }
        it->second(out.options, flag, value);
      } else {
        return "unknown argument '" + args[i] + "' (see --help)";
      }
    }
  } catch (const std::invalid_argument& e) {
    return std::string{e.what()};
  }
  if (!out.help && out.options.method.empty())
    return "--method is required (see --help)";
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
