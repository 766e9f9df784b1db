/**
 * Bucket lifecycle against a real `cairn start` with a 2 s lifecycle day
 * (--lifecycle-day-seconds 2): the configuration API and its validation, x-amz-expiration on
 * PUT/HEAD/GET, and the worker expiring current objects, noncurrent versions, lone delete
 * markers and incomplete uploads through the normal delete paths; then a worker killed in
 * the middle of a pass that goes on from its checkpoint after a restart.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_JS, startCairn, useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3Client } from '../helpers/s3-client.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const DAY = ['--lifecycle-day-seconds', '2'];
let server: CairnProcess;
let s3: S3Client;
useCairn({ args: DAY, buckets: ['lc-api', 'lc-plain', 'lc-ver'] }, (started) => {
  ({ server, s3 } = started);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 250 ms until it holds, for at most `ms`. */
async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${ms} ms`);
    await sleep(250);
  }
}

const putRules = (client: S3Client, Bucket: string, Rules: LifecycleRule[]) =>
  client.send(
    new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } }),
  );

const raw = (path: string, body: string) =>
  signedFetch(server.url, path, {
    method: 'PUT',
    body,
    credentials: { keyId: server.keyId, secret: server.secret },
  });

const codeOf = async (res: Response) => /<Code>([^<]*)<\/Code>/.exec(await res.text())?.[1];
const ENABLED_1_DAY = '<Prefix/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>';
const rule = (inner: string) =>
  `<LifecycleConfiguration><Rule><ID>r</ID>${inner}</Rule></LifecycleConfiguration>`;

describe('lifecycle configuration', () => {
  it('puts, gets and deletes, as S3 answers them', async () => {
    const Bucket = 'lc-api';
    const missing = s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(await s3ErrorOf(missing)).toEqual({ name: 'NoSuchLifecycleConfiguration', status: 404 });
    const rules: LifecycleRule[] = [
      { ID: 'a', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 3 } },
      {
        ID: 'b',
        Status: 'Disabled',
        Filter: {
          And: { Prefix: 'x', Tags: [{ Key: 'k', Value: 'v' }], ObjectSizeGreaterThan: 5 },
        },
        NoncurrentVersionExpiration: { NoncurrentDays: 2, NewerNoncurrentVersions: 3 },
      },
      {
        ID: 'c',
        Status: 'Enabled',
        Filter: {},
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
      {
        ID: 'd',
        Status: 'Enabled',
        Filter: { ObjectSizeLessThan: 10 },
        Expiration: { Date: new Date('2030-01-01T00:00:00Z') },
      },
    ];
    await putRules(s3, Bucket, rules);
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(got.Rules).toEqual(rules);
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket }));
    const gone = s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(await s3ErrorOf(gone)).toEqual({ name: 'NoSuchLifecycleConfiguration', status: 404 });
  });

  it("refuses bad documents with AWS's codes and changes nothing", async () => {
    const Bucket = 'lc-api';
    const kept: LifecycleRule[] = [
      { ID: 'kept', Status: 'Enabled', Filter: {}, Expiration: { Days: 9 } },
    ];
    await putRules(s3, Bucket, kept);
    const cases: [string, string][] = [
      [
        rule('<Prefix/><Status>Enabled</Status><Bogus/><Expiration><Days>1</Days></Expiration>'),
        'MalformedXML',
      ],
      [rule('<Prefix/><Status>Enabled</Status>'), 'MalformedXML'],
      [
        rule('<Prefix/><Status>enabled</Status><Expiration><Days>1</Days></Expiration>'),
        'MalformedXML',
      ],
      [
        rule('<Prefix/><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>'),
        'MalformedXML',
      ],
      [
        rule('<Prefix/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration>'),
        'InvalidArgument',
      ],
      [
        rule(
          '<Prefix/><Status>Enabled</Status>' +
            '<Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration>',
        ),
        'InvalidArgument',
      ],
      [
        '<LifecycleConfiguration>' +
          `<Rule><ID>x</ID>${ENABLED_1_DAY}</Rule>`.repeat(2) +
          '</LifecycleConfiguration>',
        'InvalidArgument',
      ],
      [
        '<LifecycleConfiguration>' +
          `<Rule>${ENABLED_1_DAY}</Rule>`.repeat(1001) +
          '</LifecycleConfiguration>',
        'InvalidArgument',
      ],
      [
        rule(
          '<Prefix/><Status>Enabled</Status>' +
            '<Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition>',
        ),
        'NotImplemented',
      ],
    ];
    for (const [body, code] of cases) {
      const res = await raw(`/${Bucket}?lifecycle`, body);
      expect(await codeOf(res), body.slice(0, 200)).toBe(code);
    }
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(got.Rules).toEqual(kept);
  });
});

describe('x-amz-expiration', () => {
  it('is on PUT, HEAD and GET of an object a rule expires: midnight UTC after Days', async () => {
    const Bucket = 'lc-api';
    await putRules(s3, Bucket, [
      { ID: 'soon é', Status: 'Enabled', Filter: { Prefix: 'e/' }, Expiration: { Days: 3 } },
    ]);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'e/1', Body: 'x' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'e/1' }));
    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'e/1' }));
    await get.Body?.transformToString();
    const created = head.LastModified!.getTime();
    // In real days whatever the worker's day (as RGW, and s3-tests check it so): 3 days after
    // creation, rounded up to midnight UTC.
    const day = 86_400_000;
    const want = new Date(Math.ceil((created + 3 * day) / day) * day).toUTCString();
    for (const header of [put.Expiration, head.Expiration, get.Expiration]) {
      expect(header).toBe(`expiry-date="${want}", rule-id="soon%20%C3%A9"`);
    }
    const other = await s3.send(new PutObjectCommand({ Bucket, Key: 'f/1', Body: 'x' }));
    expect(other.Expiration).toBeUndefined();
  });
});

describe('the lifecycle worker', () => {
  it('expires current objects of an unversioned bucket, and only those a rule names', async () => {
    const Bucket = 'lc-plain';
    await putRules(s3, Bucket, [
      { ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } },
    ]);
    for (const Key of ['tmp/a', 'tmp/b', 'keep/c']) {
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    }
    const keys = async () =>
      ((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((o) => o.Key);
    await until(async () => (await keys()).length === 1);
    expect(await keys()).toEqual(['keep/c']);
  });

  it('expires noncurrent versions, lone delete markers and incomplete uploads', async () => {
    const Bucket = 'lc-ver';
    await s3.send(
      new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    for (const body of ['1', '2', '3']) {
      await s3.send(new PutObjectCommand({ Bucket, Key: 'v', Body: body }));
    }
    await s3.send(new PutObjectCommand({ Bucket, Key: 'm', Body: 'gone' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'm' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'u' }));
    await putRules(s3, Bucket, [
      {
        ID: 'nc',
        Status: 'Enabled',
        Filter: {},
        NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 1 },
      },
      {
        ID: 'dm',
        Status: 'Enabled',
        Filter: { Prefix: 'm' },
        Expiration: { ExpiredObjectDeleteMarker: true },
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      },
      {
        ID: 'mp',
        Status: 'Enabled',
        Filter: { Prefix: '' },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
    const state = async () => {
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket }));
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
      return {
        versions: (versions.Versions ?? []).map((v) => `${v.Key}:${v.IsLatest}`),
        markers: (versions.DeleteMarkers ?? []).length,
        uploads: (uploads.Uploads ?? []).length,
      };
    };
    // v keeps its current version and the one newer noncurrent version rule nc keeps.
    const want = { versions: ['v:true', 'v:false'], markers: 0, uploads: 0 };
    await until(async () => JSON.stringify(await state()) === JSON.stringify(want));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'v' }));
    expect(await got.Body?.transformToString()).toBe('3');
  });

  it('cairn-admin lifecycle status and run show and start passes', async () => {
    const env = { ...process.env, CAIRN_URL: server.url };
    const admin = (...args: string[]) =>
      promisify(execFile)(process.execPath, [ADMIN_JS, '--data-dir', server.dataDir, ...args], {
        env,
        timeout: 30_000,
      });
    const run = await admin('lifecycle', 'run', '--wait', '20');
    expect(run.stdout).toContain('Every worker has finished a pass.');
    const status = await admin('lifecycle', 'status');
    expect(status.stdout).toContain('Worker embedded:');
    expect(status.stdout).toMatch(/last pass .* expired/);
  });
});

describe('a worker restarted in the middle of a pass', () => {
  let other: CairnProcess | undefined;
  afterAll(async () => other?.cleanup());

  type Status = {
    workers: {
      current?: { startedMs: number; cursor?: { bucket: string } };
      lastPass?: { startedMs: number; counts: { expired: number } };
    }[];
  };
  const status = async (): Promise<Status> => {
    const res = await signedFetch(other!.url, '/riak-cs/lifecycle', { credentials: other! });
    return (await res.json()) as Status;
  };

  it('goes on from its checkpoint instead of starting again', async () => {
    // A day-long day: the only passes are the one at start and the one asked for below.
    // 2 records a second: 24 objects take a pass of about 12 s, long enough to stop it.
    const args = ['--lifecycle-rate', '2'];
    other = await startCairn({ args });
    const client = s3Client(other);
    await client.send(new CreateBucketCommand({ Bucket: 'resume' }));
    for (let i = 0; i < 24; i++) {
      const Key = `k${String(i).padStart(2, '0')}`;
      await client.send(new PutObjectCommand({ Bucket: 'resume', Key, Body: 'x' }));
    }
    // A Date in the past: every object is due whatever the length of a day.
    const Expiration = { Date: new Date('2020-01-01T00:00:00Z') };
    await putRules(client, 'resume', [{ ID: 'all', Status: 'Enabled', Filter: {}, Expiration }]);
    const run = await signedFetch(other.url, '/riak-cs/lifecycle', {
      method: 'POST',
      credentials: other,
    });
    expect(run.status).toBe(200);
    let startedMs = 0;
    await until(async () => {
      const current = (await status()).workers[0]?.current;
      if (current?.cursor?.bucket !== 'resume') return false;
      startedMs = current.startedMs;
      return true;
    });
    const dataDir = other.dataDir;
    await other.cleanup({ keepData: true });
    client.destroy();
    const before = await listKeys(await startCairn({ args, dataDir }).then((p) => (other = p)));
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(24);
    await until(async () => (await status()).workers[0]?.current === undefined, 40_000);
    const last = (await status()).workers[0]!.lastPass!;
    // The pass that finished is the one begun before the kill, not a new one.
    expect(last.startedMs).toBe(startedMs);
    expect(await listKeys(other)).toBe(0);
  }, 90_000);
});

async function listKeys(target: CairnProcess): Promise<number> {
  const client = s3Client(target);
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'resume' }));
    return listed.KeyCount ?? 0;
  } finally {
    client.destroy();
  }
}
