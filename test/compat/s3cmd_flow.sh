#!/usr/bin/env bash
# s3cmd (Debian's) against a real cairn process, Signature V2 or V4 (S3CMD_V2), path style:
# put/get/ls, a 12 MiB multipart put in 5 MiB chunks, server-side copy, sync, a presigned
# URL (signurl) fetched with curl, recursive delete.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
hostport=${CAIRN_URL#http://}
cat > "$work/s3cfg" <<CFG
[default]
access_key = $AWS_ACCESS_KEY_ID
secret_key = $AWS_SECRET_ACCESS_KEY
host_base = $hostport
host_bucket = $hostport
use_https = False
signature_v2 = ${S3CMD_V2:-False}
CFG
s3cmd=(s3cmd -c "$work/s3cfg" --no-progress)
bucket=s3cmd-bucket-${S3CMD_V2:-False}
bucket=${bucket,,}
"${s3cmd[@]}" mb "s3://$bucket"
head -c 3000000 /dev/urandom > "$work/f.bin"
"${s3cmd[@]}" put "$work/f.bin" "s3://$bucket/f.bin"
"${s3cmd[@]}" get "s3://$bucket/f.bin" "$work/g.bin"
cmp "$work/f.bin" "$work/g.bin"
"${s3cmd[@]}" ls "s3://$bucket" | grep -q f.bin

# Multipart: 12 MiB in 5 MiB chunks (3 parts), then nothing left in progress.
head -c $((12 * 1024 * 1024)) /dev/urandom > "$work/big.bin"
# s3cmd shows the MD5 it stored in x-amz-meta-s3cmd-attrs, not the ETag: its debug log
# is what shows the three parts.
"${s3cmd[@]}" --debug put --multipart-chunk-size-mb=5 "$work/big.bin" "s3://$bucket/big.bin" \
  2> "$work/put.log"
grep -q 'partNumber=3&uploadId=' "$work/put.log"
grep -q "POST', uri='/$bucket/big.bin?uploads'" "$work/put.log"
"${s3cmd[@]}" get "s3://$bucket/big.bin" "$work/big-back.bin"
cmp "$work/big.bin" "$work/big-back.bin"
uploads=$("${s3cmd[@]}" multipart "s3://$bucket")
test "$(grep -c "s3://$bucket/[^[:space:]]" <<< "$uploads" || true)" = 0

# Server-side copy and sync.
"${s3cmd[@]}" cp "s3://$bucket/f.bin" "s3://$bucket/copy.bin"
"${s3cmd[@]}" get "s3://$bucket/copy.bin" "$work/copy.bin"
cmp "$work/f.bin" "$work/copy.bin"
mkdir -p "$work/tree/sub" && echo one > "$work/tree/a.txt" && echo two > "$work/tree/sub/b.txt"
"${s3cmd[@]}" sync "$work/tree/" "s3://$bucket/tree/"
test "$("${s3cmd[@]}" ls --recursive "s3://$bucket/tree/" | wc -l)" = 2

# Presigned GET (s3cmd signs URLs with Signature V2 query auth).
url=$("${s3cmd[@]}" signurl "s3://$bucket/f.bin" +120)
curl -sSf -o "$work/presigned.bin" "$url"
cmp "$work/f.bin" "$work/presigned.bin"
test "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$url")" = 403

"${s3cmd[@]}" del --recursive --force "s3://$bucket/"
test -z "$("${s3cmd[@]}" ls --recursive "s3://$bucket")"
"${s3cmd[@]}" rb "s3://$bucket"
echo "s3cmd flow OK"
