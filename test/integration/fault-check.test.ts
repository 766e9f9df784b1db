/**
 * The replication checker (scripts/fault-check) at CI size: five node processes, a
 * workload, kill -9 + restart, SIGSTOP for 20 s, a wiped data dir; then nothing lost and
 * all replicas agree. A control run with anti-entropy switched off must fail, so the
 * checker is shown to be able to fail.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CHECK = resolve(import.meta.dirname, '../../dist/scripts/fault-check/main.js');

async function check(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout } = await run(process.execPath, [CHECK, ...args], {
      env: { ...process.env, ...env },
      timeout: 280_000,
    });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: `${e.stdout}\n${e.stderr}` };
  }
}

describe('replication under faults (5 processes, n_val=3, w=2)', () => {
  it('loses no acknowledged write and converges after kill, pause and wipe', async () => {
    const result = await check([
      '--keys',
      '40',
      '--pause-seconds',
      '20',
      '--settle-seconds',
      '120',
    ]);
    expect(result.stdout).toMatch(/^faults injected: 3$/m);
    expect(result.stdout).toMatch(/^lost = 0$/m);
    expect(result.stdout).toMatch(/^replicas disagreeing: 0$/m);
    expect(Number(/^operations acknowledged: (\d+)$/m.exec(result.stdout)?.[1])).toBeGreaterThan(
      100,
    );
    expect(result.code, result.stdout).toBe(0);
  }, 300_000);

  it('detects the wiped replica when anti-entropy is off (control)', async () => {
    const result = await check(['--keys', '20', '--pause-seconds', '2', '--settle-seconds', '10'], {
      CAIRN_CHECK_AAE_INTERVAL_MS: '3600000',
    });
    expect(Number(/^replicas disagreeing: (\d+)$/m.exec(result.stdout)?.[1])).toBeGreaterThan(0);
    expect(result.code).toBe(1);
  }, 300_000);
});
