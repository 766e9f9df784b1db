/**
 * `cairn chkconfig [--config FILE] [--for PROGRAM]`: checks a config file (and the CAIRN_*
 * variables set) as PROGRAM would read them, without starting anything, as riak-cs
 * chkconfig did: `config is OK` and the settled settings (exit 0), or every problem with
 * its file and line (exit 1). Keys read but ignored are listed as notices.
 */
import type { Command } from 'commander';
import { configPath, problemText, readConfigFile } from '../config/load.js';
import { renderSettings } from '../config/render.js';
import { resolveSettings } from '../config/resolve.js';
import { PROGRAMS, type Program } from '../config/setting.js';
import { adminKeysOf } from './options.js';
import { quorumOf } from './quorum.js';

/** Checks across settings that each program makes when it starts. */
function crossChecks(program: Program, values: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const attempt = (check: () => unknown) => {
    try {
      check();
    } catch (error) {
      problems.push((error as Error).message);
    }
  };
  if (program === 's3' || program === 'stanchion') attempt(() => quorumOf(values));
  if (program !== 'node') attempt(() => adminKeysOf(values));
  return problems;
}

/** Registers `chkconfig`. */
export function registerChkconfig(program: Command): void {
  const command = program
    .command('chkconfig')
    .description('check a config file without starting: "config is OK", or every problem')
    .option('--config <file>', 'the file to check (CAIRN_CONFIG)')
    .option('--for <program>', `the program that reads it: ${PROGRAMS.join(', ')}`, 'start');
  command.action(async (opts: { for: string }) => {
    if (!(PROGRAMS as readonly string[]).includes(opts.for)) {
      throw new Error(`--for must be one of ${PROGRAMS.join(', ')}, not ${opts.for}`);
    }
    const target = opts.for as Program;
    const path = configPath(command, process.env);
    if (path === undefined) throw new Error('no config file: give --config FILE (or CAIRN_CONFIG)');
    const file = await readConfigFile(path);
    const resolved = resolveSettings(target, { flags: {}, env: process.env, file });
    for (const notice of resolved.notices) process.stderr.write(`notice: ${notice}\n`);
    const problems = [...resolved.problems];
    if (problems.length === 0) problems.push(...crossChecks(target, resolved.values));
    if (problems.length > 0) {
      process.stderr.write(`${problemText(problems)}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`config is OK\n# cairn ${target}: flag > CAIRN_* > ${path} > default\n`);
    process.stdout.write(renderSettings(target, resolved).join('\n') + '\n');
  });
}
