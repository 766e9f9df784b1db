/**
 * Lifecycle rules as S3 defines them, and their evaluation: which rule expires an object
 * and when, which noncurrent versions and delete markers go, which uploads are aborted.
 * Pure: time and the length of a "day" are arguments (a short day is RGW's
 * rgw_lc_debug_interval, for tests).
 */
import type { Tag } from '../manifest.js';

/** What a rule applies to; every field present must match. */
export interface LifecycleFilter {
  prefix?: string;
  tags?: Tag[];
  sizeGreaterThan?: number;
  sizeLessThan?: number;
}

/** How the filter was written, so GET gives back the form PUT was given. */
export type FilterForm = 'rule-prefix' | 'filter' | 'and';

/** One validated rule. */
export interface LifecycleRule {
  id: string;
  enabled: boolean;
  form: FilterForm;
  filter: LifecycleFilter;
  expiration?: { days?: number; dateMs?: number; expiredObjectDeleteMarker?: boolean };
  noncurrentExpiration?: { noncurrentDays: number; newerNoncurrentVersions?: number };
  abortIncompleteDays?: number;
}

/** What the filter sees of an object version. */
export interface LifecycleSubject {
  key: string;
  size: number;
  tags?: readonly Tag[];
}

/** Whether `rule` applies to `subject`. */
export function ruleMatches(filter: LifecycleFilter, subject: LifecycleSubject): boolean {
  if (filter.prefix !== undefined && !subject.key.startsWith(filter.prefix)) return false;
  if (filter.sizeGreaterThan !== undefined && !(subject.size > filter.sizeGreaterThan)) {
    return false;
  }
  if (filter.sizeLessThan !== undefined && !(subject.size < filter.sizeLessThan)) return false;
  const tags = subject.tags ?? [];
  return (filter.tags ?? []).every((want) =>
    tags.some((tag) => tag.key === want.key && tag.value === want.value),
  );
}

/** A real day, in ms: AWS's unit for Days. */
export const DAY_MS = 86_400_000;

/**
 * `fromMs` plus `days` days, rounded up to the next midnight UTC as AWS does. A shorter day
 * (tests) counts from `fromMs` itself, unrounded, as RGW's rgw_lc_debug_interval does.
 */
export function daysAfter(fromMs: number, days: number, dayMs: number): number {
  if (dayMs < DAY_MS) return fromMs + days * dayMs;
  return Math.ceil((fromMs + days * dayMs) / dayMs) * dayMs;
}

/** When a current object's Expiration falls due under `rule`; undefined: never. */
function currentExpiryMs(rule: LifecycleRule, createdMs: number, dayMs: number) {
  const expiration = rule.expiration;
  if (expiration?.days !== undefined) return daysAfter(createdMs, expiration.days, dayMs);
  return expiration?.dateMs;
}

/** The rule that expires a current object first, and when (x-amz-expiration). */
export function expiryOf(
  rules: readonly LifecycleRule[],
  subject: LifecycleSubject & { lastModifiedMs: number },
  dayMs: number,
): { atMs: number; ruleId: string } | undefined {
  let best: { atMs: number; ruleId: string } | undefined;
  for (const rule of rules) {
    if (!rule.enabled || !ruleMatches(rule.filter, subject)) continue;
    const atMs = currentExpiryMs(rule, subject.lastModifiedMs, dayMs);
    if (atMs !== undefined && (best === undefined || atMs < best.atMs)) {
      best = { atMs, ruleId: rule.id };
    }
  }
  return best;
}

/**
 * The x-amz-expiration header of an object `expiryOf` found due at some time. The rule id is
 * URL-encoded, as AWS documents: an id is the client's text, and a header carries no
 * control or non-Latin-1 character (nor an unescaped quote).
 */
export function expirationHeader(expiry: { atMs: number; ruleId: string }): string {
  const date = new Date(expiry.atMs).toUTCString();
  return `expiry-date="${date}", rule-id="${encodeURIComponent(expiry.ruleId)}"`;
}

/** One version of a key, newest first, as the noncurrent evaluation sees it. */
export interface VersionView extends LifecycleSubject {
  lastModifiedMs: number;
  deleteMarker?: boolean;
}

/**
 * Which of a key's versions (newest first; index 0 is current) are due now: noncurrent
 * versions past NoncurrentDays beyond the NewerNoncurrentVersions kept, then a current
 * delete marker left with no other version (markerExpires). Indexes, the marker last.
 */
export function dueVersions(
  rules: readonly LifecycleRule[],
  versions: readonly VersionView[],
  nowMs: number,
  dayMs: number,
): number[] {
  const due: number[] = [];
  for (let i = 1; i < versions.length; i++) {
    const version = versions[i]!;
    // A version is noncurrent from the moment its successor was written.
    const sinceMs = versions[i - 1]!.lastModifiedMs;
    const newer = i - 1;
    const expires = rules.some((rule) => {
      const nc = rule.noncurrentExpiration;
      if (!rule.enabled || !nc || !ruleMatches(rule.filter, version)) return false;
      if (newer < (nc.newerNoncurrentVersions ?? 0)) return false;
      return nowMs >= daysAfter(sinceMs, nc.noncurrentDays, dayMs);
    });
    if (expires) due.push(i);
  }
  const current = versions[0];
  const lone = current?.deleteMarker && due.length === versions.length - 1;
  if (lone && rules.some((rule) => markerExpires(rule, current, nowMs, dayMs))) due.push(0);
  return due;
}

/**
 * Whether `rule` removes a delete marker left with no other version: ExpiredObjectDeleteMarker
 * at once, and an Expiration by Days or Date once the marker is that old (AWS removes such
 * "expired object delete markers" under a current-version expiration too; RGW likewise).
 */
function markerExpires(rule: LifecycleRule, marker: VersionView, nowMs: number, dayMs: number) {
  if (!rule.enabled || !rule.expiration || !ruleMatches(rule.filter, marker)) return false;
  if (rule.expiration.expiredObjectDeleteMarker === true) return true;
  const atMs = currentExpiryMs(rule, marker.lastModifiedMs, dayMs);
  return atMs !== undefined && nowMs >= atMs;
}

/** Whether the current object (not a marker) is due for expiration now. */
export function currentDue(
  rules: readonly LifecycleRule[],
  subject: LifecycleSubject & { lastModifiedMs: number },
  nowMs: number,
  dayMs: number,
): boolean {
  const expiry = expiryOf(rules, subject, dayMs);
  return expiry !== undefined && nowMs >= expiry.atMs;
}

/** Whether an upload begun at `initiatedMs` is to be aborted now. */
export function uploadDue(
  rules: readonly LifecycleRule[],
  upload: { key: string; initiatedMs: number },
  nowMs: number,
  dayMs: number,
): boolean {
  return rules.some((rule) => {
    if (!rule.enabled || rule.abortIncompleteDays === undefined) return false;
    if (rule.filter.prefix !== undefined && !upload.key.startsWith(rule.filter.prefix)) {
      return false;
    }
    return nowMs >= daysAfter(upload.initiatedMs, rule.abortIncompleteDays, dayMs);
  });
}
