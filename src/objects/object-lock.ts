/**
 * Object lock's rules for one version (pure: the time is passed in). A version is locked
 * while its retention date has not passed or while its legal hold is on; a locked version's
 * record and blocks are never removed, by anyone, the admin included: the version store
 * asks `removalRefusal` before each of the three places a version is removed
 * (version-store.ts). GOVERNANCE retention gives way to a request that may bypass it;
 * COMPLIANCE retention and a legal hold give way to nobody.
 */
import type { DefaultRetention, RetentionMode } from '../../stanchion/core/records.js';

export type { DefaultRetention, RetentionMode };

/** A version's retention: its mode and the time (ms since the epoch) it holds until. */
export interface Retention {
  mode: RetentionMode;
  untilMs: number;
}

/** What object lock keeps on a version record (Manifest's lock fields). */
export interface VersionLock {
  retention?: Retention;
  legalHold?: true;
}

/** Why a version may not be removed or its retention changed. */
export type LockRefusal = 'legal-hold' | 'compliance' | 'governance';

/** Thrown by the version store when a locked version would be removed. */
export class ObjectLockedError extends Error {
  constructor(readonly reason: LockRefusal) {
    super(`the version is locked (${reason})`);
    this.name = 'ObjectLockedError';
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether retention still holds at `nowMs`. */
export function retentionActive(retention: Retention | undefined, nowMs: number): boolean {
  return retention !== undefined && retention.untilMs > nowMs;
}

/** Whether the version is locked at `nowMs` (retention not passed, or legal hold on). */
export function isLocked(lock: VersionLock, nowMs: number): boolean {
  return lock.legalHold === true || retentionActive(lock.retention, nowMs);
}

/**
 * Why removing the version is refused at `nowMs`, or undefined when it may go. Only
 * GOVERNANCE retention yields to `bypassGovernance` (a request allowed to bypass it).
 */
export function removalRefusal(
  lock: VersionLock,
  nowMs: number,
  bypassGovernance = false,
): LockRefusal | undefined {
  if (lock.legalHold) return 'legal-hold';
  if (!retentionActive(lock.retention, nowMs)) return undefined;
  if (lock.retention!.mode === 'COMPLIANCE') return 'compliance';
  return bypassGovernance ? undefined : 'governance';
}

/**
 * Whether retention may change from `old` to `next` (undefined: removed) at `nowMs`. Past
 * retention is no retention. COMPLIANCE may only be kept or extended; GOVERNANCE may be
 * extended in GOVERNANCE by anyone, and anything else (shortened, removed, turned into
 * COMPLIANCE) only with the bypass, as AWS decides.
 */
export function retentionChangeRefusal(
  old: Retention | undefined,
  next: Retention | undefined,
  nowMs: number,
  bypassGovernance: boolean,
): LockRefusal | undefined {
  if (!retentionActive(old, nowMs)) return undefined;
  const extends_ = next !== undefined && next.untilMs >= old!.untilMs;
  if (old!.mode === 'COMPLIANCE') {
    return extends_ && next!.mode === 'COMPLIANCE' ? undefined : 'compliance';
  }
  if (extends_ && next!.mode === 'GOVERNANCE') return undefined;
  return bypassGovernance ? undefined : 'governance';
}

/** The retention a bucket's default gives a version written at `nowMs`. */
export function defaultRetentionOf(rule: DefaultRetention, nowMs: number): Retention {
  if (rule.days !== undefined) return { mode: rule.mode, untilMs: nowMs + rule.days * DAY_MS };
  const until = new Date(nowMs);
  until.setUTCFullYear(until.getUTCFullYear() + (rule.years ?? 0));
  return { mode: rule.mode, untilMs: until.getTime() };
}

/** The lock fields of a version record: only those set, so unlocked records stay as today. */
export function lockFields(lock: VersionLock): VersionLock {
  return {
    ...(lock.retention ? { retention: lock.retention } : {}),
    ...(lock.legalHold ? { legalHold: true as const } : {}),
  };
}
