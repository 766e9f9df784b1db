#!/usr/bin/env bash
# Writes a random cluster cookie into .env beside docker-compose.yml (or in DIR, when given),
# where `docker compose` reads CAIRN_COOKIE from: every container of the cluster gets the same
# secret, and no cluster runs on a cookie anyone could know. An existing CAIRN_COOKIE line is
# kept (the cluster's data was made with it); the file's other lines are left alone.
#
#   scripts/compose-init.sh [DIR]
set -euo pipefail

DIR=${1:-$(cd "$(dirname "$0")/.." && pwd)}
ENV_FILE="$DIR/.env"

if [ -f "$ENV_FILE" ] && grep -q '^CAIRN_COOKIE=..*' "$ENV_FILE"; then
  echo "compose-init: $ENV_FILE already has a CAIRN_COOKIE; kept"
  exit 0
fi
cookie=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
[ ${#cookie} -eq 64 ] || { echo "compose-init: could not read /dev/urandom" >&2; exit 1; }
(
  umask 077
  touch "$ENV_FILE"
  # Drop an empty CAIRN_COOKIE= line, if any, before adding the new one.
  grep -v '^CAIRN_COOKIE=' "$ENV_FILE" >"$ENV_FILE.tmp" || true
  printf 'CAIRN_COOKIE=%s\n' "$cookie" >>"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
)
chmod 600 "$ENV_FILE"
echo "compose-init: wrote a new CAIRN_COOKIE to $ENV_FILE (keep it secret; back it up)"
