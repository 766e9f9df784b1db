/**
 * The operator's console (/console/ on the S3 port): on unless turned off.
 */
import { durationType, flagType } from './core/types.js';
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
    key: 'console.enabled',
  },
  {
    name: 'consoleSessionIdle',
    programs: FRONT,
    type: durationType('s', 1, 7 * 86_400),
    default: 1800,
    help: 'a console session ends after this long without a request',
    flag: '--console-session-idle <duration>',
    env: 'CAIRN_CONSOLE_SESSION_IDLE',
    key: 'console.session_idle',
  },
];
