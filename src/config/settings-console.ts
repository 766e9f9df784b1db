/**
 * The operator's console (/console/ on the S3 port): on unless turned off.
 */
import { flagType } from './core/types.js';
import { FRONT, type Setting } from './setting.js';

/** The console's settings. */
export const CONSOLE_SETTINGS: Setting[] = [
  {
    name: 'console',
    programs: FRONT,
    type: flagType,
    default: true,
    help: 'serve the operator console at /console/ on the S3 port',
    // A negated flag: commander gives `console: true` unless --no-console is on the line.
    flag: '--no-console',
    env: 'CAIRN_CONSOLE',
    key: 'console',
  },
];
