"""boto (v2, Signature V2, path style), as Riak CS users run it: get_acl().to_xml() is the
text Riak CS's own boto tests expect; ACL documents set with set_acl(policy) read back with
get_acl().to_xml() exactly as sent (bucket and key); grants by e-mail resolved to canonical
ids; unknown grantees refused with nothing changed; the owner's re-create of a bucket (200
and nothing changed in us-east-1, 409 elsewhere). Run by test/integration/acl-clients.test.ts
against a real cairn process."""
import io
import os
from boto.exception import S3CreateError, S3ResponseError
from boto.s3.acl import ACL, Grant, Policy
from boto.s3.connection import OrdinaryCallingFormat, S3Connection
from boto.s3.key import Key

conn = S3Connection(aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'],
                    aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'],
                    host='127.0.0.1', port=int(os.environ['PORT']), is_secure=False,
                    calling_format=OrdinaryCallingFormat())
ALT_ID, ALT_NAME, ALT_EMAIL = os.environ['ALT_ID'], os.environ['ALT_NAME'], os.environ['ALT_EMAIL']
MAIN_ID, MAIN_NAME = os.environ['MAIN_ID'], os.environ['MAIN_NAME']
ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers'
legacy = os.environ['REGION'] == 'us-east-1'
name = 'boto-acl-' + os.environ['REGION']

bucket = conn.create_bucket(name)
Key(bucket, 'kept').set_contents_from_string('kept')

# The documents Riak CS's own boto tests compare as text (client_tests/python/boto_tests).
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
OWNER = '<Owner><ID>%s</ID><DisplayName>%s</DisplayName></Owner>' % (MAIN_ID, MAIN_NAME)
OWNER_FULL = ('<Grant><Grantee %s xsi:type="CanonicalUser"><ID>%s</ID><DisplayName>%s'
              '</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>'
              % (XSI, MAIN_ID, MAIN_NAME))
ALL_READ = ('<Grant><Grantee %s xsi:type="Group"><URI>%s</URI></Grantee>'
            '<Permission>READ</Permission></Grant>' % (XSI, ALL_USERS))
DEFAULT_ACL = ('<AccessControlPolicy>%s<AccessControlList>%s</AccessControlList>'
               '</AccessControlPolicy>' % (OWNER, OWNER_FULL))
PUBLIC_READ_ACL = DEFAULT_ACL.replace(OWNER_FULL, ALL_READ + OWNER_FULL)
assert bucket.get_acl().to_xml() == DEFAULT_ACL, bucket.get_acl().to_xml()
assert bucket.get_key('kept').get_acl().to_xml() == DEFAULT_ACL
bucket.set_canned_acl('public-read')
assert bucket.get_acl().to_xml() == PUBLIC_READ_ACL, bucket.get_acl().to_xml()
bucket.get_key('kept').set_canned_acl('public-read')
assert bucket.get_key('kept').get_acl().to_xml() == PUBLIC_READ_ACL
upload = bucket.initiate_multipart_upload('multi', policy='public-read')
upload.upload_part_from_file(io.BytesIO(b'part'), 1)
upload.complete_upload()
assert bucket.get_key('multi').get_acl().to_xml() == PUBLIC_READ_ACL
bucket.delete_key('multi')
bucket.set_canned_acl('private')
bucket.get_key('kept').set_canned_acl('private')

# The owner creates it again: us-east-1 answers 200 and changes nothing; elsewhere 409.
try:
    conn.create_bucket(name)
    assert legacy, 'a re-create outside us-east-1 was accepted'
except S3CreateError as e:
    assert not legacy and e.status == 409 and e.error_code == 'BucketAlreadyOwnedByYou', e
assert [k.name for k in bucket.list()] == ['kept']

# A policy read back, a grant added, sent again: it reads back exactly as sent.
policy = bucket.get_acl()
assert policy.owner.id and policy.owner.display_name, policy.owner.__dict__
policy.acl.add_user_grant('READ', ALT_ID, display_name=ALT_NAME)
policy.acl.add_grant(Grant(permission='WRITE', type='Group', uri=ALL_USERS))
bucket.set_acl(policy)
sent = policy.to_xml()
got = bucket.get_acl()
assert got.to_xml() != sent  # the group grant moved ahead of the users' (stored order)
bucket.set_acl(got)
assert bucket.get_acl().to_xml() == got.to_xml(), (bucket.get_acl().to_xml(), got.to_xml())
assert [(g.type, g.permission) for g in got.acl.grants] == [
    ('Group', 'WRITE'), ('CanonicalUser', 'FULL_CONTROL'), ('CanonicalUser', 'READ')]

# A policy built from nothing, in stored order, round-trips as sent; so does a key's.
fresh = Policy()
fresh.owner = got.owner
fresh.acl = ACL()
fresh.acl.add_grant(Grant(permission='READ', type='Group', uri=ALL_USERS))
fresh.acl.add_user_grant('FULL_CONTROL', got.owner.id, display_name=got.owner.display_name)
fresh.acl.add_user_grant('READ_ACP', ALT_ID, display_name=ALT_NAME)
bucket.set_acl(fresh)
assert bucket.get_acl().to_xml() == fresh.to_xml(), (bucket.get_acl().to_xml(), fresh.to_xml())
key = bucket.get_key('kept')
key.set_acl(fresh)
assert key.get_acl().to_xml() == fresh.to_xml(), key.get_acl().to_xml()

# With an ACL other than the one asked for, us-east-1 refuses the re-create (409).
try:
    conn.create_bucket(name)
    raise AssertionError('a re-create asking for another ACL was accepted')
except S3CreateError as e:
    want = 'BucketAlreadyExists' if legacy else 'BucketAlreadyOwnedByYou'
    assert e.status == 409 and e.error_code == want, e
assert bucket.get_acl().to_xml() == fresh.to_xml()

# An e-mail grant reads back as the user's canonical id and display name.
by_email = bucket.get_acl()
by_email.acl.add_email_grant('WRITE_ACP', ALT_EMAIL)
bucket.set_acl(by_email)
last = bucket.get_acl().acl.grants[-1]
assert (last.type, last.id, last.display_name, last.permission) == (
    'CanonicalUser', ALT_ID, ALT_NAME, 'WRITE_ACP'), last.__dict__
before = bucket.get_acl().to_xml()

# Unknown grantees: 400 with S3's codes, and nothing changes.
for add, code in [
        (lambda p: p.acl.add_email_grant('READ', 'nobody@example.com'),
         'UnresolvableGrantByEmailAddress'),
        (lambda p: p.acl.add_user_grant('READ', 'f' * 64, display_name='nobody'),
         'InvalidArgument')]:
    bad = bucket.get_acl()
    add(bad)
    try:
        bucket.set_acl(bad)
        raise AssertionError('an unknown grantee was accepted')
    except S3ResponseError as e:
        assert e.status == 400 and e.error_code == code, (e.status, e.error_code)
    try:
        key.set_acl(bad)
        raise AssertionError('an unknown grantee was accepted on a key')
    except S3ResponseError as e:
        assert e.status == 400 and e.error_code == code, (e.status, e.error_code)
assert bucket.get_acl().to_xml() == before
assert key.get_acl().to_xml() == fresh.to_xml()

# Another user's bucket name: 409 BucketAlreadyExists in every region.
alt = S3Connection(aws_access_key_id=os.environ['ALT_KEY_ID'],
                   aws_secret_access_key=os.environ['ALT_SECRET'],
                   host='127.0.0.1', port=int(os.environ['PORT']), is_secure=False,
                   calling_format=OrdinaryCallingFormat())
try:
    alt.create_bucket(name)
    raise AssertionError("another user's bucket name was accepted")
except S3CreateError as e:
    assert e.status == 409 and e.error_code == 'BucketAlreadyExists', e
print('boto acl flow OK')
