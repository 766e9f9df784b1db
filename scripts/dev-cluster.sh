#!/usr/bin/env bash
# A Cairn cluster on loopback as separate processes: dev1..devN storage nodes, two
# stanchions (one active, one standby that takes over when the active dies) and an S3 front
# end. Data and logs live under $CAIRN_DEV_DIR (default ./dev); ports start at
# $CAIRN_DEV_BASE_PORT (default 8100): devI on base+I, S3 on base+80, stanchion1 on base+85
# and stanchion2 on base+86. `start` makes a random cluster cookie, kept in $DIR/cookie (mode
# 0600) for every later command; the programs get it in CAIRN_COOKIE, never on a command
# line. CAIRN_INTERNAL_TLS_CERT, _KEY and _CA, when set, reach every program (mutual TLS).
#
#   scripts/dev-cluster.sh start N      start N nodes, stanchion and S3; print endpoint and keys
#   scripts/dev-cluster.sh join         dev2..devN join dev1, then plan and commit
#   scripts/dev-cluster.sh status       member-status
#   scripts/dev-cluster.sh admin ARGS   cairn-admin ARGS against dev1
#   scripts/dev-cluster.sh kill|pause|resume|restart NODE
#       NODE: dev1..devN, s3, stanchion1, stanchion2, or stanchion (the active one);
#       `restart s3b` starts a second S3 front end on base+81
#   scripts/dev-cluster.sh stanchion    stanchion status (which one is active)
#   scripts/dev-cluster.sh stop         stop everything
#
# Every subcommand prints what it did (started/restarted/killed/paused/resumed/stopped NAME,
# with pids); a node name the cluster does not have is refused, never taken as "not running".
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${CAIRN_DEV_DIR:-./dev}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
BASE=${CAIRN_DEV_BASE_PORT:-8100}
S3_PORT=$((BASE + 80))
STANCHION_PORT=$((BASE + 85))
STANCHIONS="127.0.0.1:$((BASE + 85)),127.0.0.1:$((BASE + 86))"
MAIN="$ROOT/dist/src/main.js"
ADMIN="$ROOT/dist/src/cli/cairn-admin.js"

die() { echo "dev-cluster: $*" >&2; exit 1; }
node_port() { echo $((BASE + ${1#dev})); }
node_count() { cat "$DIR/count" 2>/dev/null || die "no cluster here: run start N first"; }
cookie() { cat "$DIR/cookie" 2>/dev/null || die "no cookie in $DIR: run start N first"; }
# A new cluster's secret: 32 random bytes in hex, readable by this user only.
make_cookie() {
  [ -s "$DIR/cookie" ] && return 0
  (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$DIR/cookie")
}
pid_of() { cat "$DIR/pids/$1.pid" 2>/dev/null || true; }
# A zombie (killed, not yet reaped) is not alive.
alive() {
  local pid; pid=$(pid_of "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ! grep -qE '^[0-9]+ \(.*\) Z' "/proc/$pid/stat" 2>/dev/null
}
# Up to 20 s: a killed process with a large heap can take seconds to be torn down under load.
wait_dead() { for _ in $(seq 1 400); do alive "$1" || return 0; sleep 0.05; done; ! alive "$1"; }
admin() {
  local c; c=$(cookie)
  CAIRN_STANCHION="$STANCHIONS" CAIRN_COOKIE="$c" \
    node "$ADMIN" --node "127.0.0.1:$(node_port dev1)" "$@"
}
# The stanchion that says it is active, from `cairn-admin stanchion status`.
active_stanchion() {
  local name port json
  json=$(admin stanchion status --json 2>/dev/null || true)
  for name in stanchion1 stanchion2; do
    port=$((STANCHION_PORT + ${name#stanchion} - 1))
    alive "$name" || continue
    if printf '%s' "$json" | node -e "const a = JSON.parse(require('fs').readFileSync(0, 'utf8'));
      process.exit(a.some((s) => s.address === '127.0.0.1:$port' &&
        s.status?.role === 'active') ? 0 : 1)" 2>/dev/null; then
      echo "$name"; return 0
    fi
  done
  die "no stanchion is active"
}
# NODE as given, with 'stanchion' meaning the active one.
resolve_name() { if [ "$1" = stanchion ]; then active_stanchion; else echo "$1"; fi; }

ensure_built() {
  [ -f "$MAIN" ] || (cd "$ROOT" && npm run build --silent)
}

# Refuses a node name this cluster does not have (dev0, dev9 of five, dev01, devX).
check_node_name() {
  local name=$1 n=$2
  case $name in
    dev*) [[ "${name#dev}" =~ ^[1-9][0-9]*$ ]] && [ "${name#dev}" -le "$n" ] && return 0 ;;
    stanchion1 | stanchion2 | s3 | s3b) return 0 ;;
  esac
  die "no such node $name; this cluster has dev1..dev$n, stanchion1, stanchion2," \
    "stanchion (the active one), s3 and s3b"
}

command_for() {
  local name=$1 n nodes=""
  n=$(node_count)
  check_node_name "$name" "$n"
  for i in $(seq 1 "$n"); do nodes="$nodes${nodes:+,}127.0.0.1:$(node_port "dev$i")"; done
  case $name in
    dev*) echo node --name "$name@127.0.0.1" --port "$(node_port "$name")" \
            --data-dir "$DIR/$name" ;;
    stanchion[12]) echo stanchion --port "$((STANCHION_PORT + ${name#stanchion} - 1))" \
            --data-dir "$DIR/$name" --nodes "$nodes" ;;
    s3) echo s3 --port "$S3_PORT" --nodes "$nodes" --stanchion "$STANCHIONS" ;;
    s3b) echo s3 --port "$((S3_PORT + 1))" --nodes "$nodes" --stanchion "$STANCHIONS" ;;
  esac
}

launch() {
  local name=$1 c
  c=$(cookie)
  alive "$name" && die "$name is already running (pid $(pid_of "$name"))"
  mkdir -p "$DIR/pids" "$DIR/log"
  # shellcheck disable=SC2046
  # glibc keeps freed Buffer memory in its arenas unless told otherwise (see the README).
  CAIRN_COOKIE="$c" \
  MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072} \
    node "$MAIN" $(command_for "$name") >>"$DIR/log/$name.log" 2>&1 &
  echo $! >"$DIR/pids/$name.pid"
}

# Says NAME is serving, with its pid and where its log is.
started() {
  echo "started $1 (pid $(pid_of "$1")), log in $DIR/log/$1.log"
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
  make_cookie
  echo "$n" >"$DIR/count"
  for i in $(seq 1 "$n"); do launch "dev$i"; done
  for i in $(seq 1 "$n"); do wait_for "dev$i" "is running" && started "dev$i"; done
  launch stanchion1 && wait_for stanchion1 "AWS_SECRET_ACCESS_KEY=" && started stanchion1
  launch stanchion2 && wait_for stanchion2 "AWS_SECRET_ACCESS_KEY=" && started stanchion2
  launch s3 && wait_for s3 "S3 endpoint" && started s3
  echo "S3_ENDPOINT=http://127.0.0.1:$S3_PORT"
  grep -h '^AWS_' "$DIR/log/stanchion1.log" | tail -2
}

join() {
  local n c
  n=$(node_count)
  c=$(cookie)
  for i in $(seq 2 "$n"); do
    CAIRN_COOKIE="$c" node "$ADMIN" --node "127.0.0.1:$(node_port "dev$i")" \
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
  local f name pid how running=" " stopped=0
  for f in "$DIR"/pids/*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    alive "$name" && running="$running$name "
    kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  for f in "$DIR"/pids/*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    pid=$(cat "$f")
    how="stopped"
    [[ "$running" == *" $name "* ]] || how="was not running:"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -KILL "$pid" 2>/dev/null; then how="killed (no exit 10 s after SIGTERM)"; fi
    rm -f "$f"
    echo "$how $name (pid $pid)"
    [ "$how" = "was not running:" ] || stopped=$((stopped + 1))
  done
  echo "stopped: $stopped processes in $DIR"
}

# restart NODE: kill it if it runs, start it again and say so once it serves (or, if it is
# slow to, that it is still starting: up to 30 s, as a loaded machine may need); a program
# that exits at once fails the command with its log's path.
restart() {
  local name=$1 was="" from pattern="is running"
  [ "$name" = stanchion ] && die "restart needs stanchion1 or stanchion2"
  command_for "$name" >/dev/null
  if alive "$name"; then was=$(pid_of "$name"); kill -KILL "$was"; fi
  wait_dead "$name" || die "$name is still running 20 s after SIGKILL"
  from=$(stat -c %s "$DIR/log/$name.log" 2>/dev/null || echo 0)
  launch "$name"
  case $name in s3*) pattern="S3 endpoint" ;; esac
  local said="restarted $name (pid $(pid_of "$name"))${was:+; killed pid $was first}"
  for _ in $(seq 1 300); do
    if tail -c "+$((from + 1))" "$DIR/log/$name.log" 2>/dev/null | grep -q "$pattern"; then
      echo "$said"; return 0
    fi
    alive "$name" || die "$name exited after restart; see $DIR/log/$name.log"
    sleep 0.1
  done
  echo "$said; not serving yet after 30 s, see $DIR/log/$name.log"
}

case ${1:-} in
  start) start "${2:-}" ;;
  join) join ;;
  status) admin member-status ;;
  stanchion) admin stanchion status ;;
  admin) shift; admin "$@" ;;
  kill) name=$(resolve_name "${2:?usage: kill NODE}"); signal KILL "$name"
    wait_dead "$name" || die "$name is still running 20 s after SIGKILL"
    echo "killed $name" ;;
  pause) name=$(resolve_name "${2:?usage: pause NODE}"); signal STOP "$name"; echo "paused $name" ;;
  resume) signal CONT "${2:?usage: resume NODE}"; echo "resumed $2" ;;
  restart) restart "${2:?usage: restart NODE}" ;;
  stop) stop ;;
  *) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
