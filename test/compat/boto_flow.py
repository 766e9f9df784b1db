"""The classic Riak CS boto (v2, Signature V2, path style) flow, exactly as the README
shows it; run by test/integration/compat.test.ts against a real cairn process."""
import os, sys
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
b.delete_key('meta'); b.delete_key('firstkey'); b.delete_key('secondkey')
assert list(b.list()) == []
conn.delete_bucket('riakbucket')
assert conn.get_all_buckets() == []
print("boto flow OK")
