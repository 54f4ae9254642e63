#!/usr/bin/env bash
# ops/bench/run.sh: the benchmark in one command. Builds if needed, starts tt_echo_server (the
# trivial gRPC baseline) and tacosd nodes on loopback, runs tt_loadgen for every case listed
# below and tt_flowgen for whole flows against both in the same run, and prints Markdown tables
# with the ratio to echo.
# Usage: ops/bench/run.sh [--quick] [--duration SECONDS] [--no-build] [--only metrics]
#        [--rounds N]   (TT_BUILD_DIR: build dir; --only metrics: the metrics section alone, N
#        rounds of it, default 5)
set -euo pipefail

# First, so that the cases below can name files in it; removed (with every server) on exit.
work=$(mktemp -d)
pids=()
stop_servers() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    # tacosd drains for up to shutdown.grace_ms (5 s); past 15 s something is stuck.
    for _ in $(seq 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap stop_servers EXIT

# Benchmark cases, one per line: method path | request JSON template (tt_loadgen --request-json,
# no '|'; empty: the extra flags name a --request-file) | calls in flight | extra tt_loadgen
# flags. Add an RPC here once the node serves it (see README.md). Events are the sample
# catalog's (ops/catalog) and the bench's own (below). Writes need a fresh idempotency key per
# call, hence a request pool larger than any run sends; a join needs a fresh session ({uuid}:
# each run gets its own --seed), or it would measure the cheaper rejoin.
stadium=jamsil-stadium-tour-2027
status_hall=bench-status-hall # the hall again: the GetQueueStatus case's users wait here
# CreateReservation holds one seat per call in one of ten copies of the stadium (500,000 seats):
# the main node's CreateReservation runs hold about 250,000 seats at --duration 5 on a fast host,
# and its holds outlive its runs (see start_node batch), so one stadium would sell out mid-run.
hold_stadiums=10
create_request="{\"event_id\": \"bench-hold-stadium-{n%$hold_stadiums}\", \"quantity\": 1, \"user_id\": \"u{n}\", \"idempotency_key\": \"{uuid}\"}"
create_method=/reservation.v1.ReservationService/CreateReservation
flow_event=bench-flow-stadium # the stadium with a waiting room that lets everyone in at once
status_requests=$work/status-requests.jsonl # written by the setup pass (join_users.py)
# JoinQueue runs each get a fresh copy of the hall (JOIN_ROOM, replaced in measure): a room holds
# at most 500,000 entries (waiting_room_policy::max_entries) and the main node keeps idle entries
# for an hour, so one room shared by all five JoinQueue runs filled up on a fast host and the
# half-rate runs measured RESOURCE_EXHAUSTED refusals.
join_rooms=12
cases=(
  "/gateway.v1.QueueService/JoinQueue|{\"event_id\": \"JOIN_ROOM\", \"user_id\": \"u{n}\", \"session_id\": \"s{uuid}\"}|64|--pool 400000"
  "/gateway.v1.QueueService/GetQueueStatus||64|--request-file $status_requests"
  '/gateway.v1.GatewayService/HealthCheck|{}|64|'
  '/common.v1.AdminService/GetSystemHealth|{"include_dependencies": true}|64|'
  "/reservation.v1.InventoryService/CheckAvailability|{\"event_id\": \"$stadium\", \"quantity\": 2}|64|"
  "/reservation.v1.InventoryService/GetInventoryStatus|{\"event_id\": \"$stadium\"}|64|"
  "/reservation.v1.ReservationService/CreateReservation|$create_request|64|--pool 400000"
)

duration=10
warmup=2
build=yes
only=all
metrics_rounds=5
# whole_number FLAG MAX VALUE: VALUE, or exits 2 unless it is a whole number from 1 to MAX.
whole_number() {
  if ! [[ ${3:-} =~ ^[0-9]+$ ]] || [ "$3" -lt 1 ] || [ "$3" -gt "$2" ]; then
    echo "run.sh: $1 needs a whole number, 1 to $2" >&2
    exit 2
  fi
  echo "$3"
}
while [ $# -gt 0 ]; do
  case $1 in
    --quick) duration=2 warmup=0.5 ;;
    --duration)
      duration=$(whole_number --duration 600 "${2:-}") || exit 2
      shift ;;
    --no-build) build=no ;;
    --only)
      [ "${2:-}" = metrics ] || { echo "run.sh: --only takes 'metrics'" >&2; exit 2; }
      only=metrics
      shift ;;
    --rounds)
      metrics_rounds=$(whole_number --rounds 20 "${2:-}") || exit 2
      shift ;;
    -h | --help) sed -n '2,8s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

cd "$(dirname "$0")/../.."
build_dir=${TT_BUILD_DIR:-build}
if [ "$build" = yes ]; then
  echo "bench: building into $build_dir" >&2
  TT_BUILD_DIR=$build_dir ops/build.sh >&2
fi
loadgen=$build_dir/scenarios/load/tt_loadgen
echo_server=$build_dir/scenarios/load/tt_echo_server
tacosd=$build_dir/adapters/node/tacosd
worker_bench=$build_dir/adapters/kafka/tt_worker_bench
flowgen=$build_dir/scenarios/load/tt_flowgen
for bin in "$loadgen" "$echo_server" "$tacosd" "$flowgen"; do
  [ -x "$bin" ] || { echo "run.sh: $bin is missing (build first)" >&2; exit 1; }
done


# wait_for_port LOG PID SED_PATTERN: prints the port the server logged, or fails after 15 s.
wait_for_port() {
  local port
  for _ in $(seq 150); do
    port=$(sed -n "s/$3/\1/p" "$1" | head -n 1)
    if [ -n "$port" ]; then
      echo "$port"
      return 0
    fi
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: server did not report its port; its log:" >&2
  cat "$1" >&2
  return 1
}

"$echo_server" --listen 127.0.0.1:0 2>"$work/echo.log" &
pids+=($!)
echo_port=$(wait_for_port "$work/echo.log" "${pids[-1]}" '^echo: listening on port \([0-9]*\)$')

# The bench's catalog: the samples, plus the hall again as the status hall (its own waiting room,
# stopped by the setup pass) and as one room per JoinQueue run, and the stadium again with a
# waiting room that admits everyone at once (the full flow's event: the flow then measures the
# node's queue path, not a set rate).
catalog=$work/catalog
mkdir -p "$catalog"
cp ops/catalog/*.yaml "$catalog/"
sed "s/^event_id: .*/event_id: $status_hall/" ops/catalog/hall.yaml >"$catalog/$status_hall.yaml"
for n in $(seq "$join_rooms"); do
  sed "s/^event_id: .*/event_id: bench-join-hall-$n/" ops/catalog/hall.yaml >"$catalog/bench-join-hall-$n.yaml"
done
echo 0 >"$work/join-rooms-used"
for n in $(seq 0 $((hold_stadiums - 1))); do
  sed "s/^event_id: .*/event_id: bench-hold-stadium-$n/" ops/catalog/stadium.yaml >"$catalog/bench-hold-stadium-$n.yaml"
done
{
  sed "s/^event_id: .*/event_id: $flow_event/" ops/catalog/stadium.yaml
  printf 'waiting_room:\n  admissions_per_second: 100000\n  max_active: 1000000\n'
} >"$catalog/$flow_event.yaml"

# start_node NAME FLAGS...: starts a tacosd on its own data directory with the bench's catalog
# (not in a subshell: pids must reach the EXIT trap).
start_node() {
  "$tacosd" --grpc.listen 127.0.0.1:0 --http.listen 127.0.0.1:0 --storage.data_dir "$work/data-$1" --log.level info \
    --catalog.dir "$catalog" "${@:2}" >"$work/node-$1.log" 2>&1 &
  pids+=($!)
}
# stop_node PID: each node runs only while it is measured: an idle node still polls Kafka (about
# a tenth of a core), CPU that every other measurement would miss.
stop_node() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
node_port_of() {
  wait_for_port "$work/node-$1.log" "$2" '.*grpc: serving [0-9]* contract services on port \([0-9]*\).*'
}
# The node of the main table runs the default policy (batch); two more, later and one at a time,
# show what durability costs: the same CreateReservation against sync none (no fsync) and
# always. Their holds last 15 minutes, longer than all of a node's CreateReservation runs, so
# those runs measure what a call does (its hold, its stored snapshot and journal, its events),
# as a burst shorter than the default 60 s hold sees it. What a hold costs again when it ends is
# measured apart: the steady-state row below (every hold expiring 2 s later) and tt_worker_bench.
# The GetQueueStatus users stay in their room for the whole run (its waits included), however
# long it takes, so the main node forgets idle entries only after an hour.
long_holds=(--reservation.hold_seconds 900 --reservation.max_hold_lifetime_seconds 900)

# What metrics cost on the hot path (issue #31): two nodes that differ only in metrics.enabled
# (RPC counts and latency histograms, event counts, the actors' figures), both up for the whole
# section and measured in turns (on, off, on, off...). Req/s alone cannot show a 3 % cost here:
# other work on the shared cores moves it by more than that between two runs a minute apart. So
# each run also reads the node's own CPU time (utime + stime, /proc/PID/stat) over the run and
# divides it by the calls made: what a call costs the node, whatever else the machine does. The
# table gives each side's median and on / off of both (the target: at most 3 % more CPU per call,
# at least 0.97 of the req/s).
# Defined here, run after the main table (or alone: --only metrics).
metrics_section() {
  metric_cases=(
    "CreateReservation|$create_method|$create_request|--pool 400000"
    "GetQueueStatus|/gateway.v1.QueueService/GetQueueStatus||--request-file STATUS_FILE"
  )
  local -A metrics_port metrics_pid
  for side in on off; do
    enabled=true
    [ "$side" = off ] && enabled=false
    start_node "metrics-$side" --metrics.enabled "$enabled" --metrics.listen 127.0.0.1:0 \
      "${long_holds[@]}" --queue.idle_timeout_seconds 3600
    metrics_pid[$side]=${pids[-1]}
    metrics_port[$side]=$(node_port_of "metrics-$side" "${pids[-1]}")
    /usr/bin/python3 ops/bench/join_users.py --target "127.0.0.1:${metrics_port[$side]}" \
      --event "$status_hall" --users 10000 --stop-admissions --out "$work/status-$side.jsonl" \
      --build "$build_dir" >&2
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  # cpu_per_call PID TICKS_BEFORE JSON: the node's CPU microseconds per call over the run (warm-up
  # included on both sides of the division).
  cpu_per_call() {
    awk -v t="$(($(cpu_ticks "$1") - $2))" -v hz="$(getconf CLK_TCK)" -v r="$(field "$3" rps)" \
      -v s="$(awk -v w="$warmup" -v d="$duration" 'BEGIN { print w + d }')" \
      'BEGIN { printf "%.1f", (r > 0 ? t / hz * 1e6 / (r * s) : 0) }'
  }
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
  metrics_rows=()
  for case in "${metric_cases[@]}"; do
    IFS='|' read -r name method request extra <<<"$case"
    rps_on=() rps_off=() cpu_on=() cpu_off=() p50_on=() p50_off=() p99_on=() p99_off=()
    for round in $(seq "$metrics_rounds"); do
      for side in on off; do
        read -r -a extra_flags <<<"${extra//STATUS_FILE/$work/status-$side.jsonl}"
        echo "bench: $name with metrics $side, round $round" >&2
        wait_idle
        ticks=$(cpu_ticks "${metrics_pid[$side]}")
        json=$(measure "${metrics_port[$side]}" "$method" "$request" 64 "${extra_flags[@]}")
        note_errors "$name with metrics $side" "$json"
        cpu=$(cpu_per_call "${metrics_pid[$side]}" "$ticks" "$json")
        if [ "$side" = on ]; then
          rps_on+=("$(field "$json" rps)") cpu_on+=("$cpu")
          p50_on+=("$(field "$json" p50_us)") p99_on+=("$(field "$json" p99_us)")
        else
          rps_off+=("$(field "$json" rps)") cpu_off+=("$cpu")
          p50_off+=("$(field "$json" p50_us)") p99_off+=("$(field "$json" p99_us)")
        fi
      done
    done
    on=$(median "${rps_on[@]}") off=$(median "${rps_off[@]}")
    con=$(median "${cpu_on[@]}") coff=$(median "${cpu_off[@]}")
    metrics_rows+=("| $name | $(printf '%.0f' "$on") | $(printf '%.0f' "$off") | $(ratio "$on" "$off") |\
 $con | $coff | $(ratio "$con" "$coff") |\
 $(ms "$(median "${p50_on[@]}")") / $(ms "$(median "${p50_off[@]}")") |\
 $(ms "$(median "${p99_on[@]}")") / $(ms "$(median "${p99_off[@]}")") |\
 $(printf '%.0f ' "${rps_on[@]}")/ $(printf '%.0f ' "${rps_off[@]}") |\
 $(printf '%s ' "${cpu_on[@]}")/ $(printf '%s ' "${cpu_off[@]}") |")
  done
  stop_node "${metrics_pid[on]}"
  stop_node "${metrics_pid[off]}"
}

# The metrics section's table (its rows: metrics_section).
print_metrics_table() {
  echo "| metrics (64 in flight, median of $metrics_rounds alternating runs) | req/s, metrics on | req/s, off | on / off | node CPU µs per call, on | off | on / off | p50 ms, on / off | p99 ms, on / off | req/s of each run, on / off | CPU µs per call of each run, on / off |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${metrics_rows[@]}"
}

if [ "$only" = metrics ]; then
  # shellcheck source=ops/bench/measure.sh
  source ops/bench/measure.sh
  echo "bench: the metrics section alone; ${duration} s per run" >&2
  metrics_section
  print_metrics_table
  echo
  echo "Machine: $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'); tt_loadgen closed loop," \
    "2 connections, ${warmup} s warm-up + ${duration} s per run."
  exit 0
fi
start_node batch --storage.sync batch "${long_holds[@]}" --queue.idle_timeout_seconds 3600
node_pid=${pids[-1]}
node_port=$(node_port_of batch "$node_pid")
echo "bench: echo on port $echo_port, tacosd on port $node_port (sync batch); ${duration} s per run" >&2

# Setup of the GetQueueStatus case: 10,000 users wait in the status hall, whose admissions stay
# stopped; the case's request pool is their waiting tokens.
/usr/bin/python3 ops/bench/join_users.py --target "127.0.0.1:$node_port" --event "$status_hall" \
  --users 10000 --stop-admissions --out "$status_requests" --build "$build_dir" >&2

# How one run is measured (tt_loadgen, stolen CPU, idle waits) and printed as a row.
# shellcheck source=ops/bench/measure.sh
source ops/bench/measure.sh
run_ticks_start=$(machine_ticks)

# The maximum rate is each server's best of two closed loops: the case's calls in flight and four
# times as many. A closed loop's rate is its calls in flight over their latency (Little's law),
# so a call that waits for an fsync leaves the cores idle at too few in flight: JoinQueue at 64
# left 16 % of this machine idle, and at 256 it ran 40 % faster (echo, 41 % idle at 64, gained
# 17 %). Each side gets its own best, so the ratio compares maxima.
rows=()
notes=()
declare -A node_max_rps
for case in "${cases[@]}"; do
  IFS='|' read -r method request concurrency extra <<<"$case"
  read -r -a extra_flags <<<"$extra"
  name=${method##*.}
  echo_json='' node_json=''
  for in_flight in "$concurrency" $((concurrency * 4)); do
    echo "bench: $name, $in_flight in flight: echo, then tacosd" >&2
    json=$(measure "$echo_port" "$method" "$request" "$in_flight" --echo "${extra_flags[@]}")
    note_errors "$name on echo, $in_flight in flight" "$json"
    echo_json=$(faster "$echo_json" "$json" "$in_flight")
    json=$(measure "$node_port" "$method" "$request" "$in_flight" "${extra_flags[@]}")
    note_errors "$name on node, $in_flight in flight" "$json"
    node_json=$(faster "$node_json" "$json" "$in_flight")
  done
  rows+=("$(echo_row "$name" "$node_json" "$echo_json") $(field "$echo_json" in_flight) / $(field "$node_json" in_flight) |")
  node_max_rps[$name]=$(field "$node_json" rps)
done

# Latency at a fixed load: p99 at half of the node's maximum rate above (open loop: latency
# counts from each call's scheduled start, so queueing is not hidden; at most the case's calls in
# flight, a call past them starts late and counts its wait). Issue #3's targets. On
# two cores shared with the load generator one run's p99 swings by a factor of three (echo's
# too), so each side runs three times and the median is reported with the range; echo at the
# same rate is the baseline: what the machine itself adds to a trivial call.
half_runs=3
# p99s US...: "median (min-max)" in ms.
p99_summary() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    printf "%.2f (%.2f-%.2f)", v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000 }'
}
half_rows=()
for case in "${cases[@]}"; do
  IFS='|' read -r method request concurrency extra <<<"$case"
  name=${method##*.}
  case $name in */CheckAvailability | */CreateReservation | */JoinQueue | */GetQueueStatus) ;; *) continue ;; esac
  read -r -a extra_flags <<<"$extra"
  max=${node_max_rps[$name]}
  half=$(awk -v m="$max" 'BEGIN { printf "%d", m / 2 }')
  echo "bench: $name open loop at $half req/s (half of $max), $half_runs runs each" >&2
  node_p99=() echo_p99=() node_stolen=()
  for _ in $(seq "$half_runs"); do
    json=$(measure "$node_port" "$method" "$request" "$concurrency" --rate "$half" "${extra_flags[@]}")
    node_p99+=("$(field "$json" p99_us)")
    node_stolen+=("$(field "$json" stolen_pct)")
    json=$(measure "$echo_port" "$method" "$request" "$concurrency" --rate "$half" --echo \
      "${extra_flags[@]}")
    echo_p99+=("$(field "$json" p99_us)")
  done
  half_rows+=("| $name | $half | $(p99_summary "${node_p99[@]}") | $(p99_summary "${echo_p99[@]}") |\
 $(printf '%s\n' "${node_stolen[@]}" | sort -n | tail -n 1) |")
done

stop_node "$node_pid"

metrics_section

# Durable writes by sync policy: a fresh node each, one at a time.
sync_rows=()
none_rps=0
for policy in none batch always; do
  start_node "sync-$policy" --storage.sync "$policy" "${long_holds[@]}"
  port=$(node_port_of "sync-$policy" "${pids[-1]}")
  echo "bench: CreateReservation with storage.sync=$policy" >&2
  json=$(measure "$port" "$create_method" "$create_request" 64 --pool 400000)
  stop_node "${pids[-1]}"
  rps=$(field "$json" rps)
  [ "$policy" = none ] && none_rps=$rps
  ratio=$(awk -v n="$rps" -v e="$none_rps" 'BEGIN { printf "%.3f", (e > 0 ? n / e : 0) }')
  sync_rows+=("| $policy | $(printf '%.0f' "$rps") | $(ms "$(field "$json" p50_us)") |\
 $(ms "$(field "$json" p99_us)") | $ratio | $(field "$json" stolen_pct) |")
  note_errors "CreateReservation with sync $policy" "$json"
done

# The steady state of holds that end: the default node (sync batch) with 2 s holds, so that
# during the run every hold made also expires (its stored change, lifecycle event and seats
# released: the work a hold's end costs, whether by expiry, cancel or payment), beside echo
# measured right after it.
start_node expiring --storage.sync batch --reservation.hold_seconds 2
echo "bench: CreateReservation with every hold expiring 2 s later" >&2
expiring_json=$(measure "$(node_port_of expiring "${pids[-1]}")" "$create_method" "$create_request" \
  64 --pool 400000)
stop_node "${pids[-1]}"
expiring_echo_json=$(measure "$echo_port" "$create_method" "$create_request" 64 --echo \
  --pool 400000)
expiring_row=$(echo_row "CreateReservation, every hold expiring 2 s later" "$expiring_json" \
  "$expiring_echo_json")
note_errors "CreateReservation with expiring holds" "$expiring_json"

# The whole flow (tt_flowgen): each virtual user joins the flow event's waiting room, polls until
# admitted, claims its reservation token, holds a seat, pays (APPROVE) and polls until confirmed,
# then starts over as a new user. Beside it, echo with a CreateReservation-sized request and as
# many calls in flight as there are users. ratio = flows/s x RPCs per flow / echo req/s: the
# node's call rate inside whole flows against the trivial server's. A waiting user polls again
# within 0.1 s: the room's ETA is whole seconds, and in a room that lets everyone in it follows
# the join rate, so trusting it would add client-side sleep, not node time, to every flow.
# The flow node runs only for this case (an idle node still spends CPU the others would miss). It
# keeps 60 s holds (a whole flow must end before its hold does), settles payments at once and
# ticks its waiting rooms every 20 ms, so whole flows measure the node, not configured delays.
start_node flow --payment.settle_delay_ms 0 --queue.tick_ms 20
flow_pid=${pids[-1]}
flow_port=$(node_port_of flow "$flow_pid")
flow_users=64
echo "bench: full flow, $flow_users virtual users: tt_flowgen on port $flow_port, then echo" >&2
# --quick warms up for 0.5 s, which shell arithmetic cannot add; the budget rounds it up.
flow_json=$(timeout $((${warmup%.*} + 1 + duration + 120)) "$flowgen" --target "127.0.0.1:$flow_port" \
  --event "$flow_event" --users "$flow_users" --connections 2 --poll-max 0.1 --warmup "$warmup" \
  --duration "$duration" --json)
stop_node "$flow_pid"
flow_echo_rps=$(field "$(measure "$echo_port" "$create_method" "$create_request" "$flow_users" \
  --echo --pool 400000)" rps)
flows=$(field "$flow_json" flows_per_s)
rpcs_per_flow=$(field "$flow_json" rpcs_per_flow)
flow_ratio=$(awk -v f="$flows" -v r="$rpcs_per_flow" -v e="$flow_echo_rps" \
  'BEGIN { printf "%.3f", (e > 0 ? f * r / e : 0) }')
flow_row="| join → admission → hold → pay → confirm | $flows | $(ms "$(field "$flow_json" p50_us)") |\
 $(ms "$(field "$flow_json" p99_us)") | $rpcs_per_flow | $(printf '%.0f' "$flow_echo_rps") | $flow_ratio |"
[ "$(field "$flow_json" failed)" = 0 ] ||
  notes+=("full flow: $(field "$flow_json" failed) flows failed $(field "$flow_json" failures)")

# Memory per idle seat: a node with only the 50,000-seat stadium against a node with no event,
# both idle after start (RSS, so allocator slack counts too).
rss_of() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
mkdir -p "$work/catalog-stadium" "$work/catalog-empty"
cp ops/catalog/stadium.yaml "$work/catalog-stadium/"
mem_rows=()
for catalog in empty stadium; do
  "$tacosd" --grpc.listen 127.0.0.1:0 --http.listen 127.0.0.1:0 --storage.data_dir "$work/mem-$catalog" \
    --catalog.dir "$work/catalog-$catalog" >"$work/mem-$catalog.log" 2>&1 &
  pids+=($!)
  wait_for_port "$work/mem-$catalog.log" "${pids[-1]}" '.*grpc: serving [0-9]* contract services on port \([0-9]*\).*' >/dev/null
  sleep 1
  mem_rows+=("$(rss_of "${pids[-1]}")")
  stop_node "${pids[-1]}"
done
per_seat=$(awk -v a="${mem_rows[0]}" -v b="${mem_rows[1]}" 'BEGIN { printf "%.2f", (b - a) / 50000 }')

# The worker path (issue #6): its own in-process run, with the direct effects as its baseline.
# 20,000 at any duration: with fewer, the consumer's start-up is a large part of the run.
worker_events=20000
worker_table=$("$worker_bench" --events=$worker_events 2>"$work/worker-bench.log") ||
  notes+=("tt_worker_bench failed: $(tail -n 1 "$work/worker-bench.log")")

# The disk's own sync tail, alone, beside the nodes' data: the floor under the p99 of every
# durable write (see sync_probe.py).
sync_json=$(/usr/bin/python3 ops/bench/sync_probe.py --dir "$work" --seconds "$duration") ||
  notes+=("sync_probe.py failed")

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "| RPC | req/s | p50 ms | p99 ms | echo req/s | ratio | CPU stolen %, echo / node | in flight, echo / node |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "| steady state | req/s | p50 ms | p99 ms | echo req/s | ratio | CPU stolen %, echo / node |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "$expiring_row"
echo
echo "| CreateReservation, storage.sync | req/s | p50 ms | p99 ms | ratio to none | CPU stolen % |"
echo "|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${sync_rows[@]}"
echo
echo "| at half the maximum rate ($half_runs runs each) | req/s | p99 ms, median (range) | echo at the same rate: p99 ms | CPU stolen %, worst node run |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "${half_rows[@]}"
echo
print_metrics_table
echo
echo "| full flow ($flow_users virtual users) | flows/s | p50 ms | p99 ms | RPCs per flow | echo req/s | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "$flow_row"
echo
echo "Worker path ($worker_events expiry events; tt_worker_bench, in one process):"
echo
echo "$worker_table"
echo
echo "Memory: idle node ${mem_rows[0]} kB RSS, with the 50,000-seat stadium ${mem_rows[1]} kB:" \
  "$per_seat KB per idle seat."
echo
echo "Disk: 4 KB appends, each fdatasynced, in the nodes' filesystem for ${duration} s, alone:" \
  "$(field "$sync_json" syncs) syncs, p50 $(ms "$(field "$sync_json" p50_us)") ms," \
  "p99 $(ms "$(field "$sync_json" p99_us)") ms, p99.9 $(ms "$(field "$sync_json" p999_us)") ms," \
  "max $(ms "$(field "$sync_json" max_us)") ms; $(field "$sync_json" over_20ms) over 20 ms."
echo
echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}, $(date -u '+%Y-%m-%d %H:%M UTC');" \
  "tt_loadgen closed loop, 2 connections, ${warmup} s warm-up + ${duration} s per run," \
  "sharing the cores with the servers; the hypervisor stole" \
  "$(stolen_pct "$run_ticks_start" "$(machine_ticks)") % of the CPU over the whole bench."
for note in "${notes[@]}"; do
  echo "Warning: $note"
done
[ ${#notes[@]} -eq 0 ]
