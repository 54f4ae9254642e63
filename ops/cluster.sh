#!/usr/bin/env bash
# Starts, stops or shows a local cluster on loopback: tacos-broker (the cluster's Kafka, its topics
# created: tt.shards with --shards partitions, tt.members with 1) and N tacosd nodes in cluster
# mode, node-I serving gRPC on 127.0.0.1:(base port + I - 1) with its data in DIR/node-I.
# Usage: ops/cluster.sh start [--nodes N] [--base-port P] [--shards N] [--dir DIR] [--fresh]
#                             [--timeout S] [-- NODE_FLAG...]
#        ops/cluster.sh stop [--dir DIR] [--grace S]
#        ops/cluster.sh status [--dir DIR]
# Defaults: 3 nodes, base port 8081, 64 shards, DIR the repository's data/cluster (the pids, logs
# and nodes' data), a 60 s wait for every node to serve, a 15 s grace after SIGTERM before stop
# sends SIGKILL. Nodes read ops/configs/node.yaml, then the cluster's settings (a 3 s session
# timeout, which tacos-broker allows: a killed node's shards move in ~5 s), then NODE_FLAGs
# (`-- --log.level=debug`); they share a queue and webhook secret made for the run. The broker
# keeps nothing on disk, so a cluster started again over old data finds its changelog empty:
# --fresh deletes DIR's data first. start sets up and builds like run.sh (TT_BUILD_DIR: another
# build directory) and fails (exit 1, the log's tail shown, everything it started stopped) if a
# process exits or a node does not serve in time. status exits 0 when everything runs, 1 when some
# of it does, 3 when nothing does. Exit 2: bad usage.
set -euo pipefail
usage_error() {
  echo "cluster.sh: $1 (see --help)" >&2
  exit 2
}
number() { # NAME VALUE MIN MAX: prints VALUE, an integer in [MIN, MAX], or a usage error
  # 10#: a leading zero is not octal.
  if ! [[ $2 =~ ^[0-9]{1,6}$ ]] || ((10#$2 < $3 || 10#$2 > $4)); then
    usage_error "$1 needs an integer from $3 to $4"
  fi
  echo $((10#$2))
}
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || usage_error "a command is required: start, stop or status"
command=$1
shift
case $command in
  start | stop | status) ;;
  -h | --help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) usage_error "unknown command '$command'" ;;
esac
nodes=3 base_port=8081 shards=64 dir=$root/data/cluster fresh=false timeout=60 grace=15
node_flags=()
while [ $# -gt 0 ]; do
  option=$1
  case $command:$option in
    *:-h | *:--help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
    start:--fresh) fresh=true ;;
    start:--)
      shift
      node_flags=("$@")
      break ;;
    start:--nodes | start:--base-port | start:--shards | start:--timeout | stop:--grace | *:--dir)
      [ $# -ge 2 ] || usage_error "$option needs a value"
      case $option in
        --nodes) nodes=$(number "$option" "$2" 1 64) ;;
        --base-port) base_port=$(number "$option" "$2" 1 65535) ;;
        --shards) shards=$(number "$option" "$2" 1 4096) ;;
        --timeout) timeout=$(number "$option" "$2" 1 3600) ;;
        --grace) grace=$(number "$option" "$2" 0 3600) ;;
        --dir)
          [ -n "$2" ] || usage_error "--dir needs a directory"
          dir=$(realpath -m -- "$2") ;;
      esac
      shift ;;
    *) usage_error "unknown argument '$option' for $command" ;;
  esac
  shift
done
if ((base_port + nodes - 1 > 65535)); then
  usage_error "--base-port $base_port leaves no port for node-$nodes"
fi
# A line per process, tab-separated (read collapses empty fields, so "-" stands for none):
# NAME PID BINARY ADDRESS DATA LOG.
state=$dir/cluster.state

# A process of the state file is alive only while its pid still runs its binary: a pid the system
# has since given to another program is never signalled, and a zombie (empty cmdline) is gone.
alive() { # PID BINARY
  local argv0
  { IFS= read -r -d '' argv0 <"/proc/$1/cmdline"; } 2>/dev/null || return 1
  [ "$argv0" = "$2" ]
}

# A process start launched, while start runs: its own child, whose pid the system cannot give
# another until start reaps it, and which runs setsid before its binary (so its cmdline is not
# yet the binary's). Takes alive's arguments.
started() { # PID BINARY
  kill -0 "$1" 2>/dev/null
}

running_count() {
  local count=0 name pid binary rest
  if [ -f "$state" ]; then
    while IFS=$'\t' read -r name pid binary rest; do
      alive "$pid" "$binary" && count=$((count + 1))
    done <"$state"
  fi
  echo "$count"
}

# SIGTERM to the nodes first, then to the broker once they are gone (a node leaving its group
# needs the broker); SIGKILL to whatever outlives the grace. LIVE: alive, or started in start.
stop_cluster() { # LIVE
  local name pid binary rest kind deadline left entry
  [ -f "$state" ] || return 0
  for kind in node broker; do
    while IFS=$'\t' read -r name pid binary rest; do
      if [[ $name == "$kind"* ]] && "$1" "$pid" "$binary"; then
        kill -TERM "$pid" 2>/dev/null || true # it may have exited since
      fi
    done <"$state"
    deadline=$((SECONDS + grace))
    while :; do
      left=()
      while IFS=$'\t' read -r name pid binary rest; do
        [[ $name == "$kind"* ]] && "$1" "$pid" "$binary" && left+=("$name:$pid")
      done <"$state"
      [ ${#left[@]} -gt 0 ] || break
      if ((SECONDS >= deadline)); then
        for entry in "${left[@]}"; do
          echo "cluster.sh: ${entry%%:*} still runs ${grace}s after SIGTERM: SIGKILL" >&2
          kill -KILL "${entry#*:}" 2>/dev/null || true
        done
        break
      fi
      sleep 0.1
    done
  done
  rm -f "$state"
}

show() {
  local name pid binary address data log
  local row='%-8s %-21s %-8s %-8s %s  %s\n'
  # shellcheck disable=SC2059  # the format is the constant above
  printf "$row" NAME ADDRESS PID STATE DATA LOG
  while IFS=$'\t' read -r name pid binary address data log; do
    # shellcheck disable=SC2059
    printf "$row" "$name" "$address" "$pid" \
      "$(alive "$pid" "$binary" && echo running || echo exited)" "$data" "$log"
  done <"$state"
}

# Waits for a line of LOG that SED_SCRIPT prints something of, and prints that. On the process's
# exit or the timeout: an error and the log's tail on stderr, and a failure.
await_line() { # NAME PID BINARY LOG SED_SCRIPT
  local found deadline=$((SECONDS + timeout))
  while :; do
    found=$(sed -n "$5" "$4")
    if [ -n "$found" ]; then
      echo "$found"
      return 0
    fi
    if ! started "$2" "$3"; then
      echo "cluster.sh: $1 exited before serving; $4 ends:" >&2
      break
    fi
    if ((SECONDS >= deadline)); then
      echo "cluster.sh: $1 did not serve within ${timeout}s; $4 ends:" >&2
      break
    fi
    sleep 0.1
  done
  tail -n 20 "$4" >&2
  return 1
}

case $command in
  status)
    if ! [ -f "$state" ]; then
      echo "no cluster in $dir"
      exit 3
    fi
    show
    running=$(running_count)
    [ "$running" != 0 ] || exit 3
    [ "$running" = "$(wc -l <"$state")" ] || exit 1
    exit 0 ;;
  stop)
    if [ "$(running_count)" = 0 ]; then
      rm -f "$state"
      echo "no cluster runs in $dir"
      exit 0
    fi
    stop_cluster alive
    echo "stopped the cluster in $dir"
    exit 0 ;;
esac

if [ "$(running_count)" != 0 ]; then
  echo "cluster.sh: a cluster already runs in $dir (ops/cluster.sh stop --dir $dir first)" >&2
  exit 1
fi
cd "$root"
ops/setup.sh
build_dir=${TT_BUILD_DIR:-build}
TT_BUILD_DIR=$build_dir ops/build.sh >/dev/null
build_dir=$(realpath "$build_dir")
broker_bin=$build_dir/adapters/kafka/tacos-broker
node_bin=$build_dir/adapters/node/tacosd
if [ "$fresh" = true ]; then
  # Only what a cluster puts there: --dir may name a directory holding more.
  rm -rf "$dir"/node-[0-9]* "$dir/broker.log"
fi
mkdir -p "$dir"
rm -f "$state"
# shellcheck disable=SC2317  # run by the traps below, which shellcheck 0.9 does not follow
failed() {
  echo "cluster.sh: stopping what started" >&2
  stop_cluster started
}
trap failed ERR
trap 'failed; exit 130' INT TERM
record() { # NAME PID BINARY ADDRESS DATA LOG
  local IFS=$'\t'
  echo "$*" >>"$state"
}

# setsid: the cluster outlives this script and its terminal, and a Ctrl-C meant for the script
# never reaches it.
setsid "$broker_bin" --shards "$shards" </dev/null >"$dir/broker.log" 2>&1 &
broker_pid=$!
record broker "$broker_pid" "$broker_bin" - - "$dir/broker.log"
# Up to the line's end: a line read while it is being written must not yield half an address.
broker=$(await_line broker "$broker_pid" "$broker_bin" "$dir/broker.log" \
  's/^bootstrap\.servers=\([^ ]*\)$/\1/p')
rm "$state"
record broker "$broker_pid" "$broker_bin" "$broker" - "$dir/broker.log"

# Every node needs the same queue secret (a token minted on one node is redeemed on another),
# webhook secret and login-token key; the environment keeps them out of `ps`.
secret() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
TT_QUEUE_SECRET=$(secret) TT_WEBHOOK_SIGNING_SECRET=$(secret) TT_AUTH_JWT_HS256_SECRET=$(secret)
export TT_QUEUE_SECRET TT_WEBHOOK_SIGNING_SECRET TT_AUTH_JWT_HS256_SECRET
for i in $(seq "$nodes"); do
  address=127.0.0.1:$((base_port + i - 1))
  setsid "$node_bin" --config ops/configs/node.yaml --node.id="node-$i" --grpc.listen="$address" \
    --http.listen=127.0.0.1:0 \
    --storage.data_dir="$dir/node-$i" --kafka.bootstrap_servers="$broker" \
    --cluster.enabled=true --cluster.advertise="$address" --cluster.shards="$shards" \
    --cluster.session_timeout_ms=3000 \
    "${node_flags[@]}" </dev/null >"$dir/node-$i.log" 2>&1 &
  record "node-$i" $! "$node_bin" "$address" "$dir/node-$i" "$dir/node-$i.log"
done
while IFS=$'\t' read -r name pid binary address data log; do
  [[ $name == node-* ]] || continue
  # Up to "(node": a line read while it is being written must not yield half a port number.
  await_line "$name" "$pid" "$binary" "$log" \
    's/.*grpc: serving [0-9]* contract services on port \([0-9]*\) (node .*/\1/p' >/dev/null
done <"$state"
if [ "$(running_count)" != "$(wc -l <"$state")" ]; then
  echo "cluster.sh: a process exited after it served:" >&2
  show >&2
  false # the ERR trap stops the rest
fi
trap - ERR INT TERM
show
echo "ops/cluster.sh stop --dir $dir stops it"
