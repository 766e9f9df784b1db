"""A boto3 (Signature V4) flow against a real cairn process: buckets, objects, listing,
paging, ranges, errors; multipart (the transfer manager, and by hand with UploadPartCopy,
ListParts and abort); presigned GET/PUT/HEAD URLs (SigV4 and botocore's default); copy,
tagging, multi-object delete."""
import hashlib
import io
import os
import urllib.error
import urllib.request

import boto3
from boto3.s3.transfer import TransferConfig
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
# The owner's re-create in us-east-1: 200, as S3 answers legacy clients.
assert s3.create_bucket(Bucket='boto3-bucket')['ResponseMetadata']['HTTPStatusCode'] == 200

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

# Multipart through the transfer manager: 12 MiB in 5 MiB parts, down again in ranges.
big = os.urandom(12 * 1024 * 1024 + 5)
five_mib = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
s3.upload_fileobj(io.BytesIO(big), 'boto3-bucket', 'multi/big', Config=five_mib)
head = s3.head_object(Bucket='boto3-bucket', Key='multi/big')
assert head['ContentLength'] == len(big) and head['ETag'].endswith('-3"'), head
back = io.BytesIO()
s3.download_fileobj('boto3-bucket', 'multi/big', back, Config=five_mib)
assert back.getvalue() == big

# Multipart by hand: a part copied from an object's range, a part uploaded, ListParts.
upload = s3.create_multipart_upload(Bucket='boto3-bucket', Key='multi/manual')
uid = upload['UploadId']
copied = s3.upload_part_copy(Bucket='boto3-bucket', Key='multi/manual', UploadId=uid,
                             PartNumber=1,
                             CopySource={'Bucket': 'boto3-bucket', 'Key': 'multi/big'},
                             CopySourceRange='bytes=0-5242879')
tail = s3.upload_part(Bucket='boto3-bucket', Key='multi/manual', UploadId=uid, PartNumber=2,
                      Body=b'tail')
listed = s3.list_parts(Bucket='boto3-bucket', Key='multi/manual', UploadId=uid)
assert [p['PartNumber'] for p in listed['Parts']] == [1, 2]
s3.complete_multipart_upload(
    Bucket='boto3-bucket', Key='multi/manual', UploadId=uid,
    MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': copied['CopyPartResult']['ETag']},
                               {'PartNumber': 2, 'ETag': tail['ETag']}]})
manual = s3.get_object(Bucket='boto3-bucket', Key='multi/manual')['Body'].read()
assert manual == big[:5242880] + b'tail'
aborted = s3.create_multipart_upload(Bucket='boto3-bucket', Key='multi/aborted')
s3.abort_multipart_upload(Bucket='boto3-bucket', Key='multi/aborted', UploadId=aborted['UploadId'])
assert s3.list_multipart_uploads(Bucket='boto3-bucket').get('Uploads', []) == []

# Presigned URLs, SigV4 explicitly and botocore's default signer for S3 presigns.
for config in (Config(signature_version='s3v4', s3={'addressing_style': 'path'}),
               Config(s3={'addressing_style': 'path'})):
    signer = boto3.client('s3', endpoint_url=os.environ['CAIRN_URL'], region_name='us-east-1',
                          aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'],
                          aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'], config=config)
    params = {'Bucket': 'boto3-bucket', 'Key': 'presigned'}
    put_url = signer.generate_presigned_url('put_object', Params=params, ExpiresIn=60)
    request = urllib.request.Request(put_url, data=b'via presigned PUT', method='PUT',
                                     headers={'Content-Type': ''})
    assert urllib.request.urlopen(request).status == 200
    get_url = signer.generate_presigned_url('get_object', Params=params, ExpiresIn=60)
    assert urllib.request.urlopen(get_url).read() == b'via presigned PUT'
    head_url = signer.generate_presigned_url('head_object', Params=params, ExpiresIn=60)
    head_request = urllib.request.Request(head_url, method='HEAD')
    assert urllib.request.urlopen(head_request).headers['Content-Length'] == '17'
    try:
        urllib.request.urlopen(urllib.request.Request(get_url, method='DELETE'))
        raise AssertionError('a GET URL was accepted for a DELETE')
    except urllib.error.HTTPError as e:
        assert e.code == 403, e.code

# Copy, tagging, and the multi-object delete that empties the bucket.
s3.copy_object(Bucket='boto3-bucket', Key='copy', CopySource={'Bucket': 'boto3-bucket',
                                                              'Key': 'dir/blob'})
assert hashlib.md5(s3.get_object(Bucket='boto3-bucket', Key='copy')['Body'].read()).digest() \
    == hashlib.md5(body).digest()
s3.put_object_tagging(Bucket='boto3-bucket', Key='copy',
                      Tagging={'TagSet': [{'Key': 't', 'Value': '1'}]})
assert s3.get_object_tagging(Bucket='boto3-bucket', Key='copy')['TagSet'] == \
    [{'Key': 't', 'Value': '1'}]

try:
    s3.delete_bucket(Bucket='boto3-bucket')
    raise AssertionError('deleted a bucket with objects')
except ClientError as e:
    assert e.response['Error']['Code'] == 'BucketNotEmpty'

everything = [o['Key'] for o in s3.list_objects_v2(Bucket='boto3-bucket')['Contents']]
deleted = s3.delete_objects(Bucket='boto3-bucket',
                            Delete={'Objects': [{'Key': k} for k in everything]})
assert sorted(d['Key'] for d in deleted['Deleted']) == sorted(everything)
assert 'Contents' not in s3.list_objects_v2(Bucket='boto3-bucket')
s3.delete_bucket(Bucket='boto3-bucket')
assert s3.list_buckets()['Buckets'] == []
print('boto3 flow OK')
