"""A continuous boto3 workload for the rolling-restart test: until the file named by
CAIRN_STOP_FILE exists, it creates users (Riak CS admin API, POST /riak-cs/user, signed
SigV4 by the admin) and buckets, and PUTs, GETs, lists and deletes objects, with the SDK's
default retries and nothing more. Every failed request is recorded with what it was. Then it
reads back every acknowledged object (the right bytes) and checks every acknowledged delete
stayed deleted, and prints one JSON report on stdout."""
import hashlib
import json
import os
import random
import time

import boto3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.client import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.httpsession import URLLib3Session

URL = os.environ['CAIRN_URL']
STOP = os.environ['CAIRN_STOP_FILE']
ADMIN = Credentials(os.environ['AWS_ACCESS_KEY_ID'], os.environ['AWS_SECRET_ACCESS_KEY'])
rng = random.Random(int(os.environ.get('CAIRN_WORKLOAD_SEED', '1')))
errors = []
counts = {}
acked = {}  # (bucket, key) -> md5 of what the last acknowledged PUT wrote
deleted = set()  # (bucket, key) acknowledged as deleted since
retries = {}  # op -> attempts the SDK retried (a 5xx or a dropped connection, then success)


def client(key_id, secret):
    return boto3.client(
        's3', endpoint_url=URL, aws_access_key_id=key_id, aws_secret_access_key=secret,
        region_name='us-east-1', config=Config(s3={'addressing_style': 'path'}))


def record(op, what, fn):
    """Runs one SDK call; a failure (after the SDK's own retries) is recorded, not raised."""
    counts[op] = counts.get(op, 0) + 1
    try:
        answer = fn()
        if isinstance(answer, dict):
            retried = answer.get('ResponseMetadata', {}).get('RetryAttempts', 0)
            retries[op] = retries.get(op, 0) + retried
        return answer
    except Exception as e:  # noqa: BLE001 - every failure is what the test counts
        errors.append({'op': op, 'what': what, 'error': repr(e)[:300], 'at': time.time()})
        return None


HTTP = URLLib3Session()


def admin_call(method, path, body=None):
    """A signed admin API call, retried as botocore's legacy mode retries (5 attempts, on
    connection errors and 5xx), since no SDK call covers it."""
    last = None
    for attempt in range(5):
        request = AWSRequest(method=method, url=URL + path, data=body,
                             headers={'content-type': 'application/json'} if body else {})
        S3SigV4Auth(ADMIN, 's3', 'us-east-1').add_auth(request)
        try:
            response = HTTP.send(request.prepare())
            if response.status_code < 500:
                return response.status_code, response.text, attempt
            last = 'HTTP %d %s' % (response.status_code, response.text[:200])
        except Exception as e:  # noqa: BLE001
            last = repr(e)
        time.sleep(min(20, rng.random() * (2 ** attempt)))
    raise RuntimeError('admin %s %s failed 5 times: %s' % (method, path, last))


def create_user(n):
    email = 'roll%d-%d@example.com' % (os.getpid(), n)
    body = json.dumps({'email': email, 'name': 'roll%d' % n})
    status, text, attempt = admin_call('POST', '/riak-cs/user', body)
    retries['create-user'] = retries.get('create-user', 0) + attempt
    if status == 409 and attempt > 0:
        # Our earlier attempt made it and its answer was lost: find the user.
        status, text, _ = admin_call('GET', '/riak-cs/users')
        users = [u for u in json.loads(text) if u.get('email') == email]
        if status == 200 and users:
            return users[0]['key_id'], users[0]['key_secret']
    if status != 201:
        raise RuntimeError('user not created: %d %s' % (status, text[:200]))
    user = json.loads(text)
    return user['key_id'], user['key_secret']


def body_of(size):
    return rng.randbytes(size)


def put(s3, bucket, key):
    body = body_of(rng.choice([100, 5_000, 70_000, 1_200_000]))
    if record('put', key, lambda: s3.put_object(Bucket=bucket, Key=key, Body=body)) is not None:
        acked[(bucket, key)] = hashlib.md5(body).hexdigest()
        deleted.discard((bucket, key))


def get(s3, bucket, key):
    answer = record('get', key, lambda: s3.get_object(Bucket=bucket, Key=key))
    got = record('get-body', key, lambda: answer['Body'].read()) if answer else None
    if got is not None and hashlib.md5(got).hexdigest() != acked[(bucket, key)]:
        errors.append({'op': 'get', 'what': key, 'error': 'wrong bytes', 'at': time.time()})


def delete(s3, bucket, key):
    if record('delete', key, lambda: s3.delete_object(Bucket=bucket, Key=key)) is not None:
        acked.pop((bucket, key), None)
        deleted.add((bucket, key))


def step(i, clients, buckets):
    """One round: sometimes a new user and bucket; a PUT, a GET, a listing, a delete."""
    if i % 15 == 1:
        keys = record('create-user', str(i), lambda: create_user(i))
        if keys is not None:
            clients.append(client(*keys))
            bucket = 'roll-%d-%d' % (os.getpid(), i)
            s3 = clients[-1]
            if record('create-bucket', bucket, lambda: s3.create_bucket(Bucket=bucket)):
                buckets.append((s3, bucket))
    s3, bucket = rng.choice(buckets)
    put(s3, bucket, 'k%05d' % i)
    mine = [k for (b, k) in acked if b == bucket]
    if mine:
        get(s3, bucket, rng.choice(mine))
    record('list', bucket, lambda: s3.list_objects_v2(Bucket=bucket, MaxKeys=50))
    if i % 4 == 3 and mine:
        delete(s3, bucket, rng.choice(mine))


def verify(by_bucket):
    lost = []
    for (bucket, key), md5 in sorted(acked.items()):
        try:
            got = by_bucket[bucket].get_object(Bucket=bucket, Key=key)['Body'].read()
            if hashlib.md5(got).hexdigest() != md5:
                lost.append({'key': '%s/%s' % (bucket, key), 'error': 'wrong bytes'})
        except Exception as e:  # noqa: BLE001
            lost.append({'key': '%s/%s' % (bucket, key), 'error': repr(e)[:200]})
    resurrected = []
    for bucket, key in sorted(deleted):
        try:
            by_bucket[bucket].head_object(Bucket=bucket, Key=key)
            resurrected.append('%s/%s' % (bucket, key))
        except ClientError as e:
            if e.response['ResponseMetadata']['HTTPStatusCode'] != 404:
                lost.append({'key': '%s/%s' % (bucket, key), 'error': repr(e)[:200]})
    return lost, resurrected


def main():
    admin = client(ADMIN.access_key, ADMIN.secret_key)
    first = 'roll-admin-%d' % os.getpid()
    admin.create_bucket(Bucket=first)
    buckets = [(admin, first)]
    clients = [admin]
    i = 0
    started = time.time()
    while not os.path.exists(STOP):
        i += 1
        step(i, clients, buckets)
    by_bucket = {bucket: s3 for s3, bucket in buckets}
    lost, resurrected = verify(by_bucket)
    print(json.dumps({
        'rounds': i, 'seconds': round(time.time() - started, 1), 'counts': counts,
        'retries': retries,
        'errors': errors, 'acked': len(acked), 'deleted': len(deleted), 'lost': lost,
        'resurrected': resurrected, 'users': len(clients) - 1, 'buckets': len(buckets),
    }))


main()
