#!/usr/bin/env bash
# The aws CLI (Debian's /usr/bin/aws) against a real cairn process: s3 and s3api commands.
# Files stay under the CLI's 8 MiB multipart threshold: multipart is not served yet.
set -euo pipefail
aws=(/usr/bin/aws --endpoint-url "$CAIRN_URL" --region us-east-1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
"${aws[@]}" s3 mb s3://cli-bucket
head -c 5000000 /dev/urandom > "$work/file.bin"
"${aws[@]}" s3 cp "$work/file.bin" s3://cli-bucket/path/file.bin
"${aws[@]}" s3 cp s3://cli-bucket/path/file.bin "$work/back.bin"
cmp "$work/file.bin" "$work/back.bin"
"${aws[@]}" s3 ls s3://cli-bucket/path/ | grep -q 'file.bin'
"${aws[@]}" s3api head-object --bucket cli-bucket --key path/file.bin | grep -q '"ContentLength": 5000000'
mkdir -p "$work/tree/sub" && echo one > "$work/tree/a.txt" && echo two > "$work/tree/sub/b.txt"
"${aws[@]}" s3 sync "$work/tree" s3://cli-bucket/tree
test "$("${aws[@]}" s3 ls --recursive s3://cli-bucket/tree/ | wc -l)" = 2
"${aws[@]}" s3 rm --recursive s3://cli-bucket/
"${aws[@]}" s3 rb s3://cli-bucket
echo "aws cli flow OK"
