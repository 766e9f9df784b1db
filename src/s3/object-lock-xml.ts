/**
 * Object lock's wire formats: the ObjectLockConfiguration, Retention and LegalHold bodies,
 * the x-amz-object-lock-* request headers of a write and the response headers of GET and
 * HEAD. Every value is a client's: anything but AWS's exact forms is refused with AWS's
 * error code (MalformedXML in a body, InvalidArgument in a header), before anything changes.
 */
import type { BucketObjectLock } from '../../stanchion/core/records.js';
import type { Retention, RetentionMode, VersionLock } from '../objects/object-lock.js';
import { S3Error } from '../http/errors.js';
import { parseRequestXml, renderXml } from '../http/xml.js';

type Headers = Record<string, string | string[] | undefined>;

const MODES: ReadonlySet<string> = new Set(['GOVERNANCE', 'COMPLIANCE']);
/** ISO 8601 with a time and a zone, as AWS's timestamps are written. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;
/** Days and years are positive whole numbers (AWS caps neither below 100 years' worth). */
const PERIOD = /^[0-9]{1,6}$/;

function malformed(): S3Error {
  return new S3Error('MalformedXML');
}

/** The element `name` of a parsed document as an object ('' for an empty one). */
function element(doc: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = doc[name];
  if (value === '') return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed();
  return value as Record<string, unknown>;
}

function optionalText(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw malformed();
  return value;
}

/** The time an ISO 8601 date names, or undefined when it is not one. */
export function parseIsoDate(text: string): number | undefined {
  if (!ISO_DATE.test(text.trim())) return undefined;
  const ms = Date.parse(text.trim());
  return Number.isFinite(ms) ? ms : undefined;
}

/** PutObjectLockConfiguration's body: the bucket's object lock (always enabled). */
export function parseLockConfigurationXml(xml: string): BucketObjectLock {
  const config = element(parseRequestXml(xml), 'ObjectLockConfiguration');
  if (optionalText(config, 'ObjectLockEnabled') !== 'Enabled') throw malformed();
  if (config['Rule'] === undefined) return { enabled: true };
  const retention = element(element(config, 'Rule'), 'DefaultRetention');
  const mode = optionalText(retention, 'Mode');
  if (mode === undefined || !MODES.has(mode)) throw malformed();
  const days = optionalText(retention, 'Days');
  const years = optionalText(retention, 'Years');
  if ((days === undefined) === (years === undefined)) throw malformed();
  const period = (days ?? years)!;
  if (!PERIOD.test(period) || Number(period) === 0) throw new S3Error('InvalidRetentionPeriod');
  const unit = days !== undefined ? 'days' : 'years';
  return { enabled: true, defaultRetention: { mode: mode as RetentionMode, [unit]: +period } };
}

/** GetObjectLockConfiguration's body. */
export function renderLockConfigurationXml(lock: BucketObjectLock): string {
  const body: Record<string, unknown> = { ObjectLockEnabled: 'Enabled' };
  const rule = lock.defaultRetention;
  if (rule) {
    const period = rule.days !== undefined ? { Days: rule.days } : { Years: rule.years };
    body['Rule'] = { DefaultRetention: { Mode: rule.mode, ...period } };
  }
  return renderXml('ObjectLockConfiguration', body);
}

/**
 * PutObjectRetention's body: the retention, or undefined for an empty Retention (which
 * removes it). A date that has passed at `nowMs` is InvalidArgument, as in AWS.
 */
export function parseRetentionXml(xml: string, nowMs: number): Retention | undefined {
  const fields = element(parseRequestXml(xml), 'Retention');
  const mode = optionalText(fields, 'Mode');
  const date = optionalText(fields, 'RetainUntilDate');
  if (mode === undefined && date === undefined) return undefined;
  if (mode === undefined || date === undefined || !MODES.has(mode)) throw malformed();
  const untilMs = parseIsoDate(date);
  if (untilMs === undefined) throw malformed();
  if (untilMs <= nowMs) {
    throw new S3Error('InvalidArgument', 'The retain until date must be in the future!');
  }
  return { mode: mode as RetentionMode, untilMs };
}

/** GetObjectRetention's body. */
export function renderRetentionXml(retention: Retention): string {
  const until = new Date(retention.untilMs).toISOString();
  return renderXml('Retention', { Mode: retention.mode, RetainUntilDate: until });
}

/** PutObjectLegalHold's body: whether the hold is on. */
export function parseLegalHoldXml(xml: string): boolean {
  const status = optionalText(element(parseRequestXml(xml), 'LegalHold'), 'Status');
  if (status !== 'ON' && status !== 'OFF') throw malformed();
  return status === 'ON';
}

/** GetObjectLegalHold's body. */
export function renderLegalHoldXml(on: boolean): string {
  return renderXml('LegalHold', { Status: on ? 'ON' : 'OFF' });
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function invalidArgument(message: string): S3Error {
  return new S3Error('InvalidArgument', message);
}

/**
 * The lock a write's x-amz-object-lock-* headers ask for (mode and date together, legal
 * hold ON or OFF); undefined when it sends none. Checked before the body is read.
 */
export function lockFromHeaders(headers: Headers, nowMs: number): VersionLock | undefined {
  const mode = header(headers, 'x-amz-object-lock-mode');
  const date = header(headers, 'x-amz-object-lock-retain-until-date');
  const hold = header(headers, 'x-amz-object-lock-legal-hold');
  if (mode === undefined && date === undefined && hold === undefined) return undefined;
  const lock: VersionLock = {};
  if (mode !== undefined || date !== undefined) {
    if (mode === undefined || date === undefined) {
      throw invalidArgument(
        'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
      );
    }
    if (!MODES.has(mode)) throw invalidArgument('Unknown wormMode directive.');
    const untilMs = parseIsoDate(date);
    if (untilMs === undefined) throw invalidArgument('Invalid retain-until date.');
    if (untilMs <= nowMs) throw invalidArgument('The retain until date must be in the future!');
    lock.retention = { mode: mode as RetentionMode, untilMs };
  }
  if (hold !== undefined) {
    if (hold !== 'ON' && hold !== 'OFF') throw invalidArgument('Legal Hold must be ON or OFF');
    if (hold === 'ON') lock.legalHold = true;
  }
  return lock;
}

/** The x-amz-object-lock-* headers GET and HEAD answer for a version. */
export function lockResponseHeaders(lock: VersionLock): Record<string, string> {
  const out: Record<string, string> = {};
  if (lock.retention) {
    out['x-amz-object-lock-mode'] = lock.retention.mode;
    out['x-amz-object-lock-retain-until-date'] = new Date(lock.retention.untilMs).toISOString();
  }
  if (lock.legalHold) out['x-amz-object-lock-legal-hold'] = 'ON';
  return out;
}

/** Whether the request says x-amz-bypass-governance-retention: true. */
export function asksBypass(headers: Headers): boolean {
  return header(headers, 'x-amz-bypass-governance-retention')?.trim().toLowerCase() === 'true';
}
