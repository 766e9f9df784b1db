#!/usr/bin/env bash
# s3cmd (Debian's) against a real cairn process, Signature V2 and V4, path style.
# Files stay under s3cmd's 15 MiB multipart chunk: multipart is not served yet.
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
s3cmd=(s3cmd -c "$work/s3cfg")
bucket=s3cmd-bucket-${S3CMD_V2:-False}
bucket=${bucket,,}
"${s3cmd[@]}" mb "s3://$bucket"
head -c 3000000 /dev/urandom > "$work/f.bin"
"${s3cmd[@]}" put "$work/f.bin" "s3://$bucket/f.bin"
"${s3cmd[@]}" get "s3://$bucket/f.bin" "$work/g.bin"
cmp "$work/f.bin" "$work/g.bin"
"${s3cmd[@]}" ls "s3://$bucket" | grep -q f.bin
"${s3cmd[@]}" del "s3://$bucket/f.bin"
"${s3cmd[@]}" rb "s3://$bucket"
echo "s3cmd flow OK"
