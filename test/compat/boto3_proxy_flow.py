"""boto3 through Cairn as the HTTP proxy for s3.amazonaws.com (Riak CS's cs_root_host set-up):
the client addresses s3.amazonaws.com, with Config(proxies=...) pointing at Cairn, in
virtual-hosted style (bucket.s3.amazonaws.com) and in path style; run by
test/integration/compat.test.ts."""
import os
import boto3
from botocore.client import Config

PORT = int(os.environ['PORT'])
for style in ('virtual', 'path'):
    s3 = boto3.client(
        's3', region_name='us-east-1', endpoint_url='http://s3.amazonaws.com',
        aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'],
        aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'],
        config=Config(proxies={'http': 'http://127.0.0.1:%d' % PORT},
                      s3={'addressing_style': style}))
    bucket = 'proxied-' + style
    s3.create_bucket(Bucket=bucket)
    assert bucket in [b['Name'] for b in s3.list_buckets()['Buckets']]
    s3.put_object(Bucket=bucket, Key='a key/x.txt', Body=b'through the proxy',
                  ACL='public-read', Metadata={'colour': 'green'})
    got = s3.get_object(Bucket=bucket, Key='a key/x.txt')
    assert got['Body'].read() == b'through the proxy'
    assert got['Metadata'] == {'colour': 'green'}
    grants = s3.get_object_acl(Bucket=bucket, Key='a key/x.txt')['Grants']
    assert any(g['Grantee'].get('URI', '').endswith('AllUsers') for g in grants), grants
    assert [o['Key'] for o in s3.list_objects_v2(Bucket=bucket)['Contents']] == ['a key/x.txt']
    upload = s3.create_multipart_upload(Bucket=bucket, Key='big')['UploadId']
    part = s3.upload_part(Bucket=bucket, Key='big', UploadId=upload, PartNumber=1,
                          Body=b'x' * 1000)
    s3.complete_multipart_upload(
        Bucket=bucket, Key='big', UploadId=upload,
        MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': part['ETag']}]})
    assert s3.head_object(Bucket=bucket, Key='big')['ContentLength'] == 1000
    for key in ('a key/x.txt', 'big'):
        s3.delete_object(Bucket=bucket, Key=key)
    s3.delete_bucket(Bucket=bucket)
print('boto3 proxy flow OK')
