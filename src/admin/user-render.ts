/**
 * Riak CS's shapes of user records, as its admin API answered them: JSON (email,
 * display_name, name, key_id, key_secret, id, status, plus the buckets its documentation
 * shows) and XML (riak_cs_xml's <User> with Email, DisplayName, Name, KeyId, KeySecret,
 * Id, Status, in that order, without a namespace), and the <Users> list of GET /riak-cs/users.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { OpenUser } from '../../stanchion/secret-box.js';

const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>';
const builder = new XMLBuilder({ suppressEmptyNode: false });

/** Riak CS's JSON shape of a user. */
export function userJson(user: OpenUser, buckets?: string[]): Record<string, unknown> {
  return {
    email: user.email,
    display_name: user.displayName,
    name: user.name,
    key_id: user.keyId,
    key_secret: user.secret,
    id: user.id,
    status: user.status,
    ...(buckets ? { buckets: buckets.map((name) => ({ name })) } : {}),
  };
}

function userNode(user: OpenUser) {
  return {
    Email: user.email,
    DisplayName: user.displayName,
    Name: user.name,
    KeyId: user.keyId,
    KeySecret: user.secret,
    Id: user.id,
    Status: user.status,
  };
}

/** Riak CS's XML document of one user. */
export function userXml(user: OpenUser): string {
  return PROLOG + builder.build({ User: userNode(user) });
}

/** Riak CS's XML document of a page of users. */
export function usersXml(users: readonly OpenUser[]): string {
  if (users.length === 0) return `${PROLOG}<Users></Users>`;
  return PROLOG + builder.build({ Users: { User: users.map(userNode) } });
}
