/**
 * Steps S2 (system VM template seeding from a URL), S4 (copy to primary through the NFS
 * staging store) and S7 (volume upload from a URL) of the CloudStack emulation, for one
 * mode. Each asserts what SDK v1 and CloudStack would check on the wire.
 */
import AWS from 'aws-sdk';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { expect } from 'vitest';
import { csKey, getObject, headObject, type ListPage } from './cs-ops.js';
import { CsWire, type CsMode } from './cs-wire.js';
import { peakRssDuring, TEMPLATE_NAME, type CsWorld } from './cs-world.js';
import { QCOW2_VIRTUAL_BYTES, templateBytes, type TemplateFile } from './template-origin.js';
import { tmDownload } from './tm-download.js';
import { tmUploadStream, type UploadReport } from './transfer-manager.js';

const MIB = 1024 * 1024;

/** What the steps of one mode share. */
export interface ModeState {
  wire: CsWire;
  templateKey: string;
  /** Every key this mode created and has not deleted. */
  keys: Set<string>;
  firstPage?: ListPage;
}

/** Fresh state for `mode`. */
export function modeState(world: CsWorld, mode: CsMode): ModeState {
  const templateKey = csKey('template', mode.acct, `3/routing-3/${TEMPLATE_NAME}`);
  return { wire: new CsWire(world.target, mode), templateKey, keys: new Set() };
}

/** GETs `name` from the origin; CloudStack refuses a source without Content-Length. */
export function originGet(world: CsWorld, name: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(`${world.origin.url}/${encodeURIComponent(name)}`, resolve).on('error', reject);
  });
}

/** Expected multipart ETag: md5 of the concatenated binary part MD5s, then `-N`. */
export function multipartEtag(partMd5Hex: readonly string[]): string {
  const md5 = createHash('md5');
  for (const hex of partMd5Hex) md5.update(Buffer.from(hex, 'hex'));
  return `${md5.digest('hex')}-${partMd5Hex.length}`;
}

/** S2.1–S2.5: the streamed serial multipart upload, its ETags, 100s and memory. */
export async function s2Seed(world: CsWorld, state: ModeState): Promise<UploadReport> {
  const origin = await originGet(world, TEMPLATE_NAME);
  expect(origin.headers['content-length']).toBe(String(world.files.template.size));
  const length = Number(origin.headers['content-length']);
  // M2 stands for the RRS variant (x-amz-storage-class: REDUCED_REDUNDANCY).
  const rrs = state.wire.mode.name === 'M2' ? { storageClass: 'REDUCED_REDUNDANCY' } : {};
  const contentType = origin.headers['content-type']!;
  const measured = await peakRssDuring(world.server.s3Pid, () =>
    tmUploadStream(state.wire, state.templateKey, origin, length, { contentType, ...rrs }),
  );
  const report = measured.result;
  state.keys.add(state.templateKey);
  const digests = world.templateDigests;
  expect(report.multipart).toBe(true);
  expect(report.parts.map((p) => p.partNumber)).toEqual(digests.partMd5Hex.map((_, i) => i + 1));
  expect(report.parts.map((p) => p.etag)).toEqual(digests.partMd5Hex);
  expect(report.parts.filter((p) => !p.continued)).toEqual([]);
  expect(report.etag).toBe(multipartEtag(digests.partMd5Hex));
  const complete = report.complete!.body.toString();
  for (const field of ['Location', 'Bucket', 'Key', 'ETag'])
    expect(complete).toContain(`<${field}>`);
  const slowest = Math.max(...report.parts.map((p) => p.continueMs ?? 0));
  console.log(
    `${state.wire.mode.name} S2: ${report.parts.length} parts, slowest 100-continue ` +
      `${slowest.toFixed(0)} ms, Complete ${report.completeMs!.toFixed(0)} ms; server RSS ` +
      `${measured.before.rssKb} KiB -> peak +${measured.serverGrowthKb} KiB ` +
      `(VmHWM +${measured.hwmGrowthKb} KiB), client +${measured.clientGrowthKb} KiB`,
  );
  expect(measured.serverGrowthKb).toBeLessThan(128 * 1024);
  expect(measured.hwmGrowthKb).toBeLessThan(128 * 1024);
  expect(measured.clientGrowthKb).toBeLessThan(64 * 1024);
  return report;
}

/** S2.4: the QCOW2 probe reads 32 bytes of a whole-object GET and hangs up. */
export async function s2Qcow2Probe(state: ModeState): Promise<void> {
  const message = await getObject(state.wire, state.templateKey);
  expect(message.statusCode).toBe(200);
  const head = await new Promise<Buffer>((resolve) => {
    message.once('data', (chunk: Buffer) => resolve(chunk));
  });
  message.destroy();
  expect(head.subarray(0, 4).toString('latin1')).toBe('QFI\xfb');
  expect(head.readBigUInt64BE(24)).toBe(QCOW2_VIRTUAL_BYTES);
  const after = await headObject(state.wire, state.templateKey);
  expect(after.status).toBe(200);
}

/** S2.6: HEAD carries what S3TemplateDownloader and TransferManager read. */
export async function s2Head(world: CsWorld, state: ModeState, etag: string): Promise<void> {
  const head = await headObject(state.wire, state.templateKey);
  expect(head.status).toBe(200);
  expect(head.body.length).toBe(0);
  expect(head.headers['content-length']).toBe(String(world.files.template.size));
  expect(head.headers['content-type']).toBe('application/octet-stream');
  expect(head.headers['etag']).toBe(`"${etag}"`);
  expect(head.headers['last-modified']).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  expect(head.headers['accept-ranges']).toBe('bytes');
  if (state.wire.mode.name === 'M2') {
    console.log(
      `M2 S2.6: RRS echoed as x-amz-storage-class=${head.headers['x-amz-storage-class']}`,
    );
  }
}

/** S2.7: a 10 MiB template is one PUT (with Expect, no Content-MD5); a .bz2 has no probe. */
export async function s2SmallAndBz2(world: CsWorld, state: ModeState): Promise<void> {
  for (const [name, file] of [
    ['small-template.qcow2', world.files.small],
    [`${TEMPLATE_NAME}.bz2`, world.files.templateBz2],
  ] as const) {
    const key = csKey(
      'template',
      state.wire.mode.acct,
      `201/201-2-${state.wire.mode.name}/${name}`,
    );
    const origin = await originGet(world, name);
    const contentType = origin.headers['content-type']!;
    const report = await tmUploadStream(state.wire, key, origin, file.size, { contentType });
    state.keys.add(key);
    expect(report.multipart).toBe(file.size > 16 * MIB);
    if (!report.multipart) {
      expect(report.parts[0]!.continued).toBe(true);
      expect(report.etag).toBe(await md5Of(file));
    } else expect(report.etag).toMatch(/-\d+$/);
    const head = await headObject(state.wire, key);
    expect(head.headers['content-type']).toBe(file.contentType);
  }
}

async function md5Of(file: TemplateFile): Promise<string> {
  const { templateStream } = await import('./template-origin.js');
  const md5 = createHash('md5');
  for await (const chunk of templateStream(file)) md5.update(chunk as Buffer);
  return md5.digest('hex');
}

/** S2.8: aws-sdk v2's ManagedUpload of the same origin file stores identical bytes. */
export async function s2CrossCheck(world: CsWorld, state: ModeState): Promise<void> {
  const { mode } = state.wire;
  const s3 = new AWS.S3({
    endpoint: `http://127.0.0.1:${world.target.port}`,
    s3ForcePathStyle: true,
    signatureVersion: mode.signer,
    accessKeyId: mode.keys.accessKeyId,
    secretAccessKey: mode.keys.secretAccessKey,
    region: world.target.region,
  });
  const key = csKey('template', mode.acct, `201/201-2-sdk2/${TEMPLATE_NAME}.bz2`);
  const origin = await originGet(world, `${TEMPLATE_NAME}.bz2`);
  await s3
    .upload(
      { Bucket: mode.bucket, Key: key, Body: origin, ContentType: 'application/x-bzip2' },
      { partSize: 5 * MIB, queueSize: 1 },
    )
    .promise();
  state.keys.add(key);
  const got = await getObject(state.wire, key);
  expect(await sha256Stream(got)).toBe(await sha256Of(world.files.templateBz2));
}

/** SHA-256 of a stream. */
export async function sha256Stream(stream: AsyncIterable<unknown>): Promise<string> {
  const sha = createHash('sha256');
  for await (const chunk of stream) sha.update(chunk as Buffer);
  return sha.digest('hex');
}

async function sha256Of(file: TemplateFile): Promise<string> {
  const { templateStream } = await import('./template-origin.js');
  return sha256Stream(templateStream(file));
}

/** S4.1–S4.3: both TransferManager download branches produce the template exactly. */
export async function s4Download(world: CsWorld, state: ModeState): Promise<void> {
  const path = join(world.stagingDir, `${state.wire.mode.name}-${TEMPLATE_NAME}`);
  const parts = await tmDownload(state.wire, state.templateKey, path, { partsBranch: true });
  const partCount = world.templateDigests.partMd5Hex.length;
  expect(parts.branch).toBe('parts');
  expect(parts.partCount).toBe(partCount);
  expect(parts.contentRanges[0]).toBe(`bytes 0-${5 * MIB - 1}/${world.files.template.size}`);
  expect(await sha256Stream(createReadStream(path))).toBe(world.templateDigests.sha256Hex);
  const probe = await headObject(state.wire, state.templateKey, 1);
  expect(probe.headers['content-length']).toBe(String(5 * MIB));
  expect(probe.headers['x-amz-mp-parts-count']).toBe(String(partCount));
  const ranged = await tmDownload(state.wire, state.templateKey, path, { partsBranch: false });
  expect(ranged.branch).toBe('ranged');
  expect(await sha256Stream(createReadStream(path))).toBe(world.templateDigests.sha256Hex);
}

/** S4.4: range edge cases, checked against regenerated bytes. */
export async function s4Ranges(world: CsWorld, state: ModeState): Promise<void> {
  const file = world.files.template;
  const n = file.size;
  const cases: Array<[string, number, number]> = [
    ['bytes=0-0', 0, 1],
    ['bytes=-512', n - 512, 512],
    [`bytes=${n - 1}-`, n - 1, 1],
  ];
  for (const [range, start, length] of cases) {
    const message = await getObject(state.wire, state.templateKey, { range });
    expect(message.statusCode).toBe(206);
    expect(message.headers['content-range']).toBe(`bytes ${start}-${start + length - 1}/${n}`);
    const body = Buffer.concat(await message.toArray());
    expect(body.equals(templateBytes(file, start, length))).toBe(true);
  }
  const past = await getObject(state.wire, state.templateKey, { range: `bytes=${n}-` });
  await past.toArray();
  expect(past.statusCode).toBe(416);
}

/** S7: a volume uploaded from a URL (.raw: no QCOW2 probe). */
export async function s7Volume(world: CsWorld, state: ModeState): Promise<void> {
  const key = csKey('volume', state.wire.mode.acct, '19/volume-disk.raw');
  const origin = await originGet(world, 'volume-disk.raw');
  const file = world.files.volume;
  const report = await tmUploadStream(state.wire, key, origin, file.size, {
    contentType: origin.headers['content-type']!,
  });
  state.keys.add(key);
  expect(report.etag).toMatch(/-\d+$/);
  const head = await headObject(state.wire, key);
  expect(head.headers['content-length']).toBe(String(file.size));
}
