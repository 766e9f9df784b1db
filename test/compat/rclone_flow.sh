#!/usr/bin/env bash
# rclone (Debian's; a Go client, so run without AWS_CA_BUNDLE) against a real cairn process,
# configured only through RCLONE_CONFIG_CAIRN_* variables: provider Other, path style.
# mkdir, copyto (a 20 MiB multipart upload in 5 MiB chunks), server-side copy, lsl, sync +
# check, md5sum, a presigned link (rclone link) fetched with curl, delete, rmdir.
set -euo pipefail
unset AWS_CA_BUNDLE
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No config file at all: everything comes from the environment.
export RCLONE_CONFIG=/dev/null
export RCLONE_CONFIG_CAIRN_TYPE=s3
export RCLONE_CONFIG_CAIRN_PROVIDER=Other
export RCLONE_CONFIG_CAIRN_ENV_AUTH=false
export RCLONE_CONFIG_CAIRN_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID"
export RCLONE_CONFIG_CAIRN_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY"
export RCLONE_CONFIG_CAIRN_ENDPOINT="$CAIRN_URL"
export RCLONE_CONFIG_CAIRN_REGION=us-east-1
export RCLONE_CONFIG_CAIRN_FORCE_PATH_STYLE=true
rclone=(rclone --retries 1 --low-level-retries 1)
remote=cairn:rclone-bucket

"${rclone[@]}" mkdir "$remote"
head -c 3000000 /dev/urandom > "$work/small.bin"
"${rclone[@]}" copyto "$work/small.bin" "$remote/small.bin"
"${rclone[@]}" copyto "$remote/small.bin" "$work/small-back.bin"
cmp "$work/small.bin" "$work/small-back.bin"

# Multipart: 20 MiB over a 5 MiB cutoff in 5 MiB chunks (4 parts).
head -c $((20 * 1024 * 1024)) /dev/urandom > "$work/big.bin"
"${rclone[@]}" copyto --s3-upload-cutoff 5M --s3-chunk-size 5M -vv \
  "$work/big.bin" "$remote/big.bin" 2> "$work/copy.log"
grep -q 'multipart upload starting chunk 4' "$work/copy.log"
"${rclone[@]}" copyto "$remote/big.bin" "$work/big-back.bin"
cmp "$work/big.bin" "$work/big-back.bin"
# (Listings are captured before grep: grep -q exiting early would fail rclone with SIGPIPE.)
listing=$("${rclone[@]}" lsl "$remote")
grep -q ' 20971520 .* big.bin$' <<< "$listing"

# Server-side copy, then md5sum (rclone keeps a multipart object's MD5 in its metadata).
"${rclone[@]}" copyto "$remote/small.bin" "$remote/copied.bin"
test "$("${rclone[@]}" md5sum "$remote/copied.bin" | cut -d' ' -f1)" = \
  "$(md5sum "$work/small.bin" | cut -d' ' -f1)"
test "$("${rclone[@]}" md5sum "$remote/big.bin" | cut -d' ' -f1)" = \
  "$(md5sum "$work/big.bin" | cut -d' ' -f1)"

mkdir -p "$work/tree/sub" && echo one > "$work/tree/a.txt" && echo two > "$work/tree/sub/b.txt"
"${rclone[@]}" sync "$work/tree" "$remote/tree"
"${rclone[@]}" check "$work/tree" "$remote/tree"

# A presigned GET (rclone link), fetched with curl; it is refused for a PUT.
url=$("${rclone[@]}" link --expire 10m "$remote/small.bin")
curl -sSf -o "$work/linked.bin" "$url"
cmp "$work/small.bin" "$work/linked.bin"
test "$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary x "$url")" = 403

"${rclone[@]}" delete "$remote"
test -z "$("${rclone[@]}" lsf -R "$remote")"
"${rclone[@]}" rmdir "$remote"
buckets=$("${rclone[@]}" lsd cairn:)
if grep -q rclone-bucket <<< "$buckets"; then exit 1; fi
echo "rclone flow OK"
