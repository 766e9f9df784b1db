/**
 * Riak CS's shapes of a user record, JSON and XML, as its admin API answered them.
 */
import type { UserRecord } from '../../stanchion/core/records.js';
import { renderXml } from '../s3/xml.js';

/** Riak CS's JSON shape of a user. */
export function userJson(user: UserRecord, buckets: string[]): Record<string, unknown> {
  return {
    email: user.email,
    display_name: user.displayName,
    name: user.name,
    key_id: user.keyId,
    key_secret: user.secret,
    id: user.id,
    status: user.status,
    buckets: buckets.map((name) => ({ name })),
  };
}

/** Riak CS's XML shape of a user. */
export function userXml(user: UserRecord): string {
  return renderXml('User', {
    Email: user.email,
    DisplayName: user.displayName,
    Name: user.name,
    KeyId: user.keyId,
    KeySecret: user.secret,
    Id: user.id,
    Status: user.status,
  });
}
