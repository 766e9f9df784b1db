/**
 * `cairn-admin stanchion status`'s action: asks each stanchion given for its status, answers
 * for the embedded store's in-process stanchion when that is what runs (it must never be
 * called down while user and bucket changes work), and says under the table what each
 * stanchion that did not answer means and what to change.
 */
import type { Command } from 'commander';
import { stanchionStatusOf, type StanchionAnswer } from '../../stanchion/client.js';
import type { InternalClient } from '../../ring/transport/internal-client.js';
import { whyUnreachable, wrongKindError } from './endpoint-errors.js';
import { probeKind } from './endpoint-probe.js';
import { internalClientOf } from './internal-client-of.js';
import { embeddedStoreUrl } from './node-target.js';

/** The options of `stanchion status`. */
export interface StanchionStatusOptions {
  stanchion?: string;
  json?: boolean;
}

/** The default address of a stanchion. */
export const DEFAULT_STANCHION = '127.0.0.1:8085';

/** Runs the command; `statusText` renders the table of answers. */
export async function stanchionStatusAction(
  program: Command,
  opts: StanchionStatusOptions,
  statusText: (answers: StanchionAnswer[]) => string,
): Promise<void> {
  const given = opts.stanchion ?? (process.env.CAIRN_STANCHION || undefined);
  const addresses = (given ?? DEFAULT_STANCHION).split(',').map((a) =>
    a
      .trim()
      .replace(/^https?:\/\//i, '')
      .replace(/\/+$/, ''),
  );
  for (const a of addresses) {
    if (!/^[\w.-]+:\d{1,5}$/.test(a)) {
      throw new Error(`not a host:port: ${JSON.stringify(a).slice(0, 100)} (--stanchion)`);
    }
  }
  let client: InternalClient;
  try {
    client = await internalClientOf(program);
  } catch (error) {
    const url = given === undefined ? await embeddedStoreUrl(program) : undefined;
    if (url === undefined) throw error;
    return embeddedStatus(url, opts.json);
  }
  const answers = await Promise.all(addresses.map((a) => stanchionStatusOf(client, a)));
  if (given === undefined && answers.every((a) => 'error' in a)) {
    const url = await embeddedStoreUrl(program);
    if (url !== undefined) return embeddedStatus(url, opts.json);
  }
  if (opts.json) return void process.stdout.write(JSON.stringify(answers, null, 2) + '\n');
  process.stdout.write(statusText(answers));
  for (const answer of answers) {
    if ('error' in answer) process.stderr.write((await downHint(answer, client)) + '\n');
  }
  if (!answers.some((a) => 'status' in a && a.status.role === 'active')) process.exitCode = 2;
}

function embeddedStatus(url: string, json: boolean | undefined): void {
  if (json) {
    const answer = [{ address: 'in-process', embedded: true, url, role: 'active' }];
    return void process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
  }
  process.stdout.write(
    `ADDRESS     ROLE\nin-process  active\n\nThe embedded store at ${url} (cairn start) runs ` +
      'its one stanchion in-process: user and bucket changes go to it.\n',
  );
}

/** What a stanchion's failure to answer means, and what to change. */
async function downHint(
  answer: { address: string; error: string },
  client: InternalClient,
): Promise<string> {
  const { address, error } = answer;
  if (/^HTTP 401/.test(error)) {
    return (
      `${address} refused this cookie: give the cluster's cookie (its distributed_cookie) ` +
      'with --cookie or CAIRN_COOKIE'
    );
  }
  if (/^HTTP \d+/.test(error)) {
    const found = await probeKind(address, client);
    if (found !== undefined && found !== 'stanchion') {
      const endpoint = { address, kind: 'stanchion' as const };
      return wrongKindError(endpoint, found).render('stanchion status');
    }
  }
  const code = /\b(E[A-Z]{4,}|HPE_[A-Z_]+|ERR_[A-Z_]+)\b/.exec(error)?.[1];
  const timedOut = /^timeout \d+ ms/.test(error) ? 'ETIMEDOUT' : undefined;
  const { why, fix } = whyUnreachable(address, code ?? timedOut, error, 'stanchion');
  return `${address}: ${why}; ${fix}`;
}
