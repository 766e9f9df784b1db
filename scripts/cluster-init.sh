#!/bin/sh
# docker-compose's one-shot `cluster-init`: joins every storage node to the first, plans and
# commits, and makes the cluster's admin keys. Any failure stops it with a non-zero exit and
# says which node and what to check, so `docker compose up` never "completes" on a partial
# cluster (the stanchions wait for this to succeed). Run again on a formed cluster it joins
# nothing and keeps the keys it made, so a later `docker compose up` passes through it.
#
# The admin keys are made once, before any stanchion starts, in $CAIRN_INIT_KEYS_DIR (a
# volume): admin.conf (admin.key/admin.secret, read by the stanchions through CAIRN_CONFIG:
# the first one creates the admin with them) and admin.env (AWS_ACCESS_KEY_ID=…, for the
# operator), both mode 0600 and never printed.
#
# Environment:
#   CAIRN_INIT_NODES     the nodes, "name@host:port" each, space-separated; the first is
#                        the one the others join (default dev1@dev1:8087 … dev5@dev5:8087)
#   CAIRN_INIT_KEYS_DIR  where the admin keys go (default /cluster)
#   CAIRN_ADMIN          the cairn-admin command (default node /app/dist/src/cli/cairn-admin.js)
#   CAIRN_COOKIE         the cluster cookie, read by cairn-admin
# Plain POSIX sh: the image has no bash.
set -eu

NODES=${CAIRN_INIT_NODES:-dev1@dev1:8087 dev2@dev2:8087 dev3@dev3:8087 dev4@dev4:8087 dev5@dev5:8087}
KEYS_DIR=${CAIRN_INIT_KEYS_DIR:-/cluster}
ADMIN=${CAIRN_ADMIN:-node /app/dist/src/cli/cairn-admin.js}

fail() {
  echo "cluster-init: $*" >&2
  exit 1
}
# The host:port of a "name@host:port" node, and its name without the port.
address_of() { echo "${1#*@}"; }
name_of() { echo "${1%:*}"; }

# Runs cairn-admin; on failure says what it was doing and stops.
admin() {
  what=$1
  shift
  # shellcheck disable=SC2086
  $ADMIN "$@" || fail "$what failed (cairn-admin $*): check that node's log and the cookie"
}

# A random string of 2*N hex digits (upper case for a key id, as Riak CS's).
random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

make_keys() {
  if [ -s "$KEYS_DIR/admin.conf" ] && [ -s "$KEYS_DIR/admin.env" ]; then
    echo "cluster-init: admin keys kept in $KEYS_DIR/admin.env"
    return 0
  fi
  mkdir -p "$KEYS_DIR" || fail "cannot create $KEYS_DIR"
  key=$(random_hex 10 | tr a-f A-F)
  secret=$(random_hex 20)
  [ ${#key} -eq 20 ] && [ ${#secret} -eq 40 ] || fail "could not read /dev/urandom"
  (
    umask 077
    printf 'admin.key = %s\nadmin.secret = %s\n' "$key" "$secret" >"$KEYS_DIR/admin.conf.tmp"
    printf 'AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' "$key" "$secret" \
      >"$KEYS_DIR/admin.env.tmp"
  ) || fail "cannot write the admin keys in $KEYS_DIR"
  chmod 600 "$KEYS_DIR/admin.conf.tmp" "$KEYS_DIR/admin.env.tmp"
  mv "$KEYS_DIR/admin.conf.tmp" "$KEYS_DIR/admin.conf"
  mv "$KEYS_DIR/admin.env.tmp" "$KEYS_DIR/admin.env"
  echo "cluster-init: wrote the admin keys to $KEYS_DIR/admin.env (mode 0600)"
}

join_nodes() {
  first=""
  joined=0
  for node in $NODES; do
    case $node in *@*:*) ;; *) fail "node '$node' is not name@host:port" ;; esac
    if [ -z "$first" ]; then
      first=$node
      status=$(admin "member-status of $(name_of "$first")" --node "$(address_of "$first")" \
        member-status)
      continue
    fi
    if printf '%s\n' "$status" | grep -q "^valid .*'$(name_of "$node")'\$"; then
      echo "cluster-init: $(name_of "$node") is already a member"
      continue
    fi
    admin "joining $(name_of "$node") to $(name_of "$first")" --node "$(address_of "$node")" \
      cluster join "$first"
    joined=$((joined + 1))
  done
  [ -n "$first" ] || fail "no nodes in CAIRN_INIT_NODES"
  if [ "$joined" -eq 0 ]; then
    echo "cluster-init: every node is already a member; nothing to commit"
  else
    admin "cluster plan" --node "$(address_of "$first")" cluster plan
    admin "cluster commit" --node "$(address_of "$first")" cluster commit
  fi
  admin "member-status" --node "$(address_of "$first")" member-status
}

make_keys
join_nodes
echo "cluster-init: done"
