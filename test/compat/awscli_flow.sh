#!/usr/bin/env bash
# The aws CLI (Debian's /usr/bin/aws) against a real cairn process: `aws s3` (cp of a
# 100 MiB file, which the CLI sends and fetches as multipart; sync; ls; presign; rm) and
# `aws s3api` (multipart by hand with abort, copy, tagging, multi-object delete).
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
"${aws[@]}" s3api head-object --bucket cli-bucket --key path/file.bin \
  | grep -q '"ContentLength": 5000000'

# 100 MiB: over the CLI's 8 MiB threshold, so 13 parts up and ranged parts down.
head -c $((100 * 1024 * 1024)) /dev/urandom > "$work/big.bin"
"${aws[@]}" s3 cp --no-progress "$work/big.bin" s3://cli-bucket/big.bin
"${aws[@]}" s3api head-object --bucket cli-bucket --key big.bin > "$work/head.json"
grep -q '"ContentLength": 104857600' "$work/head.json"
grep -q -- '-13\\"' "$work/head.json"
"${aws[@]}" s3 cp --no-progress s3://cli-bucket/big.bin "$work/big-back.bin"
cmp "$work/big.bin" "$work/big-back.bin"
rm "$work/big-back.bin"

# Presigned GET (SigV4 query auth) fetched with curl; the URL refuses a PUT.
url=$("${aws[@]}" s3 presign s3://cli-bucket/path/file.bin --expires-in 120)
curl -sSf -o "$work/presigned.bin" "$url"
cmp "$work/file.bin" "$work/presigned.bin"
test "$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary x "$url")" = 403

# Multipart by hand: two parts out of order, listed, completed; another aborted.
head -c $((5 * 1024 * 1024)) /dev/urandom > "$work/p1"
echo tail > "$work/p2"
upload=$("${aws[@]}" s3api create-multipart-upload --bucket cli-bucket --key manual \
  --query UploadId --output text)
etag2=$("${aws[@]}" s3api upload-part --bucket cli-bucket --key manual --upload-id "$upload" \
  --part-number 2 --body "$work/p2" --query ETag --output text)
etag1=$("${aws[@]}" s3api upload-part --bucket cli-bucket --key manual --upload-id "$upload" \
  --part-number 1 --body "$work/p1" --query ETag --output text)
test "$("${aws[@]}" s3api list-parts --bucket cli-bucket --key manual --upload-id "$upload" \
  --query 'length(Parts)')" = 2
"${aws[@]}" s3api complete-multipart-upload --bucket cli-bucket --key manual \
  --upload-id "$upload" --multipart-upload \
  "{\"Parts\":[{\"PartNumber\":1,\"ETag\":$etag1},{\"PartNumber\":2,\"ETag\":$etag2}]}" >/dev/null
"${aws[@]}" s3api get-object --bucket cli-bucket --key manual "$work/manual" >/dev/null
cat "$work/p1" "$work/p2" | cmp - "$work/manual"
aborted=$("${aws[@]}" s3api create-multipart-upload --bucket cli-bucket --key aborted \
  --query UploadId --output text)
"${aws[@]}" s3api abort-multipart-upload --bucket cli-bucket --key aborted --upload-id "$aborted"
test "$("${aws[@]}" s3api list-multipart-uploads --bucket cli-bucket \
  --query 'length(Uploads || `[]`)')" = 0

# Copy, tagging, sync, multi-object delete.
"${aws[@]}" s3api copy-object --bucket cli-bucket --key copied \
  --copy-source cli-bucket/path/file.bin >/dev/null
"${aws[@]}" s3api get-object --bucket cli-bucket --key copied "$work/copied" >/dev/null
cmp "$work/file.bin" "$work/copied"
"${aws[@]}" s3api put-object-tagging --bucket cli-bucket --key copied \
  --tagging 'TagSet=[{Key=t,Value=1}]'
"${aws[@]}" s3api get-object-tagging --bucket cli-bucket --key copied | grep -q '"Value": "1"'
mkdir -p "$work/tree/sub" && echo one > "$work/tree/a.txt" && echo two > "$work/tree/sub/b.txt"
"${aws[@]}" s3 sync "$work/tree" s3://cli-bucket/tree
test "$("${aws[@]}" s3 ls --recursive s3://cli-bucket/tree/ | wc -l)" = 2
"${aws[@]}" s3api delete-objects --bucket cli-bucket \
  --delete '{"Objects":[{"Key":"manual"},{"Key":"copied"}]}' | grep -q '"Key": "copied"'
"${aws[@]}" s3 rm --recursive s3://cli-bucket/
test "$("${aws[@]}" s3api list-objects-v2 --bucket cli-bucket \
  --query 'length(Contents || `[]`)')" = 0
"${aws[@]}" s3 rb s3://cli-bucket
echo "aws cli flow OK"
