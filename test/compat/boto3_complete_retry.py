"""boto3 (Signature V4) retries CompleteMultipartUpload after a lost answer: the retry of a
completed upload naming the same parts must get the same answer (200, ETag, checksum), not
NoSuchUpload. Also the suite's shape of test_multipart_upload and of
test_multipart_reupload_checksum_and_etag, and a retry that names other parts."""
import os

import boto3
from botocore.client import Config
from botocore.exceptions import ClientError

s3 = boto3.client(
    's3',
    endpoint_url=os.environ['CAIRN_URL'],
    aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'],
    aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'],
    region_name='us-east-1',
    config=Config(s3={'addressing_style': 'path'}),
)
BUCKET = 'boto3-retry'
s3.create_bucket(Bucket=BUCKET)
FIVE_MIB = 5 * 1024 * 1024


def upload(key, bodies, **create):
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key=key, **create)['UploadId']
    parts = []
    for number, body in enumerate(bodies, start=1):
        extra = {'ChecksumAlgorithm': create['ChecksumAlgorithm']} if create else {}
        out = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload_id, PartNumber=number,
                             Body=body, **extra)
        part = {'ETag': out['ETag'], 'PartNumber': number}
        if create:
            part['ChecksumSHA256'] = out['ChecksumSHA256']
        parts.append(part)
    return upload_id, parts


def complete(key, upload_id, parts, **extra):
    return s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id,
                                        MultipartUpload={'Parts': parts}, **extra)


bodies = [b'A' * FIVE_MIB, b'B' * FIVE_MIB, b'C' * 1000]
plain_id, plain_parts = upload('plain', bodies)
first = complete('plain', plain_id, plain_parts)
again = complete('plain', plain_id, plain_parts)
assert again['ETag'] == first['ETag'], (first, again)
assert again['ResponseMetadata']['HTTPStatusCode'] == 200
got = s3.get_object(Bucket=BUCKET, Key='plain')['Body'].read()
assert got == b''.join(bodies)

try:
    complete('plain', plain_id, plain_parts[:2])
    raise AssertionError('a retry naming other parts succeeded')
except ClientError as e:
    assert e.response['Error']['Code'] == 'NoSuchUpload', e.response

sha_bodies = [b'A' * FIVE_MIB, b'B' * FIVE_MIB, b'C' * FIVE_MIB]
upload_id, parts = upload('sha', sha_bodies, ChecksumAlgorithm='SHA256')
whole = 'uWBwpe1dxI4Vw8Gf0X9ynOdw/SS6VBzfWm9giiv1sf4=-3'
first = complete('sha', upload_id, parts, ChecksumSHA256=whole)
assert first['ETag'].strip('"') == 'b2add96cc9702bbf4efb0ccdfc6b7747-3', first
assert first['ChecksumSHA256'] == whole, first
again = complete('sha', upload_id, parts, ChecksumSHA256=whole)
assert (again['ETag'], again['ChecksumSHA256']) == (first['ETag'], whole), again

s3.put_object(Bucket=BUCKET, Key='plain', Body=b'overwritten')
try:
    complete('plain', plain_id, plain_parts)
    raise AssertionError('a retry after an overwrite succeeded')
except ClientError as e:
    assert e.response['Error']['Code'] == 'NoSuchUpload', e.response
print('boto3 complete retry OK')
