#!/usr/bin/env bash
# A Cairn cluster on loopback as separate processes: dev1..devN storage nodes, a stanchion
# and an S3 front end. Data and logs live under $CAIRN_DEV_DIR (default ./dev); ports start
# at $CAIRN_DEV_BASE_PORT (default 8100): devI on base+I, stanchion on base+85, S3 on base+80.
#
#   scripts/dev-cluster.sh start N      start N nodes, stanchion and S3; print endpoint and keys
#   scripts/dev-cluster.sh join         dev2..devN join dev1, then plan and commit
#   scripts/dev-cluster.sh status       member-status
#   scripts/dev-cluster.sh admin ARGS   cairn-admin ARGS against dev1
#   scripts/dev-cluster.sh kill|pause|resume|restart NODE   (NODE: dev1..devN, stanchion, s3)
#   scripts/dev-cluster.sh stop         stop everything
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${CAIRN_DEV_DIR:-./dev}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
BASE=${CAIRN_DEV_BASE_PORT:-8100}
COOKIE=${CAIRN_DEV_COOKIE:-cairn-dev}
S3_PORT=$((BASE + 80))
STANCHION_PORT=$((BASE + 85))
MAIN="$ROOT/dist/src/main.js"
ADMIN="$ROOT/dist/src/cli/cairn-admin.js"

die() { echo "dev-cluster: $*" >&2; exit 1; }
node_port() { echo $((BASE + ${1#dev})); }
node_count() { cat "$DIR/count" 2>/dev/null || die "no cluster here: run start N first"; }
pid_of() { cat "$DIR/pids/$1.pid" 2>/dev/null || true; }
# A zombie (killed, not yet reaped) is not alive.
alive() {
  local pid; pid=$(pid_of "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ! grep -qE '^[0-9]+ \(.*\) Z' "/proc/$pid/stat" 2>/dev/null
}
wait_dead() { for _ in $(seq 1 100); do alive "$1" || return 0; sleep 0.05; done; }
admin() { node "$ADMIN" --node "127.0.0.1:$(node_port dev1)" --cookie "$COOKIE" "$@"; }

ensure_built() {
  [ -f "$MAIN" ] || (cd "$ROOT" && npm run build --silent)
}

command_for() {
  local name=$1 n nodes=""
  n=$(node_count)
  for i in $(seq 1 "$n"); do nodes="$nodes${nodes:+,}127.0.0.1:$(node_port "dev$i")"; done
  case $name in
    dev*) echo node --name "$name@127.0.0.1" --port "$(node_port "$name")" \
            --data-dir "$DIR/$name" --cookie "$COOKIE" ;;
    stanchion) echo stanchion --port "$STANCHION_PORT" --data-dir "$DIR/stanchion" \
            --nodes "$nodes" --cookie "$COOKIE" ;;
    s3) echo s3 --port "$S3_PORT" --nodes "$nodes" --stanchion "127.0.0.1:$STANCHION_PORT" \
            --cookie "$COOKIE" ;;
    *) die "unknown node '$name' (dev1..dev$n, stanchion, s3)" ;;
  esac
}

launch() {
  local name=$1
  alive "$name" && die "$name is already running (pid $(pid_of "$name"))"
  mkdir -p "$DIR/pids" "$DIR/log"
  # shellcheck disable=SC2046
  node "$MAIN" $(command_for "$name") >>"$DIR/log/$name.log" 2>&1 &
  echo $! >"$DIR/pids/$name.pid"
}

wait_for() {
  local name=$1 pattern=$2
  for _ in $(seq 1 100); do
    grep -q "$pattern" "$DIR/log/$name.log" 2>/dev/null && return 0
    alive "$name" || die "$name exited; see $DIR/log/$name.log"
    sleep 0.1
  done
  die "$name did not start; see $DIR/log/$name.log"
}

start() {
  local n=${1:-}
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "usage: start N (a number of nodes)"
  [ -f "$DIR/count" ] && alive dev1 && die "a cluster is already running in $DIR"
  ensure_built
  echo "$n" >"$DIR/count"
  for i in $(seq 1 "$n"); do launch "dev$i"; done
  for i in $(seq 1 "$n"); do wait_for "dev$i" "is running"; done
  launch stanchion && wait_for stanchion "AWS_SECRET_ACCESS_KEY="
  launch s3 && wait_for s3 "S3 endpoint"
  echo "S3_ENDPOINT=http://127.0.0.1:$S3_PORT"
  grep -h '^AWS_' "$DIR/log/stanchion.log" | tail -2
}

join() {
  local n
  n=$(node_count)
  for i in $(seq 2 "$n"); do
    node "$ADMIN" --node "127.0.0.1:$(node_port "dev$i")" --cookie "$COOKIE" \
      cluster join "dev1@127.0.0.1:$(node_port dev1)"
  done
  admin cluster plan
  admin cluster commit
}

signal() {
  local sig=$1 name=$2
  command_for "$name" >/dev/null
  alive "$name" || die "$name is not running"
  kill "-$sig" "$(pid_of "$name")"
}

stop() {
  for f in "$DIR"/pids/*.pid; do
    [ -e "$f" ] || continue
    kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  for f in "$DIR"/pids/*.pid; do
    [ -e "$f" ] || continue
    local pid; pid=$(cat "$f")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  echo "stopped"
}

case ${1:-} in
  start) start "${2:-}" ;;
  join) join ;;
  status) admin member-status ;;
  admin) shift; admin "$@" ;;
  kill) signal KILL "${2:?usage: kill NODE}"; wait_dead "$2" ;;
  pause) signal STOP "${2:?usage: pause NODE}" ;;
  resume) signal CONT "${2:?usage: resume NODE}" ;;
  restart)
    name=${2:?usage: restart NODE}
    command_for "$name" >/dev/null
    if alive "$name"; then kill -KILL "$(pid_of "$name")"; fi
    wait_dead "$name"
    launch "$name" ;;
  stop) stop ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
