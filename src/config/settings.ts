/**
 * The settings table, assembled: every row of settings-front-end.ts, settings-cluster.ts and
 * settings-lifecycle.ts (see setting.ts for a row's shape), and the rows of one program.
 */
import {
  ADMIN_SETTINGS,
  CLUSTER_SETTINGS,
  GC_SETTINGS,
  INTERNAL_TLS_SETTINGS,
  NODE_SETTINGS,
  QUORUM_SETTINGS,
  STORAGE_SETTINGS,
} from './settings-cluster.js';
import { CONSOLE_SETTINGS } from './settings-console.js';
import { LIFECYCLE_SETTINGS } from './settings-lifecycle.js';
import { STANCHION_SNAPSHOT_SETTINGS } from './settings-stanchion.js';
import { SHUTDOWN_SETTINGS } from './settings-shutdown.js';
import { FRONT_END_SETTINGS, LISTENER_SETTINGS, USAGE_SETTINGS } from './settings-front-end.js';
import { SECRET_KEY_SETTINGS, SSE_SETTINGS, TLS_SETTINGS } from './settings-security.js';
import type { Program, Setting } from './setting.js';

/** Every setting of every program. */
export const SETTINGS: readonly Setting[] = [
  ...LISTENER_SETTINGS,
  ...STORAGE_SETTINGS,
  ...FRONT_END_SETTINGS,
  ...CLUSTER_SETTINGS,
  ...INTERNAL_TLS_SETTINGS,
  ...QUORUM_SETTINGS,
  ...NODE_SETTINGS,
  ...GC_SETTINGS,
  ...LIFECYCLE_SETTINGS,
  ...CONSOLE_SETTINGS,
  ...USAGE_SETTINGS,
  ...ADMIN_SETTINGS,
  ...TLS_SETTINGS,
  ...SECRET_KEY_SETTINGS,
  ...SSE_SETTINGS,
  ...STANCHION_SNAPSHOT_SETTINGS,
  ...SHUTDOWN_SETTINGS,
];

/** The settings `program` takes. */
export function settingsFor(program: Program): Setting[] {
  return SETTINGS.filter((s) => s.programs.includes(program));
}
