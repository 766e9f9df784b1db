"""boto3 (Signature V4, path style): the owner's re-create of a bucket (200 and nothing
changed in us-east-1, refused when it asks for another ACL, BucketAlreadyOwnedByYou in any
other region), another user's name (BucketAlreadyExists), and ExpectedBucketOwner on bucket,
object and copy operations. Run by test/integration/acl-clients.test.ts against a real
cairn process."""
import os
import boto3
from botocore.client import Config
from botocore.exceptions import ClientError

region = os.environ['REGION']
legacy = region == 'us-east-1'


def client(key, secret):
    return boto3.client('s3', endpoint_url=os.environ['CAIRN_URL'], region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(s3={'addressing_style': 'path'}))


def code_of(call, **kwargs):
    try:
        call(**kwargs)
        return 'ok'
    except ClientError as e:
        return e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode']


s3 = client(os.environ['AWS_ACCESS_KEY_ID'], os.environ['AWS_SECRET_ACCESS_KEY'])
alt = client(os.environ['ALT_KEY_ID'], os.environ['ALT_SECRET'])
name = 'boto3-bucket-' + region
create = {'Bucket': name}
if not legacy:
    create['CreateBucketConfiguration'] = {'LocationConstraint': region}
s3.create_bucket(**create)
s3.put_object(Bucket=name, Key='kept', Body=b'kept')
owner_id = s3.get_bucket_acl(Bucket=name)['Owner']['ID']

again = code_of(s3.create_bucket, **create)
assert again == ('ok' if legacy else ('BucketAlreadyOwnedByYou', 409)), again
other_acl = code_of(s3.create_bucket, ACL='public-read', **create)
assert other_acl == ('BucketAlreadyExists' if legacy else 'BucketAlreadyOwnedByYou', 409), other_acl
assert [o['Key'] for o in s3.list_objects_v2(Bucket=name)['Contents']] == ['kept']
grants = s3.get_bucket_acl(Bucket=name)['Grants']
assert [g['Permission'] for g in grants] == ['FULL_CONTROL'], grants
assert code_of(alt.create_bucket, **create) == ('BucketAlreadyExists', 409)

# ExpectedBucketOwner: the right owner passes, any other is 403 AccessDenied.
wrong = owner_id + 'x'
assert code_of(s3.head_bucket, Bucket=name, ExpectedBucketOwner=owner_id) == 'ok'
assert code_of(s3.list_objects_v2, Bucket=name, ExpectedBucketOwner=wrong) == ('AccessDenied', 403)
assert code_of(s3.get_object, Bucket=name, Key='kept', ExpectedBucketOwner=wrong) == (
    'AccessDenied', 403)
assert code_of(s3.put_object, Bucket=name, Key='new', Body=b'x', ExpectedBucketOwner=wrong) == (
    'AccessDenied', 403)
assert code_of(s3.get_bucket_acl, Bucket=name, ExpectedBucketOwner=wrong) == ('AccessDenied', 403)
copy = {'Bucket': name, 'Key': 'copy', 'CopySource': {'Bucket': name, 'Key': 'kept'}}
assert code_of(s3.copy_object, ExpectedSourceBucketOwner=wrong, **copy) == ('AccessDenied', 403)
assert code_of(s3.copy_object, ExpectedBucketOwner=owner_id,
               ExpectedSourceBucketOwner=owner_id, **copy) == 'ok'
keys = [o['Key'] for o in s3.list_objects_v2(Bucket=name)['Contents']]
assert keys == ['copy', 'kept'], keys
print('boto3 bucket flow OK')
