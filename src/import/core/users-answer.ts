/**
 * Riak CS's GET /riak-cs/users answer: multipart/mixed, one JSON array of users per part
 * (Riak CS streams a part per batch of keys; Cairn a part per page). The boundary comes
 * from the Content-Type and is split on as a plain string, never as a pattern. Pure.
 */
import { sourceUserOf, type SourceUser } from './plan.js';

/** The boundary of a multipart Content-Type, or undefined. */
export function boundaryOf(contentType: string): string | undefined {
  if (!/^\s*multipart\//i.test(contentType)) return undefined;
  for (const param of contentType.split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    const value = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (value !== '' && value.length <= 200) return value;
  }
  return undefined;
}

/** Every user of the answer, checked; throws on anything that is not one. */
export function parseUsersAnswer(contentType: string, body: string): SourceUser[] {
  const boundary = boundaryOf(contentType);
  const documents = boundary === undefined ? [body] : partBodies(body, boundary);
  const users: SourceUser[] = [];
  for (const doc of documents) {
    const text = doc.trim();
    if (text === '') continue;
    if (!text.startsWith('[')) {
      throw new Error('the users answer is not JSON (was it asked for with Accept?)');
    }
    const list = JSON.parse(text) as unknown;
    if (!Array.isArray(list)) throw new Error('a users part is not a JSON array');
    for (const entry of list) users.push(sourceUserOf(entry));
  }
  return users;
}

function partBodies(body: string, boundary: string): string[] {
  const bodies: string[] = [];
  for (const piece of body.split(`--${boundary}`).slice(1)) {
    if (piece.startsWith('--')) break;
    const headerEnd = piece.search(/\r?\n\r?\n/);
    if (headerEnd < 0) continue;
    bodies.push(piece.slice(headerEnd).trim());
  }
  return bodies;
}
