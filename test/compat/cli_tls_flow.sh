#!/usr/bin/env bash
# The aws CLI or s3cmd ($1) against cairn over HTTPS ($CAIRN_URL), verifying the server's
# certificate with a test CA ($CAIRN_CA), never --no-verify-ssl: first without the CA (the
# client must refuse the server), then mb, a multipart put, get, ls, a presigned URL (https,
# fetched with curl and the CA), delete.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
hostport=${CAIRN_URL#https://}
head -c $((9 * 1024 * 1024)) /dev/urandom > "$work/f.bin"
case $1 in
  aws)
    bucket=cli-tls-aws
    cli=(/usr/bin/aws --endpoint-url "$CAIRN_URL" --region us-east-1)
    # Unset, not empty: an empty AWS_CA_BUNDLE turns verification off in botocore.
    if env -u AWS_CA_BUNDLE "${cli[@]}" s3 ls 2>"$work/err"; then
      echo "aws accepted a certificate from an unknown CA" >&2; exit 1
    fi
    grep -qi 'certificate verify failed\|SSL validation failed' "$work/err"
    export AWS_CA_BUNDLE=$CAIRN_CA
    "${cli[@]}" s3 mb "s3://$bucket"
    "${cli[@]}" s3 cp "$work/f.bin" "s3://$bucket/f.bin"
    "${cli[@]}" s3 cp "s3://$bucket/f.bin" "$work/g.bin"
    "${cli[@]}" s3 ls "s3://$bucket" | grep -q f.bin
    url=$("${cli[@]}" s3 presign "s3://$bucket/f.bin" --expires-in 120)
    remove=("${cli[@]}" s3 rb --force "s3://$bucket")
    ;;
  s3cmd)
    bucket=cli-tls-s3cmd
    config() {
      cat <<CFG
[default]
access_key = $AWS_ACCESS_KEY_ID
secret_key = $AWS_SECRET_ACCESS_KEY
host_base = $hostport
host_bucket = $hostport
use_https = True
check_ssl_certificate = True
check_ssl_hostname = True
ca_certs_file = $1
signurl_use_https = True
CFG
    }
    config "" > "$work/untrusted.cfg"
    if s3cmd -c "$work/untrusted.cfg" ls 2>"$work/err"; then
      echo "s3cmd accepted a certificate from an unknown CA" >&2; exit 1
    fi
    grep -qi 'certificate verify failed' "$work/err"
    config "$CAIRN_CA" > "$work/s3cfg"
    cli=(s3cmd -c "$work/s3cfg" --no-progress --multipart-chunk-size-mb=5)
    "${cli[@]}" mb "s3://$bucket"
    "${cli[@]}" put "$work/f.bin" "s3://$bucket/f.bin"
    "${cli[@]}" get "s3://$bucket/f.bin" "$work/g.bin"
    "${cli[@]}" ls "s3://$bucket" | grep -q f.bin
    url=$("${cli[@]}" signurl "s3://$bucket/f.bin" +120)
    remove=("${cli[@]}" rb --recursive "s3://$bucket")
    ;;
  *) echo "usage: $0 aws|s3cmd" >&2; exit 2 ;;
esac
cmp "$work/f.bin" "$work/g.bin"
case $url in https://*) ;; *) echo "presigned URL is not https: $url" >&2; exit 1 ;; esac
curl -sSf --cacert "$CAIRN_CA" -o "$work/h.bin" "$url"
cmp "$work/f.bin" "$work/h.bin"
"${remove[@]}"
echo "$1 tls flow OK"
