"""The classic Riak CS boto (v2, Signature V2, path style) flow, exactly as the README
shows it, then multipart, copy, multi-delete and presigned URLs with boto's own calls;
run by test/integration/compat.test.ts against a real cairn process."""
import io, os, sys, urllib.request
from boto.s3.key import Key
from boto.s3.connection import S3Connection, OrdinaryCallingFormat
KEY=os.environ['AWS_ACCESS_KEY_ID']; SECRET=os.environ['AWS_SECRET_ACCESS_KEY']
port=int(os.environ.get('PORT','8080'))
conn = S3Connection(aws_access_key_id=KEY, aws_secret_access_key=SECRET, host='127.0.0.1',
                    port=port, is_secure=False, calling_format=OrdinaryCallingFormat())
assert conn.get_all_buckets() == []
bucket = conn.create_bucket('riakbucket')
k = Key(bucket); k.key = 'firstkey'; k.set_contents_from_string('Object from first key')
k.key = 'secondkey'; k.set_contents_from_string('Object from second key')
b = conn.get_all_buckets()[0]; k = Key(b); k.key = 'secondkey'
assert k.get_contents_as_string() == b'Object from second key'
# Beyond the README flow: listing, metadata, ranges, deletes with boto's own calls.
k = Key(b); k.key = 'meta'; k.set_metadata('colour', 'blue')
k.set_contents_from_string('0123456789', headers={'Content-Type': 'text/plain'})
k2 = b.get_key('meta')
assert k2.get_metadata('colour') == 'blue', k2.metadata
assert k2.content_type == 'text/plain'
assert k2.get_contents_as_string(headers={'Range': 'bytes=2-4'}) == b'234'
assert [x.name for x in b.list()] == ['firstkey', 'meta', 'secondkey']
assert [x.name for x in b.list(prefix='s')] == ['secondkey']

# Multipart: two 5 MiB parts and a short last one, sent out of order; then an abort.
parts = [os.urandom(5 * 1024 * 1024), os.urandom(5 * 1024 * 1024), os.urandom(1234)]
mp = b.initiate_multipart_upload('multi/big.bin')
for number in (2, 1, 3):
    mp.upload_part_from_file(io.BytesIO(parts[number - 1]), part_num=number)
assert [p.part_number for p in mp.get_all_parts()] == [1, 2, 3]
assert [u.key_name for u in b.get_all_multipart_uploads()] == ['multi/big.bin']
mp.complete_upload()
big = b.get_key('multi/big.bin')
assert big.size == sum(len(p) for p in parts)
assert big.etag.strip('"').endswith('-3'), big.etag
assert big.get_contents_as_string() == b''.join(parts)
aborted = b.initiate_multipart_upload('multi/aborted')
aborted.upload_part_from_file(io.BytesIO(b'x' * 100), part_num=1)
aborted.cancel_upload()
assert list(b.get_all_multipart_uploads()) == []
assert b.get_key('multi/aborted') is None

# Presigned URLs (Signature V2 query auth: AWSAccessKeyId, Expires, Signature).
url = b.get_key('secondkey').generate_url(60)
assert 'Signature=' in url and 'Expires=' in url, url
assert urllib.request.urlopen(url).read() == b'Object from second key'
# Signature V2 covers Content-Type, so the URL is signed for the one the PUT will send.
octets = {'Content-Type': 'application/octet-stream'}
put_url = conn.generate_url(60, 'PUT', 'riakbucket', 'presigned-put', headers=octets)
request = urllib.request.Request(put_url, data=b'put through a presigned URL', method='PUT',
                                 headers=octets)
assert urllib.request.urlopen(request).status == 200
assert b.get_key('presigned-put').get_contents_as_string() == b'put through a presigned URL'
try:
    urllib.request.urlopen(urllib.request.Request(url, data=b'no', method='PUT', headers=octets))
    raise AssertionError('a GET URL was accepted for a PUT')
except urllib.error.HTTPError as e:
    assert e.code == 403, e.code

# Copy and multi-object delete.
b.copy_key('copy-of-first', 'riakbucket', 'firstkey')
assert b.get_key('copy-of-first').get_contents_as_string() == b'Object from first key'
result = b.delete_keys(['meta', 'firstkey', 'secondkey', 'copy-of-first', 'presigned-put'])
assert len(result.deleted) == 5 and result.errors == [], (result.deleted, result.errors)
b.delete_key('multi/big.bin')
assert list(b.list()) == []
conn.delete_bucket('riakbucket')
assert conn.get_all_buckets() == []
print("boto flow OK")
