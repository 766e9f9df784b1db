"""A boto3 (Signature V4) flow against a real cairn process: buckets, objects, multipart-free
uploads via upload_fileobj below the multipart threshold, listing, paging, ranges, errors."""
import io
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
assert s3.list_buckets()['Buckets'] == []
s3.create_bucket(Bucket='boto3-bucket')
try:
    s3.create_bucket(Bucket='boto3-bucket')
    raise AssertionError('second create succeeded')
except ClientError as e:
    assert e.response['Error']['Code'] == 'BucketAlreadyOwnedByYou', e.response

body = os.urandom(3 * 1024 * 1024 + 17)
s3.put_object(Bucket='boto3-bucket', Key='dir/blob', Body=body, Metadata={'k': 'v'})
got = s3.get_object(Bucket='boto3-bucket', Key='dir/blob')
assert got['Body'].read() == body
assert got['Metadata'] == {'k': 'v'}
part = s3.get_object(Bucket='boto3-bucket', Key='dir/blob', Range='bytes=100-199')
assert part['Body'].read() == body[100:200]
assert part['ContentRange'] == 'bytes 100-199/%d' % len(body)

s3.upload_fileobj(io.BytesIO(b'small file'), 'boto3-bucket', 'dir/small')
for i in range(5):
    s3.put_object(Bucket='boto3-bucket', Key='page/%02d' % i, Body=b'x')
pages = s3.get_paginator('list_objects_v2').paginate(
    Bucket='boto3-bucket', Prefix='page/', PaginationConfig={'PageSize': 2})
keys = [o['Key'] for p in pages for o in p.get('Contents', [])]
assert keys == ['page/%02d' % i for i in range(5)], keys
top = s3.list_objects(Bucket='boto3-bucket', Delimiter='/')
assert [p['Prefix'] for p in top['CommonPrefixes']] == ['dir/', 'page/']

try:
    s3.head_object(Bucket='boto3-bucket', Key='missing')
    raise AssertionError('head of a missing key succeeded')
except ClientError as e:
    assert e.response['ResponseMetadata']['HTTPStatusCode'] == 404

try:
    s3.delete_bucket(Bucket='boto3-bucket')
    raise AssertionError('deleted a bucket with objects')
except ClientError as e:
    assert e.response['Error']['Code'] == 'BucketNotEmpty'

for key in keys + ['dir/blob', 'dir/small']:
    s3.delete_object(Bucket='boto3-bucket', Key=key)
s3.delete_bucket(Bucket='boto3-bucket')
assert s3.list_buckets()['Buckets'] == []
print('boto3 flow OK')
