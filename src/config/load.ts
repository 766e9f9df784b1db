/**
 * The settings of a running `cairn` program: its options are registered from the table,
 * and after commander parses the command line the file named by --config (or CAIRN_CONFIG)
 * is read and every setting settled (flag, then CAIRN_*, then file, then default). Notices
 * go to stderr; any problem stops the program with every problem listed.
 */
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { CONF_CHARS_MAX } from './core/conf-text.js';
import { resolveSettings, type ResolvedSettings } from './resolve.js';
import type { Program, Setting } from './setting.js';
import { settingsFor } from './settings.js';

/** A configuration the program refuses to run with; the message lists every problem. */
export class ConfigError extends Error {}

/** Adds --config and the flag of every setting of `program`. */
export function addSettingOptions(command: Command, program: Program): Command {
  command.option('--config <file>', 'read settings from a config file (CAIRN_CONFIG)');
  for (const row of settingsFor(program)) {
    if (row.flag) command.option(row.flag, helpOf(row));
  }
  return command;
}

function helpOf(row: Setting): string {
  const where = [row.env, row.key && `${row.key} in --config`].filter(Boolean).join('; ');
  const fallback = row.default === undefined ? '' : `, default ${row.type.format(row.default)}`;
  return `${row.help} (${where}${fallback})`;
}

/** Reads the config file `path` (refused when missing, unreadable or too large). */
export async function readConfigFile(path: string): Promise<{ path: string; text: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new ConfigError(
      `cannot read config file ${resolvePath(path)}: ${why}; check the path given to ` +
        '--config (or CAIRN_CONFIG)',
    );
  }
  if (text.length > CONF_CHARS_MAX) throw new ConfigError(`config file ${path} is over 1 MiB`);
  return { path, text };
}

/**
 * The config file named by --config (after the command, or before it: `cairn --config F
 * start`) or CAIRN_CONFIG, if any.
 */
export function configPath(command: Command, env: NodeJS.ProcessEnv): string | undefined {
  const flag = command.opts<{ config?: string }>().config;
  const global = command.parent?.opts<{ config?: string }>().config;
  return flag ?? global ?? (env.CAIRN_CONFIG || undefined);
}

/** Settles `program`'s settings after commander parsed `command`; throws ConfigError. */
export async function loadSettings(
  command: Command,
  program: Program,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedSettings> {
  const path = configPath(command, env);
  const file = path === undefined ? undefined : await readConfigFile(path);
  const flags: Record<string, unknown> = {};
  const given = command.opts<Record<string, unknown>>();
  for (const row of settingsFor(program)) {
    // A negated flag (--no-x) is only given when it is false: commander's true is its default.
    const negatedDefault = row.flag?.startsWith('--no-') === true && given[row.name] === true;
    if (row.flag && given[row.name] !== undefined && !negatedDefault) {
      flags[row.name] = given[row.name];
    }
  }
  const resolved = resolveSettings(program, { flags, env, ...(file ? { file } : {}) });
  for (const notice of resolved.notices) process.stderr.write(`cairn: notice: ${notice}\n`);
  if (resolved.problems.length > 0) throw new ConfigError(problemText(resolved.problems));
  return resolved;
}

/** The problems, one per line, under a line that counts them. */
export function problemText(problems: readonly string[]): string {
  const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
  return `${count} in the settings:\n${problems.map((p) => `  ${p}`).join('\n')}`;
}
