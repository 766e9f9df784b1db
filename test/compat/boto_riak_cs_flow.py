"""boto (v2) as Riak CS's documentation sets it up, in one of four modes (argv[1]):

  path-v4      host=127.0.0.1, port, OrdinaryCallingFormat, Signature V4 (S3_USE_SIGV4)
  proxy-vhost  host s3.amazonaws.com through proxy=127.0.0.1:PORT (Riak CS as the proxy for
               s3.amazonaws.com, cs_root_host), bucket.s3.amazonaws.com, Signature V2
  proxy-path   the same with OrdinaryCallingFormat (s3.amazonaws.com/bucket), Signature V2
  proxy-v4     the proxy with virtual hosts and Signature V4

Each creates a bucket, puts, gets, lists and deletes objects, sets and reads bucket and object
ACLs, uploads multipart and deletes everything; run by test/integration/compat.test.ts."""
import io, os, sys

MODE = sys.argv[1]
if MODE.endswith('v4'):
    os.environ['S3_USE_SIGV4'] = 'True'
import boto  # noqa: E402  (S3_USE_SIGV4 is read at import)
from boto.s3.connection import S3Connection, OrdinaryCallingFormat  # noqa: E402
from boto.s3.key import Key  # noqa: E402

KEY = os.environ['AWS_ACCESS_KEY_ID']
SECRET = os.environ['AWS_SECRET_ACCESS_KEY']
PORT = int(os.environ['PORT'])
common = dict(aws_access_key_id=KEY, aws_secret_access_key=SECRET, is_secure=False)
if MODE == 'path-v4':
    conn = S3Connection(host='127.0.0.1', port=PORT, calling_format=OrdinaryCallingFormat(),
                        **common)
    # boto 2 takes a SigV4 region from an AWS host name; an address needs it said.
    conn.auth_region_name = 'us-east-1'
else:
    extra = {'calling_format': OrdinaryCallingFormat()} if MODE == 'proxy-path' else {}
    conn = S3Connection(host='s3.amazonaws.com', proxy='127.0.0.1', proxy_port=PORT,
                        **extra, **common)

name = 'riakcs-' + MODE
bucket = conn.create_bucket(name)
assert name in [b.name for b in conn.get_all_buckets()]
k = Key(bucket, 'hello world.txt')
k.set_metadata('colour', 'blue')
k.set_contents_from_string('hello from boto', headers={'Content-Type': 'text/plain'})
got = bucket.get_key('hello world.txt')
assert got.get_contents_as_string() == b'hello from boto'
assert got.get_metadata('colour') == 'blue' and got.content_type == 'text/plain'
Key(bucket, 'docs/\u00fcn\u00efcode.txt').set_contents_from_string('non-ascii key')
assert sorted(x.name for x in bucket.list()) == ['docs/\u00fcn\u00efcode.txt', 'hello world.txt']
assert [x.name for x in bucket.list(prefix='docs/')] == ['docs/\u00fcn\u00efcode.txt']

# ACLs: canned, then the policy read back and set again unchanged (Riak CS's own boto tests).
bucket.set_acl('public-read')
policy = bucket.get_acl()
assert any(g.uri and g.uri.endswith('AllUsers') and g.permission == 'READ'
           for g in policy.acl.grants), policy.to_xml()
bucket.set_acl(policy)
assert bucket.get_acl().to_xml() == policy.to_xml()
got.set_acl('public-read')
assert any(g.uri and g.uri.endswith('AllUsers') for g in got.get_acl().acl.grants)
got.set_acl('private')
assert not any(g.uri for g in got.get_acl().acl.grants)

# Multipart: a 5 MiB part and a short last one.
parts = [os.urandom(5 * 1024 * 1024), os.urandom(777)]
mp = bucket.initiate_multipart_upload('multi/big.bin')
for number, data in enumerate(parts, start=1):
    mp.upload_part_from_file(io.BytesIO(data), part_num=number)
mp.complete_upload()
big = bucket.get_key('multi/big.bin')
assert big.size == sum(len(p) for p in parts)
assert big.etag.strip('"').endswith('-2'), big.etag
assert big.get_contents_as_string() == b''.join(parts)

for key in bucket.list():
    key.delete()
conn.delete_bucket(name)
assert name not in [b.name for b in conn.get_all_buckets()]
print('boto riak cs flow OK', MODE)
