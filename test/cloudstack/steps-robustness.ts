/**
 * Step S9.4 (the multipart refusals SDK v1 can meet) and S10 (teardown: no upload left
 * open, every test key deleted, buckets empty, server memory back near its baseline) of
 * the CloudStack emulation.
 */
import { expect } from 'vitest';
import {
  abortMultipart,
  completeMultipart,
  deleteObject,
  initiateMultipart,
  listAll,
  parseXml,
  uploadPart,
} from './cs-ops.js';
import type { CsWire } from './cs-wire.js';
import { processMemoryKb, type CsWorld } from './cs-world.js';

const MIB = 1024 * 1024;

const codeOf = (body: Buffer) => /<Code>([^<]*)<\/Code>/.exec(body.toString())?.[1];

/** S9.4: InvalidPart, InvalidPartOrder, EntityTooSmall, NoSuchUpload, part 10000 vs 10001. */
export async function s9MultipartErrors(wire: CsWire): Promise<void> {
  const key = 'robustness/multipart';
  const { uploadId } = await initiateMultipart(wire, key);
  const one = await uploadPart(wire, key, uploadId, 1, Buffer.alloc(5 * MIB, 1));
  const two = await uploadPart(wire, key, uploadId, 2, Buffer.alloc(1024, 2));
  const three = await uploadPart(wire, key, uploadId, 3, Buffer.alloc(1024, 3));
  const unknown = await completeMultipart(wire, key, uploadId, [
    { partNumber: 1, etag: one.etag },
    { partNumber: 2, etag: '0'.repeat(32) },
  ]);
  expect([unknown.status, codeOf(unknown.body)]).toEqual([400, 'InvalidPart']);
  const unordered = await completeMultipart(wire, key, uploadId, [
    { partNumber: 2, etag: two.etag },
    { partNumber: 1, etag: one.etag },
  ]);
  expect([unordered.status, codeOf(unordered.body)]).toEqual([400, 'InvalidPartOrder']);
  const small = await completeMultipart(wire, key, uploadId, [
    { partNumber: 2, etag: two.etag },
    { partNumber: 3, etag: three.etag },
  ]);
  expect([small.status, codeOf(small.body)]).toEqual([400, 'EntityTooSmall']);
  const last = await wire.call({
    method: 'PUT',
    key,
    query: [
      ['uploadId', uploadId],
      ['partNumber', '10000'],
    ],
    body: Buffer.from('x'),
  });
  expect(last.status).toBe(200);
  const beyond = await wire.call({
    method: 'PUT',
    key,
    query: [
      ['uploadId', uploadId],
      ['partNumber', '10001'],
    ],
    body: Buffer.from('x'),
  });
  expect(beyond.status).toBe(400);
  expect((await abortMultipart(wire, key, uploadId)).status).toBe(204);
  const after = await wire.call({
    method: 'PUT',
    key,
    query: [
      ['uploadId', uploadId],
      ['partNumber', '4'],
    ],
    body: Buffer.from('x'),
  });
  expect([after.status, codeOf(after.body)]).toEqual([404, 'NoSuchUpload']);
}

/** S10: no open uploads, every key deleted, the buckets empty; server RSS near baseline. */
export async function s10Teardown(world: CsWorld, wires: CsWire[], baselineRssKb: number) {
  for (const wire of wires) {
    const uploads = await wire.call({ method: 'GET', query: [['uploads']] });
    expect(uploads.status).toBe(200);
    const result = parseXml(uploads.body)['ListMultipartUploadsResult'] as Record<string, unknown>;
    expect(result['Upload'] ?? []).toEqual([]);
    const keys = await listAll(wire, '');
    const statuses = new Set<number>();
    const worker = async () => {
      for (let key = keys.pop(); key !== undefined; key = keys.pop()) {
        statuses.add((await deleteObject(wire, key)).status);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect([...statuses]).toEqual(statuses.size === 0 ? [] : [204]);
    expect(await listAll(wire, '')).toEqual([]);
  }
  // V8 gives memory back once the process goes idle (its memory reducer), not at once:
  // wait for that, up to a minute, before judging.
  const startMs = Date.now();
  let { rssKb } = await processMemoryKb(world.server.s3Pid);
  while (rssKb > baselineRssKb * 1.1 && Date.now() - startMs < 60_000) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    ({ rssKb } = await processMemoryKb(world.server.s3Pid));
  }
  const waitedS = ((Date.now() - startMs) / 1000).toFixed(0);
  console.log(
    `S10: server RSS ${rssKb} KiB after ${waitedS} s idle, baseline ${baselineRssKb} KiB`,
  );
  return rssKb;
}
