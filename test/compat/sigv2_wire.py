"""SigV2 on the wire, with boto 2's signer (boto.auth.HmacAuthV1Handler) as the reference
for the string to sign and botocore's HmacV1Auth (boto3, signature_version='s3') as a
client: sub-resources sent with an empty value (`?uploads=`, as minio-go sends them) and
signed as the bare name; the slash botocore signs on a path-style bucket; an empty or
missing User-Agent; UTF-8 metadata; presigned (query-string) SigV2, whose signature covers
every x-amz-* header sent. Run by test/integration/sigv2-wire.test.ts."""
import http.client, os, re
import boto.auth, boto.connection, boto.provider, boto.s3.connection
import boto3
from botocore.client import Config

KEY = os.environ['AWS_ACCESS_KEY_ID']; SECRET = os.environ['AWS_SECRET_ACCESS_KEY']
PORT = int(os.environ['PORT']); ENDPOINT = f'http://127.0.0.1:{PORT}'
handler = boto.auth.HmacAuthV1Handler('127.0.0.1', None, boto.provider.Provider('aws', KEY, SECRET))


def send(method, path, signed=None, headers=None, body=b'', user_agent='sigv2-wire'):
    """Sends `path`, signed by boto 2 as `signed` (default: `path`); -> (status, headers, body)."""
    headers = dict(headers or {})
    req = boto.connection.HTTPRequest(method, 'http', '127.0.0.1', PORT, signed or path,
                                      signed or path, {}, headers, body)
    handler.add_auth(req)  # sets Date and Authorization
    if user_agent is not None:
        req.headers['User-Agent'] = user_agent
    conn = http.client.HTTPConnection('127.0.0.1', PORT, timeout=30)
    try:
        conn.request(method, path, body=body, headers=req.headers)
        res = conn.getresponse()
        return res.status, res, res.read()
    finally:
        conn.close()


def code(body):
    found = re.search(rb'<Code>([^<]*)</Code>', body)
    return found.group(1).decode() if found else None


def ok(result, what):
    status, _, body = result
    assert 200 <= status < 300, f'{what}: {status} {body[:300]!r}'
    return result


# The bucket with and without its slash: boto 2 sends and signs /bucket/, botocore sends
# /bucket and signs /bucket/ (its auth_path).
ok(send('PUT', '/wire/'), 'PUT /wire/')
ok(send('PUT', '/wire-noslash'), 'PUT /wire-noslash')
v2 = boto3.client('s3', endpoint_url=ENDPOINT, region_name='us-east-1',
                  aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                  config=Config(signature_version='s3', s3={'addressing_style': 'path'}))
v2.create_bucket(Bucket='wire-botocore')
v2.head_bucket(Bucket='wire-botocore')
ok(send('PUT', '/wire/k', body=b'hello'), 'PUT object')

# Every sub-resource sent bare and with an empty value, signed bare by boto 2; the answer
# may be an S3 error about the resource (no policy, no CORS), never about the signature.
for method, resource in [('GET', '/wire/?acl'), ('GET', '/wire/?location'),
                         ('GET', '/wire/?versioning'), ('GET', '/wire/?uploads'),
                         ('GET', '/wire/?policy'), ('GET', '/wire/?cors'),
                         ('GET', '/wire/?tagging'), ('GET', '/wire/?versions'),
                         ('GET', '/wire/k?acl'), ('GET', '/wire/k?tagging')]:
    for sent in (resource, resource + '='):
        status, _, body = send(method, sent, signed=resource)
        assert status < 500 and code(body) not in ('SignatureDoesNotMatch', 'AccessDenied'), \
            f'{method} {sent}: {status} {body[:300]!r}'
# boto 2 itself signs `?acl=` as `acl=`; S3 (and this store) sign an empty value bare.
status, _, body = send('GET', '/wire/?acl=')
assert (status, code(body)) == (403, 'SignatureDoesNotMatch'), (status, body)

# A multipart upload the way minio-go sends it: ?uploads= and ?uploadId=… signed bare.
_, _, body = ok(send('POST', '/wire/mp?uploads=', signed='/wire/mp?uploads'), 'initiate')
upload_id = re.search(rb'<UploadId>([^<]+)</UploadId>', body).group(1).decode()
part = f'/wire/mp?partNumber=1&uploadId={upload_id}'
_, res, _ = ok(send('PUT', part, body=b'p' * 1000), 'upload part')
etag = res.getheader('ETag')
done = (f'<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag>'
        '</Part></CompleteMultipartUpload>').encode()
ok(send('POST', f'/wire/mp?uploadId={upload_id}', body=done), 'complete')
_, _, got = ok(send('GET', '/wire/mp'), 'GET multipart object')
assert got == b'p' * 1000

# An empty User-Agent, and none at all.
ok(send('PUT', '/wire/ua-empty', body=b'e', user_agent=''), 'PUT with User-Agent: ""')
ok(send('PUT', '/wire/ua-none', body=b'n', user_agent=None), 'PUT without User-Agent')
def ua_empty(**kw):
    kw['params']['headers']['User-Agent'] = ''


def ua_none(**kw):
    kw['params']['headers'].pop('User-Agent', None)


for name, hook in [('empty', ua_empty), ('none', ua_none)]:
    client = boto3.client('s3', endpoint_url=ENDPOINT, region_name='us-east-1',
                          aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                          config=Config(signature_version='s3', s3={'addressing_style': 'path'}))
    client.meta.events.register('before-call.s3.CreateBucket', hook)
    client.meta.events.register('before-call.s3.PutObject', hook)
    client.create_bucket(Bucket=f'wire-ua-{name}')
    client.put_object(Bucket=f'wire-ua-{name}', Key='k', Body=b'x')

# UTF-8 metadata, as botocore signs it (the value's UTF-8 bytes) with V2 and V4; it comes
# back as the same bytes.
v4 = boto3.client('s3', endpoint_url=ENDPOINT, region_name='us-east-1',
                  aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                  config=Config(s3={'addressing_style': 'path'}))
for client, key in [(v2, 'utf8-v2'), (v4, 'utf8-v4')]:
    def set_meta(**kw):
        kw['params']['headers']['x-amz-meta-meta1'] = 'Hello World\xe9 \u4e2d\u6587'
    client.meta.events.register('before-call.s3.PutObject', set_meta)
    client.put_object(Bucket='wire', Key=key, Body=b'bar')
    client.meta.events.unregister('before-call.s3.PutObject', set_meta)
    _, res, _ = ok(send('GET', f'/wire/{key}'), f'GET {key}')
    raw = res.getheader('x-amz-meta-meta1').encode('latin-1')
    assert raw.decode('utf-8') == 'Hello World\xe9 \u4e2d\u6587', raw

# Presigned SigV2: boto 2's and botocore's URLs work; any x-amz-* header added to one is
# part of what S3 signs, so it no longer matches.
conn = boto.connect_s3(KEY, SECRET, host='127.0.0.1', port=PORT, is_secure=False,
                       calling_format=boto.s3.connection.OrdinaryCallingFormat())
boto_get = conn.generate_url(60, 'GET', 'wire', 'k')
put_url = v2.generate_presigned_url('put_object', Params={'Bucket': 'wire', 'Key': 'pre'},
                                    ExpiresIn=60)
for url, method, body in [(boto_get, 'GET', b''), (put_url, 'PUT', b'presigned')]:
    target = url.split(f':{PORT}', 1)[1]
    plain = http.client.HTTPConnection('127.0.0.1', PORT, timeout=30)
    plain.request(method, target, body=body)
    res = plain.getresponse(); res.read()
    assert res.status == 200, (method, res.status)
    for extra in [{'x-amz-acl': 'public-read'}, {'x-amz-copy-source': 'wire/k'},
                  {'x-amz-meta-added': '1'}, {'x-amz-tagging': 'a=b'}]:
        plain = http.client.HTTPConnection('127.0.0.1', PORT, timeout=30)
        plain.request(method, target, body=body, headers=extra)
        res = plain.getresponse(); text = res.read()
        assert (res.status, code(text)) == (403, 'SignatureDoesNotMatch'), (method, extra, text)
_, _, got = ok(send('GET', '/wire/pre'), 'GET presigned upload')
assert got == b'presigned'
status, _, _ = send('GET', '/wire/pre?acl')
assert status == 200
print('sigv2 wire OK')
