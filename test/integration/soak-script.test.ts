/**
 * `npm run soak` end to end, short: a real 5-node dev cluster, the mixed workload, a node
 * restarted, samples, the read-back, the files; afterwards no process it started is alive
 * and its cluster dir is gone. Then Ctrl-C in the middle of a run stops every process too.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SOAK = resolve(import.meta.dirname, '../../dist/bench/soak/main.js');
const dirs: string[] = [];

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs the soak; `onOutput` sees everything printed so far and may signal the child. */
function soak(args: string[], timeoutMs: number, onOutput?: (all: string, pid: number) => void) {
  return new Promise<Finished>((resolvePromise) => {
    const child = spawn(process.execPath, [SOAK, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      onOutput?.(output, child.pid!);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, output });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // Reaped by init soon after: a zombie is not running.
  const stat = readFileSync(`/proc/${pid}/stat`, { encoding: 'utf8', flag: 'r' });
  return !/^\d+ \(.*\) Z/.test(stat);
}

async function outDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-soak-test-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('npm run soak', () => {
  it('drives a 5-node cluster through a restart, loses nothing and cleans up', async () => {
    const out = await outDir();
    const args = ['--minutes', '0.5', '--restart-every-minutes', '0.25', '--sample-seconds', '5'];
    // Bounded well above its ~2 minutes here: a 5-node start alone took 90 s at load 50.
    const run = await soak([...args, '--out', out], 270_000);
    expect(run.code, run.output).toBe(0);
    const doc = JSON.parse(await readFile(join(out, 'soak.json'), 'utf8'));
    expect(doc.verification.lost).toBe(0);
    expect(doc.verification.corrupt).toBe(0);
    expect(doc.verification.acknowledgedPresent).toBeGreaterThan(0);
    expect(doc.restarts.length).toBeGreaterThanOrEqual(1);
    expect(doc.restarts.every((r: { ok: boolean }) => r.ok)).toBe(true);
    expect(doc.samples.length).toBeGreaterThanOrEqual(3);
    const names = doc.samples[0].processes.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['dev1', 'dev5', 'stanchion1', 's3']));
    const csv = (await readFile(join(out, 'processes.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('t_s,process,pid,rss_bytes,fds,data_bytes');
    expect(csv.length).toBe(1 + doc.samples.length * names.length);
    expect(await readdir(join(out, 'logs'))).toContain('dev1.log');
    expect(run.output).toMatch(/^\[soak [\d:]+\] restart dev1: ok/m);
    expect(doc.pids.length).toBeGreaterThanOrEqual(9);
    expect(doc.pids.filter(alive)).toEqual([]);
    expect(existsSync(doc.meta.clusterDir)).toBe(false);
  }, 300_000);

  it('stops every process of the cluster on Ctrl-C', async () => {
    let pids: number[] = [];
    let clusterDir = '';
    let sent = false;
    const out = await outDir();
    const args = ['--minutes', '5', '--nodes', '3', '--sample-seconds', '2', '--out', out];
    const run = await soak(args, 120_000, (all, pid) => {
      const dir = /cluster in (\S+),/.exec(all)?.[1];
      if (sent || !dir || !/\] +\d+ \| /.test(all)) return;
      sent = true;
      clusterDir = dir;
      void readdir(join(dir, 'pids')).then(async (files) => {
        const texts = await Promise.all(files.map((f) => readFile(join(dir, 'pids', f), 'utf8')));
        pids = texts.map(Number);
        process.kill(pid, 'SIGINT');
      });
    });
    expect(sent, run.output).toBe(true);
    expect(run.code, run.output).toBe(130);
    expect(run.output).toContain('SIGINT: stopping every process of the cluster');
    expect(pids.length).toBe(6);
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(clusterDir)).toBe(false);
  }, 150_000);

  it('refuses a negative duration before starting anything', async () => {
    const run = await soak(['--minutes=-2'], 20_000);
    expect(run.code).toBe(2);
    expect(run.output).toContain('--minutes must be a positive number');
    expect(run.output).not.toContain('starting');
  });
});
