/**
 * Everything a CloudStack emulation run needs around the server under test: two users made
 * with `cairn-admin user create` (one per signer, as CloudStack caches one client per access
 * key), their buckets created out of band, the template origin, the NFS staging directory
 * and the modes M1–M5. Sizes come from CAIRN_CLOUDSTACK_TEMPLATE_MIB (64 in CI, 600 for the
 * full run); the other files scale with it up to the reference's sizes.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { CsMode, CsTarget } from './cs-wire.js';
import { PART_BYTES_MIN } from './transfer-manager.js';
import {
  startTemplateOrigin,
  templateDigests,
  type TemplateDigests,
  type TemplateFile,
  type TemplateOrigin,
} from './template-origin.js';

const MIB = 1024 * 1024;
const ADMIN_JS = resolve(import.meta.dirname, '../../dist/src/cli/cairn-admin.js');

/** Template size in MiB: CAIRN_CLOUDSTACK_TEMPLATE_MIB, 64 unless set. */
export const TEMPLATE_MIB = Number(process.env.CAIRN_CLOUDSTACK_TEMPLATE_MIB ?? 64);
/** The system VM template's file name, as the origin serves it. */
export const TEMPLATE_NAME = 'systemvmtemplate-4.20.2-x86_64-kvm.qcow2';
/** Virtual-host base domain the server is started with. */
export const VHOST_BASE = 's3.test';
/** SDK v1's region for a custom endpoint. */
export const REGION = 'us-east-1';

/** The server under test, however it was started. */
export interface CsServer {
  endpoint: string;
  port: number;
  admin: { keyId: string; secret: string };
  /** PID of the process that serves S3 (its /proc/<pid>/status is sampled). */
  s3Pid: number;
  /** Error-level log lines so far (a 500 the test did not expect). */
  errorLogs(): Promise<string[]>;
}

/** The files the origin serves, by name. */
export interface CsFiles {
  template: TemplateFile;
  templateBz2: TemplateFile;
  small: TemplateFile;
  volume: TemplateFile;
}

/** A prepared run. */
export interface CsWorld {
  server: CsServer;
  target: CsTarget;
  modes: CsMode[];
  origin: TemplateOrigin;
  files: CsFiles;
  templateDigests: TemplateDigests;
  stagingDir: string;
  /** Bytes of the large snapshot file (S5.2). */
  snapshotBytes: number;
  close(): Promise<void>;
}

const run = promisify(execFile);

/** Creates a user with cairn-admin, as docs/cloudstack.md tells an operator to. */
export async function createUser(server: CsServer, name: string) {
  const { stdout } = await run(
    process.execPath,
    [
      ADMIN_JS,
      '--url',
      server.endpoint,
      'user',
      'create',
      '--email',
      `${name}@cs.test`,
      '--name',
      name,
    ],
    {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: server.admin.keyId,
        AWS_SECRET_ACCESS_KEY: server.admin.secret,
      },
      timeout: 30_000,
    },
  );
  const accessKeyId = /^AWS_ACCESS_KEY_ID=(\S+)$/m.exec(stdout)![1]!;
  const secretAccessKey = /^AWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(stdout)![1]!;
  return { accessKeyId, secretAccessKey };
}

async function createBucket(
  server: CsServer,
  keys: { accessKeyId: string; secretAccessKey: string },
  bucket: string,
) {
  const s3 = new S3Client({
    endpoint: server.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: keys,
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
}

function sizedFiles(): CsFiles {
  const templateBytes = TEMPLATE_MIB * MIB + 12345;
  return {
    template: { size: templateBytes, contentType: 'application/octet-stream', seed: 1 },
    templateBz2: { size: 17 * MIB + 99, contentType: 'application/x-bzip2', seed: 2 },
    small: { size: 10 * MIB, contentType: 'application/octet-stream', seed: 3 },
    volume: {
      size: Math.min(50 * MIB, Math.max(20 * MIB, templateBytes / 12)) + 7,
      contentType: 'application/octet-stream',
      seed: 4,
    },
  };
}

/**
 * Prepares users, buckets, origin and staging dir. Each user owns its bucket: Cairn has no
 * cross-account grants yet, so M1/M4/M5 (SigV2 keys) use `cs-secondary-v2`.
 */
export async function setUpWorld(server: CsServer): Promise<CsWorld> {
  const v2 = await createUser(server, 'cloudstack-v2');
  const v4 = await createUser(server, 'cloudstack-v4');
  await createBucket(server, v4, 'cs-secondary');
  await createBucket(server, v2, 'cs-secondary-v2');
  const files = sizedFiles();
  const origin = await startTemplateOrigin(
    new Map([
      [TEMPLATE_NAME, files.template],
      [`${TEMPLATE_NAME}.bz2`, files.templateBz2],
      ['small-template.qcow2', files.small],
      ['volume-disk.raw', files.volume],
    ]),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const modes: CsMode[] = [
    { name: 'M1', signer: 'v2', vhost: false, keys: v2, bucket: 'cs-secondary-v2', acct: 2 },
    { name: 'M2', signer: 'v4', vhost: false, keys: v4, bucket: 'cs-secondary', acct: 3 },
    { name: 'M3', signer: 'v4', vhost: true, keys: v4, bucket: 'cs-secondary', acct: 4 },
    { name: 'M4', signer: 'v2', vhost: true, keys: v2, bucket: 'cs-secondary-v2', acct: 5 },
    { name: 'M5', signer: 'v2', vhost: false, keys: v2, bucket: 'cs-secondary-v2', acct: 6 },
  ];
  const stagingDir = await mkdtemp(join(tmpdir(), 'cairn-cs-staging-'));
  return {
    server,
    target: { port: server.port, vhostBase: VHOST_BASE, region: REGION, agent },
    modes,
    origin,
    files,
    templateDigests: await templateDigests(files.template, PART_BYTES_MIN),
    stagingDir,
    snapshotBytes: Math.min(200 * MIB, Math.max(24 * MIB, TEMPLATE_MIB * MIB * 0.4)) + 4321,
    async close() {
      agent.destroy();
      await origin.close();
      await rm(stagingDir, { recursive: true, force: true });
    },
  };
}

/** VmRSS and VmHWM of `pid`, in KiB. */
export async function processMemoryKb(pid: number): Promise<{ rssKb: number; hwmKb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1]);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

/** Samples a process's RSS every 100 ms while `work` runs; returns the peak, in KiB. */
export async function peakRssDuring<T>(pid: number, work: () => Promise<T>) {
  const before = await processMemoryKb(pid);
  let peakKb = before.rssKb;
  let clientPeak = process.memoryUsage().rss;
  const clientBefore = clientPeak;
  const timer = setInterval(() => {
    processMemoryKb(pid).then(
      (m) => (peakKb = Math.max(peakKb, m.rssKb)),
      () => undefined,
    );
    clientPeak = Math.max(clientPeak, process.memoryUsage().rss);
  }, 100);
  try {
    const result = await work();
    const after = await processMemoryKb(pid);
    return {
      result,
      before,
      after,
      serverGrowthKb: Math.max(peakKb, after.rssKb) - before.rssKb,
      hwmGrowthKb: after.hwmKb - before.hwmKb,
      clientGrowthKb: Math.round((clientPeak - clientBefore) / 1024),
    };
  } finally {
    clearInterval(timer);
  }
}
