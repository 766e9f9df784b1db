"""boto3 against cairn over HTTPS, verifying the certificate with a test CA (CAIRN_CA):
objects, multipart (Complete's Location is https), presigned GET and PUT URLs (https, fetched
with the CA), browser POST uploads (201 Location and 303 redirect keep https), and a bucket
policy on aws:SecureTransport that only a TLS request satisfies. Without the CA, the client
refuses the server: verification is on."""
import io
import json
import os
import ssl
import urllib.error
import urllib.request
import uuid

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.client import Config
from botocore.exceptions import SSLError

URL = os.environ['CAIRN_URL']
CA = os.environ['CAIRN_CA']
assert URL.startswith('https://'), URL


def client(verify):
    return boto3.client(
        's3', endpoint_url=URL, region_name='us-east-1', verify=verify,
        aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'],
        aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'],
        config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))


try:
    client(True).list_buckets()
    raise AssertionError('a certificate from an unknown CA was accepted')
except SSLError:
    pass

s3 = client(CA)
tls = ssl.create_default_context(cafile=CA)
s3.create_bucket(Bucket='tls-bucket')
s3.put_object(Bucket='tls-bucket', Key='a.txt', Body=b'over tls')
assert s3.get_object(Bucket='tls-bucket', Key='a.txt')['Body'].read() == b'over tls'

big = os.urandom(11 * 1024 * 1024)
upload = s3.create_multipart_upload(Bucket='tls-bucket', Key='big')
parts = []
for n, start in enumerate(range(0, len(big), 5 * 1024 * 1024), 1):
    part = s3.upload_part(Bucket='tls-bucket', Key='big', UploadId=upload['UploadId'],
                          PartNumber=n, Body=big[start:start + 5 * 1024 * 1024])
    parts.append({'PartNumber': n, 'ETag': part['ETag']})
done = s3.complete_multipart_upload(Bucket='tls-bucket', Key='big', UploadId=upload['UploadId'],
                                    MultipartUpload={'Parts': parts})
assert done['Location'].startswith('https://'), done['Location']
back = io.BytesIO()
s3.download_fileobj('tls-bucket', 'big', back,
                    Config=TransferConfig(multipart_chunksize=4 * 1024 * 1024))
assert back.getvalue() == big

get_url = s3.generate_presigned_url('get_object', Params={'Bucket': 'tls-bucket', 'Key': 'a.txt'},
                                    ExpiresIn=120)
assert get_url.startswith('https://'), get_url
assert urllib.request.urlopen(get_url, context=tls).read() == b'over tls'
put_url = s3.generate_presigned_url(
    'put_object', Params={'Bucket': 'tls-bucket', 'Key': 'p', 'ContentType': 'text/plain'},
    ExpiresIn=120)
assert put_url.startswith('https://'), put_url
put = urllib.request.Request(put_url, data=b'presigned put', method='PUT',
                             headers={'Content-Type': 'text/plain'})
assert urllib.request.urlopen(put, context=tls).status == 200
assert s3.get_object(Bucket='tls-bucket', Key='p')['Body'].read() == b'presigned put'


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_form(fields, data):
    boundary = uuid.uuid4().hex
    body = b''
    for name, value in fields.items():
        body += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                 % (boundary, name, value)).encode()
    body += ('--%s\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n'
             'Content-Type: text/plain\r\n\r\n' % boundary).encode() + data
    body += ('\r\n--%s--\r\n' % boundary).encode()
    request = urllib.request.Request(
        URL + '/tls-bucket', data=body, method='POST',
        headers={'Content-Type': 'multipart/form-data; boundary=%s' % boundary})
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls), NoRedirect)
    try:
        return opener.open(request)
    except urllib.error.HTTPError as answer:
        return answer


post = s3.generate_presigned_post('tls-bucket', 'posted', Fields={'success_action_status': '201'},
                                  Conditions=[{'success_action_status': '201'}])
answer = post_form(post['fields'], b'posted body')
assert answer.status == 201, answer.status
assert answer.headers['Location'].startswith('https://'), answer.headers['Location']
redirect = 'https://app.example/done'
post = s3.generate_presigned_post('tls-bucket', 'redirected',
                                  Fields={'success_action_redirect': redirect},
                                  Conditions=[{'success_action_redirect': redirect}])
answer = post_form(post['fields'], b'redirected body')
assert answer.status == 303, answer.status
assert answer.headers['Location'].startswith(redirect + '?'), answer.headers['Location']

policy = {'Version': '2012-10-17', 'Statement': [{
    'Effect': 'Allow', 'Principal': '*', 'Action': 's3:GetObject',
    'Resource': 'arn:aws:s3:::tls-bucket/*',
    'Condition': {'Bool': {'aws:SecureTransport': 'true'}}}]}
s3.put_bucket_policy(Bucket='tls-bucket', Policy=json.dumps(policy))
anonymous = urllib.request.urlopen(URL + '/tls-bucket/a.txt', context=tls)
assert anonymous.read() == b'over tls'
deny = {'Version': '2012-10-17', 'Statement': [{
    'Effect': 'Deny', 'Principal': '*', 'Action': 's3:*',
    'Resource': ['arn:aws:s3:::tls-bucket', 'arn:aws:s3:::tls-bucket/*'],
    'Condition': {'Bool': {'aws:SecureTransport': 'false'}}}]}
s3.put_bucket_policy(Bucket='tls-bucket', Policy=json.dumps(deny))
assert s3.get_object(Bucket='tls-bucket', Key='a.txt')['Body'].read() == b'over tls'
s3.delete_bucket_policy(Bucket='tls-bucket')

for key in ('a.txt', 'big', 'p', 'posted', 'redirected'):
    s3.delete_object(Bucket='tls-bucket', Key=key)
s3.delete_bucket(Bucket='tls-bucket')
print('boto3 tls flow OK')
