/**
 * The README's table of config keys, written from the settings table itself, so the
 * documentation cannot drift from what the programs read (a unit test compares them).
 */
import { PROGRAMS } from './setting.js';
import { SETTINGS } from './settings.js';

/** The markdown table of every setting: key, flag, variable, programs, default, meaning. */
export function settingsMarkdown(): string {
  const header = '| key | flag | environment | programs | default | meaning |';
  const rows = SETTINGS.filter((s) => !s.fromKey || s.name === 'port').map((s) => {
    const key = s.fromKey ? `\`${s.key}\` (host:port)` : `\`${s.key}\``;
    const aliases = (s.keyAliases ?? []).map((a) => ` or \`${a}\``).join('');
    const flag = s.fromKey ? '`--host`, `--port`' : s.flag ? `\`${s.flag.split(' ')[0]}\`` : '';
    const env = s.fromKey ? `\`CAIRN_HOST\`, \`${s.env}\`` : s.env ? `\`${s.env}\`` : '';
    const programs = PROGRAMS.filter((p) => s.programs.includes(p)).join(', ');
    const fallback =
      s.default === undefined
        ? s.required
          ? 'required'
          : ''
        : s.fromKey
          ? `127.0.0.1:${String(s.default)}`
          : s.type.format(s.default);
    const help = s.fromKey
      ? `where ${programs} listen${s.default === 8080 ? ' (port 0: any free one)' : ''}`
      : s.help;
    const cells = [key + aliases, flag, env, programs, fallback && `\`${fallback}\``, help];
    return `| ${cells.join(' | ')} |`;
  });
  return [header, '|---|---|---|---|---|---|', ...rows].join('\n');
}
