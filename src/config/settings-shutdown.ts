/**
 * Shutdown: how long a process drains on SIGTERM (requests in flight answered to the end)
 * before it cuts what is left and exits. systemd's TimeoutStopSec defaults to 30 s, and the
 * units in deploy/systemd give the process more than this so it is never SIGKILLed first.
 */
import { durationType } from './core/types.js';
import type { Setting } from './setting.js';

/** The shutdown.* keys. */
export const SHUTDOWN_SETTINGS: Setting[] = [
  {
    name: 'shutdownGrace',
    programs: ['start', 's3', 'node', 'stanchion'],
    type: durationType('ms', 0, 3_600_000),
    default: 30_000,
    help:
      'on SIGTERM, how long requests in flight may take to finish before their connections ' +
      "are cut and the process exits, in ms (30s: systemd's default TimeoutStopSec)",
    flag: '--shutdown-grace <ms>',
    env: 'CAIRN_SHUTDOWN_GRACE_MS',
    key: 'shutdown.grace',
  },
];
