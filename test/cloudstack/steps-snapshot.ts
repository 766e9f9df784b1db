/**
 * Step S5 of the CloudStack emulation: snapshot backups. KVM/VMware go through the SSVM's
 * putFile (Content-MD5 on a single PUT, else 10 workers uploading parts out of order);
 * XenServer hosts use the s3xenserver plugin (mode M5, raw SigV2 over a socket).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { expect } from 'vitest';
import { completeXml, csKey, getObject, headObject, parseXml, unquote } from './cs-ops.js';
import type { CsWorld } from './cs-world.js';
import { sha256Stream, type ModeState } from './steps-template.js';
import { templateBytes, templateStream, type TemplateFile } from './template-origin.js';
import { tmUploadFile } from './transfer-manager.js';
import { md5Base64, xenRequest } from './xenserver.js';

const MIB = 1024 * 1024;

/** Writes a generated file into the staging dir; resolves with its path. */
export async function stagedFile(world: CsWorld, name: string, file: TemplateFile) {
  const path = join(world.stagingDir, name);
  await pipeline(templateStream(file), createWriteStream(path));
  return path;
}

/** A seeded shuffle, so a failing order can be replayed. */
export function shuffled(count: number, seed: number): number[] {
  const order = [...Array(count).keys()];
  let x = seed || 1;
  for (let i = count - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** S5.1: a 3 MiB snapshot is one PUT with Content-MD5; a wrong digest is BadDigest. */
export async function s5Small(world: CsWorld, state: ModeState): Promise<void> {
  const file: TemplateFile = { size: 3 * MIB, contentType: 'application/octet-stream', seed: 11 };
  const path = await stagedFile(world, `${state.wire.mode.name}-small-snapshot`, file);
  const key = csKey('snapshot', state.wire.mode.acct, `15/${randomUUID()}`);
  const report = await tmUploadFile(state.wire, key, path);
  state.keys.add(key);
  expect(report.multipart).toBe(false);
  const wrong = md5Base64(Buffer.from('not the body'));
  const bad = await state.wire.call({
    method: 'PUT',
    key: `${key}-bad`,
    body: templateBytes(file, 0, 64 * 1024),
    headers: { 'Content-MD5': wrong },
    contentType: 'application/octet-stream',
  });
  expect(bad.status).toBe(400);
  expect(bad.body.toString()).toContain('<Code>BadDigest</Code>');
  expect((await headObject(state.wire, `${key}-bad`)).status).toBe(404);
}

/** S5.2/S5.3: large snapshot and template-from-snapshot, parts parallel and shuffled. */
export async function s5Large(world: CsWorld, state: ModeState): Promise<void> {
  const { mode } = state.wire;
  const file: TemplateFile = { size: world.snapshotBytes, contentType: '', seed: 12 };
  const path = await stagedFile(world, `${mode.name}-large-snapshot`, file);
  const expected = await sha256Stream(templateStream(file));
  const keys = [
    csKey('snapshot', mode.acct, `15/${randomUUID()}`),
    csKey('template', mode.acct, '202/from-snapshot/template-from-snapshot.qcow2'),
  ];
  for (const [i, key] of keys.entries()) {
    const report = await tmUploadFile(state.wire, key, path, {
      order: (count) => shuffled(count, mode.acct * 10 + i),
      repeatPart: 2,
    });
    state.keys.add(key);
    expect(report.multipart).toBe(true);
    expect(report.etag).toMatch(new RegExp(`-${Math.ceil(file.size / (5 * MIB))}$`));
    expect(await sha256Stream(await getObject(state.wire, key))).toBe(expected);
  }
}

/** S5.4–S5.6: the XenServer plugin's single PUT, multipart and DELETE (mode M5). */
export async function s5XenServer(world: CsWorld, state: ModeState): Promise<void> {
  const { mode } = state.wire;
  const port = world.target.port;
  const file: TemplateFile = { size: 12 * MIB + 777, contentType: '', seed: 13 };
  const single = templateBytes(file, 0, 3 * MIB);
  const singleKey = csKey('snapshot', mode.acct, `15/${randomUUID()}.vhd`);
  const put = await xenRequest(port, mode.keys, {
    method: 'PUT',
    bucket: mode.bucket,
    key: singleKey,
    headers: [
      ['content-md5', md5Base64(single)],
      ['content-type', 'application/octet-stream'],
      ['content-length', String(single.length)],
    ],
    body: single,
  });
  expect(put.status).toBe(200);
  // The plugin never looks at statuses: check the store itself.
  expect((await headObject(state.wire, singleKey)).headers['content-length']).toBe(
    String(single.length),
  );
  const key = csKey('snapshot', mode.acct, `15/${randomUUID()}.vhd`);
  await xenMultipart(port, state, key, file);
  expect(await sha256Stream(await getObject(state.wire, key))).toBe(
    await sha256Stream(templateStream(file)),
  );
  for (const k of [singleKey, key]) {
    const deleted = await xenRequest(port, mode.keys, {
      method: 'DELETE',
      bucket: mode.bucket,
      key: k,
    });
    expect(deleted.status).toBe(204);
    expect((await headObject(state.wire, k)).status).toBe(404);
  }
}

async function xenMultipart(port: number, state: ModeState, key: string, file: TemplateFile) {
  const { mode } = state.wire;
  const base = { bucket: mode.bucket, key };
  // POST ?uploads with no Content-Length and no Transfer-Encoding, as httplib sends it.
  const init = await xenRequest(port, mode.keys, { ...base, method: 'POST', query: [['uploads']] });
  expect(init.status).toBe(200);
  const uploadId = (parseXml(init.body)['InitiateMultipartUploadResult'] as Record<string, string>)[
    'UploadId'
  ]!;
  const parts: Array<{ partNumber: number; etag: string }> = [];
  for (let at = 0, partNumber = 1; at < file.size; at += 5 * MIB, partNumber++) {
    const length = Math.min(5 * MIB, file.size - at);
    const answer = await xenRequest(port, mode.keys, {
      ...base,
      method: 'PUT',
      query: [
        ['partNumber', String(partNumber)],
        ['uploadId', uploadId],
      ],
      headers: [['content-length', String(length)]],
      body: { stream: templateStream(file, at, at + length), length },
    });
    expect(answer.status).toBe(200);
    parts.push({ partNumber, etag: unquote(answer.headers['etag']) });
  }
  const body = Buffer.from(completeXml(parts));
  const done = await xenRequest(port, mode.keys, {
    ...base,
    method: 'POST',
    query: [['uploadId', uploadId]],
    headers: [['content-length', String(body.length)]],
    body,
  });
  expect(done.status).toBe(200);
  expect(done.body.toString()).toContain('CompleteMultipartUploadResult');
}
