/**
 * The end of a soak: every key the workload touched is read back through S3 and judged
 * against the ledger. A read that errors is retried (the last restarted node may still be
 * settling); so is a 404 for a key that must be there, a few times, so a loss is counted
 * only when the object stays missing.
 */
import type { KeyState, Ledger, Verdict } from './ledger.js';
import { readState, type WorkloadContext } from './workload.js';

/** What the read-back found. */
export interface Verification {
  keysChecked: number;
  /** Keys whose only allowed state was "present with these bytes". */
  acknowledgedPresent: number;
  ok: number;
  lost: number;
  corrupt: number;
  resurrected: number;
  /** Keys that could not be read at all after every retry. */
  unreadable: number;
  /** Up to 20 keys that were not ok, with their verdict. */
  examples: string[];
}

const ATTEMPTS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function judgeKey(ctx: WorkloadContext, ledger: Ledger, key: string) {
  let lastError: unknown;
  let verdict: Verdict | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    let found: KeyState;
    try {
      found = await readState(ctx, key);
    } catch (error) {
      lastError = error;
      await sleep(500 * attempt);
      continue;
    }
    verdict = ledger.judge(key, found);
    if (verdict === 'ok' || attempt >= 3) return verdict;
    await sleep(1000);
  }
  return verdict ?? `unreadable (${(lastError as Error).name})`;
}

/** Reads back every key of `ledger`, `concurrency` at a time. */
export async function verifyAll(
  ctx: WorkloadContext,
  ledger: Ledger,
  concurrency: number,
): Promise<Verification> {
  const keys = ledger.keys();
  const result: Verification = {
    keysChecked: keys.length,
    acknowledgedPresent: ledger.acknowledgedPresent(),
    ok: 0,
    lost: 0,
    corrupt: 0,
    resurrected: 0,
    unreadable: 0,
    examples: [],
  };
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      const verdict = await judgeKey(ctx, ledger, key);
      if (verdict === 'ok') {
        result.ok++;
        continue;
      }
      if (verdict === 'lost' || verdict === 'corrupt' || verdict === 'resurrected') {
        result[verdict]++;
      } else {
        result.unreadable++;
      }
      if (result.examples.length < 20) result.examples.push(`${key}: ${verdict}`);
    }
  });
  await Promise.all(workers);
  return result;
}
