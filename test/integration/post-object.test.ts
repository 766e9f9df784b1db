/**
 * Browser POST uploads against a real `cairn start`: SigV4 and SigV2 forms, ${filename},
 * metadata and tags, every success_action_* answer, refusals (expired policy, failed
 * conditions, bad signature, size range, malformed bodies) that store nothing, and a large
 * file streamed through the form reader with the server's memory flat.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveSigningKeyV4, formatAmzDate } from '../../src/auth/sigv4.js';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';

let server: CairnProcess;
let s3: S3Client;

useCairn({ buckets: ['forms'] }, (started) => ({ server, s3 } = started));

const b64 = (doc: unknown) => Buffer.from(JSON.stringify(doc)).toString('base64');

interface SignOptions {
  expiresInMs?: number;
  secret?: string;
  version?: 'v2' | 'v4';
}

/** Form fields with a policy made of `conditions` (plus the auth fields), signed. */
function signedFields(
  conditions: unknown[],
  fields: Record<string, string>,
  options: SignOptions = {},
): Record<string, string> {
  const secret = options.secret ?? server.secret;
  const expiration = new Date(Date.now() + (options.expiresInMs ?? 600_000)).toISOString();
  if (options.version === 'v2') {
    const policy = b64({ expiration, conditions });
    const signature = createHmac('sha1', secret).update(policy).digest('base64');
    return { ...fields, AWSAccessKeyId: server.keyId, policy, signature };
  }
  const amzDate = formatAmzDate(Date.now());
  const scope = { date: amzDate.slice(0, 8), region: 'us-east-1', service: 's3' };
  const credential = `${server.keyId}/${scope.date}/us-east-1/s3/aws4_request`;
  const auth = {
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': credential,
    'x-amz-date': amzDate,
  };
  const all = [...conditions, ...Object.entries(auth).map(([k, v]) => ({ [k]: v }))];
  const policy = b64({ expiration, conditions: all });
  const signature = createHmac('sha256', deriveSigningKeyV4(secret, scope))
    .update(policy)
    .digest('hex');
  return { ...fields, ...auth, policy, 'x-amz-signature': signature };
}

function post(fields: Record<string, string>, file?: { name: string; data: string }) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file) form.append('file', new Blob([file.data], { type: 'image/png' }), file.name);
  return fetch(new URL('/forms', server.url), { method: 'POST', body: form, redirect: 'manual' });
}

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: 'forms', Key: key }));
    return true;
  } catch {
    return false;
  }
}

const OPEN = [{ bucket: 'forms' }, ['starts-with', '$key', 'up/']];

describe('POST uploads: success', () => {
  it('stores a SigV4 form upload with ${filename}, metadata and tags (201 XML)', async () => {
    const conditions = [
      ...OPEN,
      ['starts-with', '$Content-Type', 'image/'],
      ['eq', '$x-amz-meta-colour', 'blue'],
      ['eq', '$success_action_status', '201'],
      ['starts-with', '$tagging', ''],
      ['content-length-range', 1, 1024],
    ];
    const tagging = '<Tagging><TagSet><Tag><Key>t</Key><Value>1</Value></Tag></TagSet></Tagging>';
    const fields = signedFields(conditions, {
      key: 'up/${filename}',
      'Content-Type': 'image/png',
      'x-amz-meta-colour': 'blue',
      success_action_status: '201',
      tagging,
    });
    const answer = await post(fields, { name: 'photo.png', data: 'png bytes' });
    expect(answer.status).toBe(201);
    const xml = await answer.text();
    const etag = `"${createHash('md5').update('png bytes').digest('hex')}"`;
    expect(xml).toContain('<Key>up/photo.png</Key>');
    expect(xml).toContain('<Bucket>forms</Bucket>');
    expect(xml.replaceAll('&quot;', '"')).toContain(`<ETag>${etag}</ETag>`);
    expect(answer.headers.get('etag')).toBe(etag);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'forms', Key: 'up/photo.png' }));
    expect(await got.Body?.transformToString()).toBe('png bytes');
    expect(got.ContentType).toBe('image/png');
    expect(got.Metadata).toEqual({ colour: 'blue' });
    expect(got.TagCount).toBe(1);
  });

  it('answers 204 by default, 200 on request, and 303 to a redirect', async () => {
    const plain = await post(signedFields(OPEN, { key: 'up/a' }), { name: 'a', data: 'a' });
    expect(plain.status).toBe(204);
    const conditions200 = [...OPEN, { success_action_status: '200' }];
    const ok = await post(
      signedFields(conditions200, { key: 'up/b', success_action_status: '200' }),
      {
        name: 'b',
        data: 'b',
      },
    );
    expect(ok.status).toBe(200);
    const back = 'https://app.example.com/done?x=1';
    const conditions303 = [...OPEN, ['starts-with', '$success_action_redirect', 'https://app.']];
    const redirected = await post(
      signedFields(conditions303, { key: 'up/c', success_action_redirect: back }),
      { name: 'c', data: 'c' },
    );
    expect(redirected.status).toBe(303);
    const location = new URL(redirected.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://app.example.com/done');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      x: '1',
      bucket: 'forms',
      key: 'up/c',
    });
    expect(await exists('up/c')).toBe(true);
  });

  it("answers 201 with AWS's PostResponse, which has no XML namespace", async () => {
    const conditions = [...OPEN, { success_action_status: '201' }];
    const answer = await post(
      signedFields(conditions, { key: 'up/ns', success_action_status: '201' }),
      {
        name: 'f',
        data: 'ns',
      },
    );
    expect(answer.status).toBe(201);
    const xml = await answer.text();
    expect(xml).toMatch(/<PostResponse>\s*<Location>/);
    expect(xml).not.toContain('xmlns');
  });

  it('verifies an x-amz-checksum-* field against the file, stored with the object', async () => {
    const sha256 = createHash('sha256').update('checked').digest('base64');
    const good = await post(
      signedFields(OPEN, { key: 'up/sum', 'x-amz-checksum-sha256': sha256 }),
      { name: 'f', data: 'checked' },
    );
    expect(good.status).toBe(204);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'forms', Key: 'up/sum', ChecksumMode: 'ENABLED' }),
    );
    expect(head.ChecksumSHA256).toBe(sha256);
    const wrong = createHash('sha256').update('other').digest('base64');
    const bad = await post(signedFields(OPEN, { key: 'up/sum2', 'x-amz-checksum-sha256': wrong }), {
      name: 'f',
      data: 'checked',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('<Code>BadDigest</Code>');
    const garbled = await post(
      signedFields(OPEN, { key: 'up/sum3', 'x-amz-checksum-sha256': 'sailorjerry' }),
      { name: 'f', data: 'checked' },
    );
    expect(garbled.status).toBe(400);
    expect(await exists('up/sum2')).toBe(false);
    expect(await exists('up/sum3')).toBe(false);
  });

  it('accepts a SigV2 form', async () => {
    const answer = await post(signedFields(OPEN, { key: 'up/v2' }, { version: 'v2' }), {
      name: 'f',
      data: 'two',
    });
    expect(answer.status).toBe(204);
    expect(await exists('up/v2')).toBe(true);
  });
});

describe('POST uploads: refusals store nothing', () => {
  const refusal = async (answer: Response) => ({
    status: answer.status,
    text: await answer.text(),
  });

  it('refuses an expired policy, a failed condition and an extra field (403)', async () => {
    const expired = await refusal(
      await post(signedFields(OPEN, { key: 'up/x1' }, { expiresInMs: -1000 }), {
        name: 'f',
        data: 'x',
      }),
    );
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('Policy expired');
    const outside = await refusal(
      await post(signedFields(OPEN, { key: 'elsewhere/x2' }), { name: 'f', data: 'x' }),
    );
    expect(outside.status).toBe(403);
    expect(outside.text).toContain('Policy Condition failed');
    const extra = await refusal(
      await post(signedFields(OPEN, { key: 'up/x3', 'x-amz-meta-sneaky': '1' }), {
        name: 'f',
        data: 'x',
      }),
    );
    expect(extra.status).toBe(403);
    expect(extra.text).toContain('Extra input fields: x-amz-meta-sneaky');
    for (const key of ['up/x1', 'elsewhere/x2', 'up/x3']) expect(await exists(key)).toBe(false);
  });

  it('refuses a policy whose expiration is not ISO 8601 UTC (400), as S3 does', async () => {
    const expiration = new Date(Date.now() + 600_000).toISOString().replace('T', ' ');
    const policy = b64({ expiration, conditions: OPEN });
    const signature = createHmac('sha1', server.secret).update(policy).digest('base64');
    const fields = { key: 'up/date', AWSAccessKeyId: server.keyId, policy, signature };
    const answer = await refusal(await post(fields, { name: 'f', data: 'x' }));
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<Code>InvalidPolicyDocument</Code>');
    expect(await exists('up/date')).toBe(false);
  });

  it('refuses a bad signature (SignatureDoesNotMatch) and an unsigned form', async () => {
    const forged = await refusal(
      await post(signedFields(OPEN, { key: 'up/y1' }, { secret: 'not-the-secret' }), {
        name: 'f',
        data: 'x',
      }),
    );
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    const unsigned = await refusal(await post({ key: 'up/y2' }, { name: 'f', data: 'x' }));
    expect(unsigned.status).toBe(403);
    expect(unsigned.text).toContain('<Code>AccessDenied</Code>');
    expect(await exists('up/y1')).toBe(false);
  });

  it('enforces content-length-range both ways', async () => {
    const range = [...OPEN, ['content-length-range', 5, 10]];
    const big = await refusal(
      await post(signedFields(range, { key: 'up/z1' }), { name: 'f', data: 'x'.repeat(11) }),
    );
    expect(big.status).toBe(400);
    expect(big.text).toContain('<Code>EntityTooLarge</Code>');
    const small = await refusal(
      await post(signedFields(range, { key: 'up/z2' }), { name: 'f', data: 'x' }),
    );
    expect(small.text).toContain('<Code>EntityTooSmall</Code>');
    expect(await exists('up/z1')).toBe(false);
    expect(await exists('up/z2')).toBe(false);
  });

  it('refuses a non-form POST, a truncated form, no file, and SSE fields', async () => {
    const notForm = await fetch(new URL('/forms', server.url), { method: 'POST', body: 'key=x' });
    expect(notForm.status).toBe(412);
    const signed = signedFields(OPEN, { key: 'up/t' });
    const body =
      Object.entries(signed)
        .map(([n, v]) => `--B\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`)
        .join('') +
      '--B\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nno end';
    const truncated = await fetch(new URL('/forms', server.url), {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=B' },
      body,
    });
    expect(truncated.status).toBe(400);
    expect(await truncated.text()).toContain('MalformedPOSTRequest');
    expect(await exists('up/t')).toBe(false);
    const noFile = await refusal(await post(signedFields(OPEN, { key: 'up/n' })));
    expect(noFile.status).toBe(400);
    expect(noFile.text).toContain('<Code>IncorrectNumberOfFilesInPostRequest</Code>');
    const lockConditions = [...OPEN, { 'x-amz-object-lock-legal-hold': 'ON' }];
    const lock = await post(
      signedFields(lockConditions, { key: 'up/l', 'x-amz-object-lock-legal-hold': 'ON' }),
      { name: 'f', data: 'x' },
    );
    // Acted on since object lock reached browser POST; a bucket without it: AWS's 400.
    expect(lock.status).toBe(400);
    expect(await lock.text()).toContain('<Code>InvalidRequest</Code>');
    expect(await exists('up/l')).toBe(false);
    const sseConditions = [...OPEN, { 'x-amz-server-side-encryption': 'AES256' }];
    const sse = await post(
      signedFields(sseConditions, { key: 'up/s', 'x-amz-server-side-encryption': 'AES256' }),
      {
        name: 'f',
        data: 'x',
      },
    );
    expect(sse.status).toBe(501);
    expect(await exists('up/s')).toBe(false);
  });
});

const BIG_MIB = Number(process.env.CAIRN_TEST_POST_MIB ?? 192);

it(`POST uploads: a ${BIG_MIB} MiB file streams with server memory flat`, async () => {
  const fields = signedFields(OPEN, { key: 'up/big' });
  const boundary = 'cairn-big-boundary-0123456789';
  const head = Object.entries(fields)
    .map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`)
    .join('');
  const fileHead =
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; ` + 'filename="big"\r\n\r\n';
  const md5 = createHash('md5');
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(Buffer.from(head + fileHead));
    },
    pull(controller) {
      if (sent === BIG_MIB) {
        controller.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`));
        controller.close();
        return;
      }
      const piece = Buffer.from(chunk);
      piece.writeUInt32BE(sent++, 0);
      md5.update(piece);
      controller.enqueue(piece);
    },
  });
  const answer = await fetch(new URL('/forms', server.url), {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: stream,
    duplex: 'half',
  } as RequestInit);
  expect(answer.status).toBe(204);
  expect(answer.headers.get('etag')).toBe(`"${md5.digest('hex')}"`);
  const { hwmKb } = await server.memoryKb();
  expect(hwmKb / 1024).toBeLessThan(200);
  const head2 = await s3.send(new HeadObjectCommand({ Bucket: 'forms', Key: 'up/big' }));
  expect(head2.ContentLength).toBe(BIG_MIB * 1024 * 1024);
}, 120_000);
