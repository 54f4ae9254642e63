#include "scenarios/load/flow_options.hpp"

#include "scenarios/load/flag_parsing.hpp"

namespace tt::load {

namespace {

const flag_table<flow_options>& flags() {
  using o = flow_options;
  static const flag_table<flow_options> table{
      {
          {"--target", text_flag(&o::target)},
          {"--event", text_flag(&o::event)},
          {"--user-prefix", text_flag(&o::user_prefix)},
          {"--users", count_flag(&o::users, 1)},
          {"--connections", count_flag(&o::connections, 1)},
          {"--threads", count_flag(&o::threads, 1)},
          {"--duration", number_flag(&o::duration_s, 0.001)},
          {"--warmup", number_flag(&o::warmup_s, 0)},
          {"--timeout", number_flag(&o::timeout_s, 0.001)},
          {"--connect-timeout", number_flag(&o::connect_timeout_s, 0.001)},
          {"--poll-min", number_flag(&o::poll_min_s, 0.001)},
          {"--poll-max", number_flag(&o::poll_max_s, 0.001)},
          {"--admission-timeout", number_flag(&o::admission_timeout_s, 0.001)},
          {"--confirm-poll", number_flag(&o::confirm_poll_s, 0.001)},
          {"--confirm-timeout", number_flag(&o::confirm_timeout_s, 0.001)},
      },
      {{"--json", &flow_options::json}}};
  return table;
}

} // namespace

std::variant<parsed_flow_command, std::string>
parse_flow_command_line(const std::vector<std::string>& args) {
  parsed_flow_command out;
  if (auto error = parse_flags(args, flags(), out.options, out.help))
    return *error;
  if (!out.help && out.options.event.empty())
    return "--event is required (see --help)";
  if (out.options.poll_max_s < out.options.poll_min_s)
    return "--poll-max must not be below --poll-min";
  return out;
}

const char* flow_usage() {
  return R"(tt_flowgen: whole ticket-buying flows over the async gRPC client API, closed loop

Each virtual user runs one flow after another, a fresh user id each time:
  JoinQueue -> GetQueueStatus until admission_ready (next poll after the ETA less the second
  it is rounded up by, within --poll-min/--poll-max) -> RequestAdmission -> CreateReservation (one seat, with the
  reservation token) -> CreatePaymentIntent (APPROVE, the hold's total) -> ProcessPayment ->
  GetReservation every --confirm-poll until CONFIRMED.
A flow's latency runs from its JoinQueue to the reply that shows it confirmed; a failed call
(or a status other than CONFIRMED) ends the flow as failed, counted by step and status code.

  --target HOST:PORT      node to load (default 127.0.0.1:8080)
  --event ID              event with a waiting room (required)
  --user-prefix P         user ids <P>-<worker>-<user>-<flow> (default fu<unix time>: runs
                          against one node must not share users, joins and writes are idempotent)
  --users N               virtual users (default 64): at most N calls in flight
  --connections N         HTTP/2 connections (default 2)
  --threads N             completion-queue polling threads (default 1)
  --duration S            flows start for S seconds after the warm-up (default 10); the run
                          then waits for the flows in progress
  --warmup S              flows started in the first S seconds are not measured (default 0)
  --timeout S             deadline of each call (default 10)
  --connect-timeout S     give up (exit 3) if a connection is not ready by then (default 5)
  --poll-min S, --poll-max S   queue poll interval bounds (default 0.01, 1)
  --admission-timeout S   a flow not admitted this long after its join fails (default 30)
  --confirm-poll S        GetReservation interval (default 0.01)
  --confirm-timeout S     a flow not confirmed this long after ProcessPayment fails (default 30)
  --json                  print one JSON object on stdout (the human line goes to stderr)

Exit: 0 after a run (failed flows are counted, not fatal), 2 bad arguments, 3 unreachable.
)";
}

} // namespace tt::load
