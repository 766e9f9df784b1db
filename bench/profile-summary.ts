/**
 * Prints the top frames of the `.cpuprofile` files a `--cpu-prof` run left behind, so a
 * figure far from its ceiling comes with evidence of where the server's time went. Also a
 * command: `node dist/bench/profile-summary.js [--split putObject,getObject] FILE...`;
 * `--split` summarizes the windows of each handler apart (core/profile-split.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { summarizeProfile, type CpuProfile } from './core/cpu-profile.js';
import { splitProfileByHandler } from './core/profile-split.js';

const TOP_COUNT = 25;

/** The summary of one profile file as text; with `handlers`, one per handler's windows. */
export async function profileSummaryText(path: string, handlers?: string[]): Promise<string> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  if (!handlers) return summaryText(path, profile);
  const parts = splitProfileByHandler(profile, { handlers });
  return [...parts]
    .map(([handler, part]) => summaryText(`${path} [${handler}]`, part))
    .join('\n\n');
}

function summaryText(path: string, profile: CpuProfile): string {
  const summary = summarizeProfile(profile, TOP_COUNT);
  const line = (row: { name: string; selfMs: number; share: number }) => {
    const share = `${(row.share * 100).toFixed(1).padStart(5)}%`;
    return `  ${share}  ${row.selfMs.toFixed(0).padStart(7)} ms  ${row.name}`;
  };
  return [
    `profile ${path}: ${(summary.totalMs / 1000).toFixed(1)} s sampled`,
    'self time by area:',
    ...summary.areas.map(line),
    'self time by function:',
    ...summary.functions.map(line),
  ].join('\n');
}

/** Prints a summary of every `.cpuprofile` in `dir`. */
export async function printProfileSummaries(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  for (const name of names.sort()) {
    process.stdout.write(`${await profileSummaryText(join(dir, name))}\n\n`);
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename;
if (isMain) {
  const args = process.argv.slice(2);
  const splitAt = args.indexOf('--split');
  const handlers = splitAt >= 0 ? args.splice(splitAt, 2)[1]?.split(',') : undefined;
  for (const path of args) {
    process.stdout.write(`${await profileSummaryText(path, handlers)}\n\n`);
  }
}
