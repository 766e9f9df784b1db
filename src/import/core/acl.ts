/**
 * An object's or bucket's ACL as the source answers it (AccessControlPolicy XML), and the
 * x-amz-grant-* headers that give a new object the same ACL in the same request that
 * creates it, so an imported object never appears, even briefly, with a different ACL.
 * Pure.
 */
import { parseXml, textOf, type XmlNode } from './xml.js';

/** Who a grant names. */
export type ImportGrantee =
  | { type: 'CanonicalUser'; id: string }
  | { type: 'Group'; uri: string }
  | { type: 'AmazonCustomerByEmail'; email: string };

/** One grant. */
export interface ImportGrant {
  grantee: ImportGrantee;
  permission: string;
}

/** An ACL: its owner and grants. */
export interface ImportAcl {
  ownerId: string;
  grants: ImportGrant[];
}

const PERMISSIONS = ['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP'] as const;

/** Parses AccessControlPolicy XML; throws when it is not one. */
export function parseAcl(text: string): ImportAcl {
  const doc = parseXml(text)['AccessControlPolicy'];
  if (typeof doc !== 'object' || doc === null) throw new Error('not an AccessControlPolicy');
  const ownerId = textOf((doc as XmlNode)['Owner'], 'ID');
  if (!ownerId) throw new Error('the AccessControlPolicy names no owner');
  const list = (doc as XmlNode)['AccessControlList'];
  const raw = typeof list === 'object' && list !== null ? (list as XmlNode)['Grant'] : undefined;
  const grants = (Array.isArray(raw) ? raw : []).map(grantOf);
  return { ownerId, grants };
}

function grantOf(node: unknown): ImportGrant {
  const permission = textOf(node, 'Permission') ?? '';
  if (!(PERMISSIONS as readonly string[]).includes(permission)) {
    throw new Error(`unknown permission ${JSON.stringify(permission)}`);
  }
  const grantee = (node as XmlNode)['Grantee'] as XmlNode | undefined;
  const type = String(grantee?.['@xsi:type'] ?? '');
  const id = textOf(grantee, 'ID');
  const uri = textOf(grantee, 'URI');
  const email = textOf(grantee, 'EmailAddress');
  if ((type === 'CanonicalUser' || (!type && id)) && id) {
    return { grantee: { type: 'CanonicalUser', id }, permission };
  }
  if ((type === 'Group' || (!type && uri)) && uri) {
    return { grantee: { type: 'Group', uri }, permission };
  }
  if (email) return { grantee: { type: 'AmazonCustomerByEmail', email }, permission };
  throw new Error('a grant names no grantee');
}

const HEADER_OF: Record<string, string> = {
  FULL_CONTROL: 'x-amz-grant-full-control',
  WRITE: 'x-amz-grant-write',
  WRITE_ACP: 'x-amz-grant-write-acp',
  READ: 'x-amz-grant-read',
  READ_ACP: 'x-amz-grant-read-acp',
};

function granteeText(grantee: ImportGrantee): string {
  const value = (text: string) => `"${text}"`;
  switch (grantee.type) {
    case 'CanonicalUser':
      return `id=${value(grantee.id)}`;
    case 'Group':
      return `uri=${value(grantee.uri)}`;
    case 'AmazonCustomerByEmail':
      return `emailAddress=${value(grantee.email)}`;
  }
}

/**
 * The x-amz-grant-* headers for `acl`'s grants; empty when it has none (then the caller
 * must set the empty list afterwards, as headers cannot say "no grants").
 * Throws when a grantee holds a quote, which the header syntax cannot carry.
 */
export function grantHeaders(acl: ImportAcl): Record<string, string> {
  const byHeader = new Map<string, string[]>();
  for (const { grantee, permission } of acl.grants) {
    const text = granteeText(grantee);
    if (text.slice(text.indexOf('"') + 1, -1).includes('"')) {
      throw new Error('a grantee holds a double quote');
    }
    const header = HEADER_OF[permission]!;
    byHeader.set(header, [...(byHeader.get(header) ?? []), text]);
  }
  return Object.fromEntries([...byHeader].map(([header, list]) => [header, list.join(', ')]));
}
