#!/usr/bin/env bash
# Versioning through three real clients against a real cairn process (issue 19): the aws CLI
# (Debian's /usr/bin/aws) turns versioning on, writes two versions and a delete marker and
# reads them back with `s3api list-object-versions`; rclone lists the versions with
# --s3-versions; boto3 removes every version and marker with bucket.object_versions.delete(),
# after which the bucket lists nothing and can be deleted.
set -euo pipefail
unset AWS_CA_BUNDLE
aws=(/usr/bin/aws --endpoint-url "$CAIRN_URL" --region us-east-1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
bucket=versions-flow

"${aws[@]}" s3api create-bucket --bucket "$bucket" > /dev/null
"${aws[@]}" s3api put-bucket-versioning --bucket "$bucket" \
  --versioning-configuration Status=Enabled
"${aws[@]}" s3api get-bucket-versioning --bucket "$bucket" | grep -q '"Status": "Enabled"'
echo first > "$work/one"
echo second > "$work/two"
v1=$("${aws[@]}" s3api put-object --bucket "$bucket" --key doc --body "$work/one" \
  --query VersionId --output text)
"${aws[@]}" s3api put-object --bucket "$bucket" --key doc --body "$work/two" > /dev/null
"${aws[@]}" s3api delete-object --bucket "$bucket" --key doc > "$work/delete.json"
grep -q '"DeleteMarker": true' "$work/delete.json"
"${aws[@]}" s3api get-object --bucket "$bucket" --key doc --version-id "$v1" "$work/back" \
  > /dev/null
cmp "$work/one" "$work/back"
"${aws[@]}" s3api list-object-versions --bucket "$bucket" > "$work/versions.json"
python3 - "$work/versions.json" <<'PY'
import json, sys
listing = json.load(open(sys.argv[1]))
versions, markers = listing["Versions"], listing["DeleteMarkers"]
assert [v["IsLatest"] for v in versions] == [False, False], versions
assert len(markers) == 1 and markers[0]["IsLatest"], markers
assert versions[0]["VersionId"] > versions[1]["VersionId"], versions
PY

export RCLONE_CONFIG=/dev/null
export RCLONE_CONFIG_CAIRN_TYPE=s3
export RCLONE_CONFIG_CAIRN_PROVIDER=Other
export RCLONE_CONFIG_CAIRN_ENV_AUTH=false
export RCLONE_CONFIG_CAIRN_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID"
export RCLONE_CONFIG_CAIRN_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY"
export RCLONE_CONFIG_CAIRN_ENDPOINT="$CAIRN_URL"
export RCLONE_CONFIG_CAIRN_REGION=us-east-1
export RCLONE_CONFIG_CAIRN_FORCE_PATH_STYLE=true
# The current version is a delete marker: rclone shows the two old versions, by date.
listing=$(rclone --retries 1 --low-level-retries 1 --s3-versions lsf "cairn:$bucket")
[ "$(grep -c '^doc-v' <<< "$listing")" = 2 ] || { echo "rclone listed: $listing"; exit 1; }

python3 - "$bucket" <<'PY'
import os, sys
import boto3
s3 = boto3.resource(
    "s3",
    endpoint_url=os.environ["CAIRN_URL"],
    region_name="us-east-1",
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
)
bucket = s3.Bucket(sys.argv[1])
bucket.object_versions.delete()
left = s3.meta.client.list_object_versions(Bucket=sys.argv[1])
assert "Versions" not in left and "DeleteMarkers" not in left, left
bucket.delete()
PY
echo "versions flow OK"
