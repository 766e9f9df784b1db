"""boto3 (Signature V4) meets a bucket quota: a put_object, a copy_object and a browser POST
(generate_presigned_post) past the bucket's byte quota end in 403 QuotaExceeded, with
nothing stored; a put that fits, and an overwrite by a smaller object, succeed."""
import os
import urllib.request
import uuid

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
BUCKET = os.environ['QUOTA_BUCKET']  # a quota of 1000 bytes, empty


def code_of(call):
    try:
        call()
        return 'ok'
    except ClientError as error:
        status = error.response['ResponseMetadata']['HTTPStatusCode']
        return '%s %d' % (error.response['Error']['Code'], status)


def post(key, body):
    form = s3.generate_presigned_post(BUCKET, key)
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in form['fields'].items():
        parts.append('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                     % (boundary, name, value))
    head = ''.join(parts) + ('--%s\r\nContent-Disposition: form-data; name="file"; '
                             'filename="f"\r\n\r\n' % boundary)
    data = head.encode() + body + ('\r\n--%s--\r\n' % boundary).encode()
    request = urllib.request.Request(form['url'], data=data, method='POST', headers={
        'Content-Type': 'multipart/form-data; boundary=%s' % boundary})
    try:
        with urllib.request.urlopen(request) as answer:
            return 'ok %d' % answer.status
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        code = text.split('<Code>')[1].split('</Code>')[0] if '<Code>' in text else '?'
        return '%s %d' % (code, error.code)


assert code_of(lambda: s3.put_object(Bucket=BUCKET, Key='a', Body=b'a' * 600)) == 'ok'
got = code_of(lambda: s3.put_object(Bucket=BUCKET, Key='b', Body=b'b' * 600))
assert got == 'QuotaExceeded 403', got
got = code_of(lambda: s3.copy_object(Bucket=BUCKET, Key='c', CopySource={'Bucket': BUCKET, 'Key': 'a'}))
assert got == 'QuotaExceeded 403', got
got = post('d', b'd' * 600)
assert got == 'QuotaExceeded 403', got
assert code_of(lambda: s3.put_object(Bucket=BUCKET, Key='a', Body=b'a' * 100)) == 'ok'
assert post('d', b'd' * 600) == 'ok 204', 'a POST that fits'
keys = sorted(o['Key'] for o in s3.list_objects_v2(Bucket=BUCKET).get('Contents', []))
assert keys == ['a', 'd'], keys
print('boto3 quota OK')
