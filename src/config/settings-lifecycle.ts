/**
 * Lifecycle: the length of a lifecycle "day" (RGW's rgw_lc_debug_interval, for tests) and
 * the worker's rate limit. Read where lifecycle works: the embedded store and the nodes run
 * the worker; every front end computes x-amz-expiration with the same day.
 */
import { durationType, integerType } from './core/types.js';
import { COLLECTORS, type Setting } from './setting.js';

/** The lifecycle.* keys. */
export const LIFECYCLE_SETTINGS: Setting[] = [
  {
    name: 'lifecycleDaySeconds',
    programs: COLLECTORS,
    type: durationType('s', 1, 86_400),
    default: 86_400,
    help: 'the length of a lifecycle "day", in seconds: shorter only for tests',
    flag: '--lifecycle-day-seconds <seconds>',
    env: 'CAIRN_LIFECYCLE_DAY_SECONDS',
    key: 'lifecycle.day_seconds',
  },
  {
    name: 'lifecycleRate',
    programs: COLLECTORS,
    type: integerType(1, 1_000_000),
    default: 1000,
    help: 'most object records the lifecycle worker handles per second, per worker',
    flag: '--lifecycle-rate <records>',
    env: 'CAIRN_LIFECYCLE_RATE',
    key: 'lifecycle.rate',
  },
];
