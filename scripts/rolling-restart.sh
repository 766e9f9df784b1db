#!/usr/bin/env bash
# Restarts a running dev cluster (scripts/dev-cluster.sh, same CAIRN_DEV_DIR and
# CAIRN_DEV_BASE_PORT) one process at a time, as an upgrade in place would: each storage node
# dev1..devN, then the standby stanchion, then the active one. Each is stopped gracefully
# (SIGTERM: a node tells the cluster it is going and answers what it has in flight, the
# active stanchion hands its role over, then each closes its store; SIGKILL only if it has
# not exited after $CAIRN_ROLLING_STOP_WAIT seconds, default 45: above shutdown.grace, 30 s
# by default, past which a process cuts what is left itself), started again, and the next
# one waits until it serves and the cluster has settled:
#   - a node: it answers, every member is up and reachable (ring-status), no ownership
#     change is pending and every handoff, ownership or hinted, is done (transfers);
#   - a stanchion: it answers and has caught up with the active one's log, and one
#     stanchion is active.
# Settling may take up to $CAIRN_ROLLING_SETTLE_WAIT seconds (default 300); past that the
# script stops, with what it last saw, and restarts nothing more.
#
#   scripts/rolling-restart.sh            every node, then both stanchions
#   scripts/rolling-restart.sh NAME...    only these (dev3, stanchion1, ...), in this order
#
# Prints one line per step (stopped, started, settled); exits non-zero on any failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEV="$ROOT/scripts/dev-cluster.sh"
DIR=${CAIRN_DEV_DIR:-./dev}
[ -d "$DIR" ] || { echo "rolling-restart: no cluster in $DIR" >&2; exit 1; }
DIR=$(cd "$DIR" && pwd)
export CAIRN_DEV_DIR=$DIR
STOP_WAIT=${CAIRN_ROLLING_STOP_WAIT:-45}
SETTLE_WAIT=${CAIRN_ROLLING_SETTLE_WAIT:-300}

die() { echo "rolling-restart: $*" >&2; exit 1; }
now() { date +%s; }
pid_of() { cat "$DIR/pids/$1.pid" 2>/dev/null || true; }
running() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# Graceful stop: SIGTERM, then wait; SIGKILL only as the last resort.
stop_one() {
  local name=$1 pid
  pid=$(pid_of "$name")
  running "$name" || die "$name is not running"
  kill -TERM "$pid"
  for _ in $(seq 1 $((STOP_WAIT * 10))); do
    kill -0 "$pid" 2>/dev/null || { echo "stopped $name (pid $pid, SIGTERM)"; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  echo "killed $name (pid $pid): still running $STOP_WAIT s after SIGTERM"
}

# The nodes' view is settled: all up, nothing pending, every transfer done.
nodes_settled() {
  local ring transfers
  ring=$("$DEV" admin ring-status 2>&1) || { LAST=$ring; return 1; }
  LAST=$ring
  grep -q 'No pending changes.' <<<"$ring" || return 1
  grep -q 'All nodes are up and reachable' <<<"$ring" || return 1
  transfers=$("$DEV" admin transfers --json 2>&1) || { LAST=$transfers; return 1; }
  LAST=$transfers
  node -e "const v = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    process.exit(v.unreachable.length === 0 && v.transfers.every((t) => t.state === 'done') ? 0 : 1)" \
    <<<"$transfers"
}

# Both stanchions answer, one is active and `name` has applied all the active one committed.
stanchion_settled() {
  local name=$1 port json
  port=$(( ${CAIRN_DEV_BASE_PORT:-8100} + 84 + ${name#stanchion} ))
  json=$("$DEV" admin stanchion status --json 2>&1) || { LAST=$json; return 1; }
  LAST=$json
  node -e "const all = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const me = all.find((s) => s.address === '127.0.0.1:$port')?.status;
    const active = all.find((s) => s.status?.role === 'active')?.status;
    const ok = me && active && all.every((s) => s.status) &&
      me.appliedSeq >= (active.leader?.committedSeq ?? active.appliedSeq);
    process.exit(ok ? 0 : 1)" <<<"$json"
}

settle() {
  local name=$1 check=$2 deadline
  deadline=$(( $(now) + SETTLE_WAIT ))
  LAST=""
  until "$check" "$name"; do
    [ "$(now)" -lt "$deadline" ] || die "$name: not settled after $SETTLE_WAIT s; last seen:
$LAST"
    sleep 1
  done
  echo "settled: $name"
}

restart_one() {
  local name=$1 check=nodes_settled
  case $name in stanchion[12]) check=stanchion_settled ;; esac
  stop_one "$name"
  local said
  said=$("$DEV" restart "$name") || die "$name did not start again"
  case $said in *"not serving yet"*) die "$name did not come back: $said" ;; esac
  echo "started $name (pid $(pid_of "$name"))"
  settle "$name" "$check"
}

# The stanchion that is not the active one first, so the cluster fails over only once.
stanchion_order() {
  local active
  active=$("$DEV" admin stanchion status --json | node -e "
    const all = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const a = all.find((s) => s.status?.role === 'active');
    process.stdout.write(a ? a.address : '')")
  if [ "$active" = "127.0.0.1:$(( ${CAIRN_DEV_BASE_PORT:-8100} + 85 ))" ]; then
    echo stanchion2 stanchion1
  else
    echo stanchion1 stanchion2
  fi
}

main() {
  local names n
  if [ $# -gt 0 ]; then
    names="$*"
  else
    n=$(cat "$DIR/count" 2>/dev/null) || die "no cluster in $DIR"
    names=$(for i in $(seq 1 "$n"); do printf 'dev%s ' "$i"; done)
    names="$names $(stanchion_order)"
  fi
  settle "the cluster before any restart" nodes_settled
  for name in $names; do restart_one "$name"; done
  echo "rolling restart done: $names"
}

main "$@"
