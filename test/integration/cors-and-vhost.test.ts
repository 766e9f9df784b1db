/**
 * CORS (configuration, unauthenticated preflight, headers on actual requests) and
 * virtual-hosted-style addressing under a configured base domain, against a real
 * `cairn start --root-host s3.localhost.test`. No DNS is needed: the SDK's agent
 * resolves every name to 127.0.0.1, and raw requests carry an explicit Host header.
 */
import {
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3Client,
  type CORSRule,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent, request as httpRequest, type AgentOptions } from 'node:http';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { signV2 } from '../../src/auth/sigv2.js';
import { signV4 } from '../../src/auth/sigv4-client.js';
import { EMPTY_SHA256_HEX } from '../../src/auth/sigv4.js';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { s3ErrorOf } from '../helpers/s3-errors.js';

const BASE = 's3.localhost.test';
let server: CairnProcess;
let s3: S3Client;

useCairn(
  { buckets: ['web', 'plain', 'vbucket', 'patterns'], args: ['--root-host', BASE] },
  (started) => ({ server, s3 } = started),
);

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends a request to the test server with any Host header (node:fetch may not). */
function hostRequest(
  host: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: options.method ?? 'GET',
        headers: { host, ...options.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

const credentials = () => ({ accessKeyId: server.keyId, secretAccessKey: server.secret });

/** Every name resolves to loopback, so <bucket>.s3.localhost.test reaches the server. */
const loopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all)
    (callback as (e: null, a: object[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

function vhostClient(hosts: string[]): S3Client {
  const client = new S3Client({
    endpoint: `http://${BASE}:${server.port}`,
    forcePathStyle: false,
    region: 'us-east-1',
    credentials: credentials(),
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ lookup: loopback } as AgentOptions),
    }),
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      hosts.push((args.request as { hostname: string }).hostname);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordHost' },
  );
  return client;
}

const RULES: CORSRule[] = [
  {
    ID: 'uploads',
    AllowedOrigins: ['https://*.example.com'],
    AllowedMethods: ['PUT', 'POST'],
    AllowedHeaders: ['content-type', 'x-amz-*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 600,
  },
  { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'] },
];

function preflight(path: string, headers: Record<string, string>, host = `127.0.0.1`) {
  return hostRequest(`${host}:${server.port}`, path, { method: 'OPTIONS', headers });
}

describe('CORS', () => {
  it('answers NoSuchCORSConfiguration, then round-trips a configuration', async () => {
    const none = s3.send(new GetBucketCorsCommand({ Bucket: 'web' }));
    expect(await s3ErrorOf(none)).toEqual({ name: 'NoSuchCORSConfiguration', status: 404 });
    await s3.send(
      new PutBucketCorsCommand({ Bucket: 'web', CORSConfiguration: { CORSRules: RULES } }),
    );
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: 'web' }));
    expect(got.CORSRules).toEqual(RULES);
  });

  it('refuses invalid rules with 400 and keeps the old configuration', async () => {
    const bad: CORSRule[][] = [
      [{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }],
      [{ AllowedOrigins: ['https://*.*.com'], AllowedMethods: ['GET'] }],
      [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'], AllowedHeaders: ['x-*-*'] }],
      Array.from({ length: 101 }, () => ({ AllowedOrigins: ['*'], AllowedMethods: ['GET'] })),
    ];
    for (const CORSRules of bad) {
      const put = s3.send(
        new PutBucketCorsCommand({ Bucket: 'web', CORSConfiguration: { CORSRules } }),
      );
      expect((await s3ErrorOf(put)).status).toBe(400);
    }
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: 'web' }));
    expect(got.CORSRules).toEqual(RULES);
  });

  it('allows a matching preflight without credentials', async () => {
    const answer = await preflight('/web/some/key', {
      origin: 'https://app.example.com',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'Content-Type, X-Amz-Date',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(answer.headers['access-control-allow-methods']).toBe('PUT, POST');
    expect(answer.headers['access-control-allow-headers']).toBe('content-type, x-amz-date');
    expect(answer.headers['access-control-max-age']).toBe('600');
    expect(answer.headers['access-control-expose-headers']).toBe('ETag');
    expect(answer.headers['access-control-allow-credentials']).toBe('true');
    expect(answer.headers['vary']).toContain('Origin');
  });

  it('refuses a preflight no rule allows with 403 CORSResponse', async () => {
    const cases: Record<string, string>[] = [
      { origin: 'https://evil.test', 'access-control-request-method': 'PUT' },
      { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' },
      {
        origin: 'https://app.example.com',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization-ish',
      },
    ];
    for (const headers of cases) {
      const answer = await preflight('/web/k', headers);
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('CORSResponse: This CORS request is not allowed');
    }
    const noOrigin = await preflight('/web/k', { 'access-control-request-method': 'GET' });
    expect(noOrigin.status).toBe(400);
    const noConfig = await preflight('/plain/k', {
      origin: 'https://a.test',
      'access-control-request-method': 'GET',
    });
    expect(noConfig.status).toBe(403);
  });

  it('adds CORS headers to actual requests with an Origin', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'web', Key: 'page', Body: 'hi' }));
    const host = `127.0.0.1:${server.port}`;
    const get = (extra: Record<string, string>) => {
      const headers = { host, ...extra };
      const signed = signV4(
        { method: 'GET', url: '/web/page', headers, payloadSha256Hex: EMPTY_SHA256_HEX },
        credentials(),
        'us-east-1',
        Date.now(),
      );
      return hostRequest(host, '/web/page', { headers: { ...headers, ...signed } });
    };
    const answer = await get({ origin: 'https://anyone.test' });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-allow-methods']).toBe('GET, HEAD');
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    const plain = await get({});
    expect(plain.status).toBe(200);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('deletes the configuration, after which preflights are refused', async () => {
    await s3.send(new DeleteBucketCorsCommand({ Bucket: 'web' }));
    const none = s3.send(new GetBucketCorsCommand({ Bucket: 'web' }));
    expect(await s3ErrorOf(none)).toEqual({ name: 'NoSuchCORSConfiguration', status: 404 });
    const answer = await preflight('/web/k', {
      origin: 'https://anyone.test',
      'access-control-request-method': 'GET',
    });
    expect(answer.status).toBe(403);
  });
});

describe('CORS origin patterns (ceph s3-tests: test_cors_origin_response)', () => {
  const PATTERN_RULES: CORSRule[] = [
    { AllowedMethods: ['GET'], AllowedOrigins: ['*suffix'] },
    { AllowedMethods: ['GET'], AllowedOrigins: ['start*end'] },
    { AllowedMethods: ['GET'], AllowedOrigins: ['prefix*'] },
    { AllowedMethods: ['PUT'], AllowedOrigins: ['*.put'] },
  ];

  /** An anonymous request: refused (403), but its answer still carries CORS headers. */
  async function allowed(method: string, path: string, headers: Record<string, string>) {
    const answer = await hostRequest(`127.0.0.1:${server.port}`, path, {
      method,
      headers: method === 'PUT' ? { ...headers, 'content-length': '0' } : headers,
    });
    const origin = answer.headers['access-control-allow-origin'];
    const methods = answer.headers['access-control-allow-methods'];
    return { status: answer.status, allow: origin === undefined ? null : `${origin} ${methods}` };
  }

  it('matches *suffix, start*end and prefix* origins, on answers and errors alike', async () => {
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: 'patterns',
        CORSConfiguration: { CORSRules: PATTERN_RULES },
      }),
    );
    const cases: [string, string | null][] = [
      ['foo.suffix', 'foo.suffix GET'],
      ['foo.bar', null],
      ['foo.suffix.get', null],
      ['startend', 'startend GET'],
      ['start12end', 'start12end GET'],
      ['0start12end', null],
      ['prefix', 'prefix GET'],
      ['prefix.suffix', 'prefix.suffix GET'],
      ['bla.prefix', null],
    ];
    for (const [origin, expected] of cases) {
      const answer = await allowed('GET', '/patterns', { origin });
      expect(answer, origin).toEqual({ status: 403, allow: expected });
    }
  });

  it("matches an actual request's Access-Control-Request-Method when it sends one", async () => {
    const put = (headers: Record<string, string>) => allowed('PUT', '/patterns/bar', headers);
    const suffix = { origin: 'foo.suffix' };
    expect(await put({ ...suffix, 'access-control-request-method': 'GET' })).toEqual({
      status: 403,
      allow: 'foo.suffix GET',
    });
    expect((await put({ ...suffix, 'access-control-request-method': 'PUT' })).allow).toBeNull();
    expect((await put(suffix)).allow).toBeNull();
    expect((await put({ origin: 'foo.put' })).allow).toBe('foo.put PUT');
  });

  it('answers preflights: 400 without a method, 200 or 403 by the rules', async () => {
    const options = (headers: Record<string, string>) =>
      preflight('/patterns', headers).then((a) => ({
        status: a.status,
        origin: a.headers['access-control-allow-origin'],
      }));
    expect((await options({ origin: 'foo.suffix' })).status).toBe(400);
    const get = { 'access-control-request-method': 'GET' };
    expect(await options({ origin: 'start1end', ...get })).toEqual({
      status: 200,
      origin: 'start1end',
    });
    expect((await options({ origin: 'foo.put', ...get })).status).toBe(403);
    const putMethod = { 'access-control-request-method': 'PUT' };
    expect(await options({ origin: 'foo.put', ...putMethod })).toEqual({
      status: 200,
      origin: 'foo.put',
    });
  });
});

describe('virtual-hosted-style addressing', () => {
  it('serves the SDK with the bucket in the host (SigV4)', async () => {
    const hosts: string[] = [];
    const vhost = vhostClient(hosts);
    try {
      await vhost.send(new PutObjectCommand({ Bucket: 'vbucket', Key: 'dir/a b', Body: 'vh' }));
      const got = await vhost.send(new GetObjectCommand({ Bucket: 'vbucket', Key: 'dir/a b' }));
      expect(await got.Body?.transformToString()).toBe('vh');
      const list = await vhost.send(new ListObjectsV2Command({ Bucket: 'vbucket' }));
      expect(list.Contents?.map((c) => c.Key)).toEqual(['dir/a b']);
      const location = await vhost.send(new GetBucketLocationCommand({ Bucket: 'vbucket' }));
      expect(location.LocationConstraint).toBeUndefined();
      await vhost.send(new HeadBucketCommand({ Bucket: 'vbucket' }));
      expect(new Set(hosts)).toEqual(new Set([`vbucket.${BASE}`]));
    } finally {
      vhost.destroy();
    }
    const pathStyle = await s3.send(new GetObjectCommand({ Bucket: 'vbucket', Key: 'dir/a b' }));
    expect(await pathStyle.Body?.transformToString()).toBe('vh');
  });

  it('verifies SigV2 with the bucket from the host in the canonical resource', async () => {
    const host = `vbucket.${BASE}:${server.port}`;
    const sign = (rawUrl: string, bucketFromHost?: string) =>
      signV2({ method: 'GET', rawUrl, headers: {}, bucketFromHost }, credentials(), Date.now());
    const object = await hostRequest(host, '/dir/a%20b', {
      headers: sign('/dir/a%20b', 'vbucket'),
    });
    expect(object.status).toBe(200);
    expect(object.body).toBe('vh');
    const location = await hostRequest(host, '/?location', {
      headers: sign('/?location', 'vbucket'),
    });
    expect(location.status).toBe(200);
    expect(location.body).toContain('<LocationConstraint');
    const withoutBucket = await hostRequest(host, '/dir/a%20b', { headers: sign('/dir/a%20b') });
    expect(withoutBucket.status).toBe(403);
    expect(withoutBucket.body).toContain('SignatureDoesNotMatch');
  });

  it('keeps path style on the base host itself and answers a vhost preflight', async () => {
    const host = `${BASE}:${server.port}`;
    const url = '/vbucket/dir/a%20b';
    const headers = { host };
    const signed = signV4(
      { method: 'GET', url, headers, payloadSha256Hex: EMPTY_SHA256_HEX },
      credentials(),
      'us-east-1',
      Date.now(),
    );
    const answer = await hostRequest(host, url, { headers: { ...headers, ...signed } });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('vh');
    const unknown = await preflight(
      '/k',
      { origin: 'https://a.test', 'access-control-request-method': 'GET' },
      `nosuchbucket.${BASE}`,
    );
    expect(unknown.status).toBe(404);
  });
});
