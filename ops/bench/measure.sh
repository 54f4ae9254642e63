# ops/bench/measure.sh: how run.sh measures one run and turns it into a table row. Sourced by
# run.sh after its settings; the functions read its globals when called (loadgen, duration,
# warmup, work, pids, join_rooms, notes), which shellcheck cannot see from here.
# shellcheck shell=bash disable=SC2154

# field JSON KEY: a number or object from tt_loadgen's one-line JSON.
field() { sed -n "s/.*\"$2\":\({[^}]*}\|[0-9.]*\).*/\1/p" <<<"$1"; }

# wait_idle: waits (at most 30 s) until the servers together use under a quarter of a core, so
# that no run measures the one before it: the steady-state run leaves thousands of 2 s holds for
# the worker to expire, and their effects would land in the next run's tail.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
wait_idle() {
  local hz before after pid
  hz=$(getconf CLK_TCK)
  for _ in $(seq 30); do
    before=0 after=0
    for pid in "${pids[@]}"; do before=$((before + $(cpu_ticks "$pid"))); done
    sleep 1
    for pid in "${pids[@]}"; do after=$((after + $(cpu_ticks "$pid"))); done
    [ $(((after - before) * 4)) -lt "$hz" ] && return 0
  done
  echo "bench: the servers did not go idle within 30 s" >&2
}

# machine_ticks: the machine's CPU ticks so far, all and those the hypervisor stole ("steal" in
# /proc/stat: time this VM was ready to run but another guest had the core).
machine_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $9 }' /proc/stat; }
# stolen_pct BEFORE AFTER: the share of CPU time stolen between two machine_ticks readings.
stolen_pct() {
  awk -v b="$1" -v a="$2" 'BEGIN { split(b, x, " "); split(a, y, " "); d = y[1] - x[1]
    printf "%.1f", (d > 0 ? 100 * (y[2] - x[2]) / d : 0) }'
}

# measure PORT METHOD JSON CONCURRENCY [--echo]: one tt_loadgen run, its JSON on stdout (its
# human line goes to stderr as progress), with "stolen_pct" added: the CPU share the hypervisor
# took during the run. On a shared host that share swings from run to run, and a run that lost
# a quarter of its CPU measures the neighbours, not the node. JSON empty: the extra flags give a
# --request-file. Each run gets its own seed, so {uuid} keys and sessions never repeat an
# earlier run's: a repeated idempotency key would measure the stored-reply path, a repeated join
# the rejoin.
measure() {
  wait_idle
  local template=$3 request=()
  if [[ $template == *JOIN_ROOM* ]]; then
    local used
    used=$(($(cat "$work/join-rooms-used") + 1))
    [ "$used" -le "$join_rooms" ] || { echo "bench: more JoinQueue runs than join rooms" >&2; exit 1; }
    echo "$used" >"$work/join-rooms-used"
    template=${template//JOIN_ROOM/bench-join-hall-$used}
  fi
  [ -z "$template" ] || request=(--request-json "$template")
  local before json
  before=$(machine_ticks)
  json=$(timeout $((duration + 60)) "$loadgen" --target "127.0.0.1:$1" --method "$2" \
    "${request[@]}" --concurrency "$4" --connections 2 --warmup "$warmup" --duration "$duration" \
    --timeout 10 --seed $(($(date +%s%N) % 1000000000000000)) --json "${@:5}") || return
  echo "${json%\}},\"stolen_pct\":$(stolen_pct "$before" "$(machine_ticks)")}"
}

# faster BEST JSON IN_FLIGHT: whichever of BEST (empty at first) and JSON did more req/s, JSON
# with "in_flight" added.
faster() {
  local tagged="${2%\}},\"in_flight\":$3}"
  if [ -z "$1" ] || awk -v a="$(field "$2" rps)" -v b="$(field "$1" rps)" 'BEGIN { exit !(a > b) }'; then
    echo "$tagged"
  else
    echo "$1"
  fi
}

ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
# echo_row NAME NODE_JSON ECHO_JSON: a table row of the node's run beside echo's, with the ratio
# and the CPU stolen during each.
echo_row() {
  local rps echo_rps
  rps=$(field "$2" rps)
  echo_rps=$(field "$3" rps)
  echo "| $1 | $(printf '%.0f' "$rps") | $(ms "$(field "$2" p50_us)") | $(ms "$(field "$2" p99_us)") |\
 $(printf '%.0f' "$echo_rps") |\
 $(awk -v n="$rps" -v e="$echo_rps" 'BEGIN { printf "%.3f", (e > 0 ? n / e : 0) }') |\
 $(field "$3" stolen_pct) / $(field "$2" stolen_pct) |"
}
# note_errors LABEL JSON: a warning line for the run's failed calls, if any.
note_errors() {
  local errors
  errors=$(field "$2" errors)
  [ "$errors" = "{}" ] || notes+=("$1: errors $errors")
}
