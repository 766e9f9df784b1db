/**
 * The AccessControlPolicy document both ways, in the shape S3 and Riak CS share (Owner
 * ID/DisplayName, every Grantee with xmlns:xsi and xsi:type, grants in stored order).
 * Parsing goes through the hardened XML parser, and every way a body can be wrong is
 * MalformedACLError: nothing malformed reaches a stored list.
 */
import type { AccessControlList, Grantee, Permission } from '../../../stanchion/core/records.js';
import { S3Error } from '../../http/errors.js';
import { parseRequestXml, renderXml } from '../../http/xml.js';
import { GRANTS_MAX, GROUP_URIS, PERMISSIONS, type GranteeSpec, type GrantSpec } from './acl.js';

const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

/** An AccessControlPolicy body as a request states it. */
export interface AclDocument {
  ownerId: string;
  grants: GrantSpec[];
}

type Node = Record<string, unknown>;

function malformed(detail: string): S3Error {
  return new S3Error('MalformedACLError', detail);
}

function objectOf(value: unknown, what: string): Node {
  if (value === '') return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`${what} must be an element.`);
  }
  return value as Node;
}

function textOf(node: Node, name: string): string | undefined {
  const value = node[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw malformed(`${name} must be text.`);
  return value;
}

/** Parses an AccessControlPolicy body; MalformedACLError for anything else. */
export function parseAclXml(text: string): AclDocument {
  let doc: Node;
  try {
    doc = parseRequestXml(text);
  } catch (error) {
    throw new S3Error('MalformedACLError', undefined, { cause: error });
  }
  const root = objectOf(doc['AccessControlPolicy'] ?? null, 'AccessControlPolicy');
  const owner = objectOf(root['Owner'] ?? null, 'Owner');
  const ownerId = textOf(owner, 'ID');
  if (!ownerId) throw malformed('The Owner element needs an ID.');
  const list = objectOf(root['AccessControlList'] ?? '', 'AccessControlList');
  const raw = list['Grant'] ?? [];
  const grants = (Array.isArray(raw) ? raw : [raw]).map((grant) =>
    grantOf(objectOf(grant, 'Grant')),
  );
  if (grants.length > GRANTS_MAX) throw malformed(`At most ${GRANTS_MAX} grants.`);
  return { ownerId, grants };
}

function grantOf(grant: Node): GrantSpec {
  const permission = textOf(grant, 'Permission');
  if (!permission || !(PERMISSIONS as readonly string[]).includes(permission)) {
    throw malformed(`Invalid permission: ${permission ?? '(none)'}`);
  }
  const grantee = objectOf(grant['Grantee'] ?? null, 'Grantee');
  return { grantee: granteeOf(grantee), permission: permission as Permission };
}

function granteeOf(node: Node): GranteeSpec {
  const id = textOf(node, 'ID');
  const uri = textOf(node, 'URI');
  const email = textOf(node, 'EmailAddress');
  const named = [id, uri, email].filter((v) => v !== undefined);
  if (named.length !== 1 || named[0] === '') {
    throw malformed('Each Grantee names exactly one ID, URI or EmailAddress.');
  }
  if (id !== undefined) return { type: 'CanonicalUser', id };
  if (email !== undefined) return { type: 'AmazonCustomerByEmail', email };
  if (!(Object.values(GROUP_URIS) as string[]).includes(uri!)) {
    throw new S3Error('InvalidArgument', 'Invalid group uri', {
      fields: { ArgumentName: 'uri', ArgumentValue: uri! },
    });
  }
  return { type: 'Group', uri: uri! };
}

/**
 * Renders a list as an AccessControlPolicy; `names` gives users' display names. The root
 * carries no xmlns, as Riak CS answered: boto 2 keeps a namespace it read and writes it back
 * in to_xml(), so scripts that compare get_acl().to_xml() with the document they set (or
 * with Riak CS's text) only match without one. SDKs read the document either way.
 */
export function renderAclXml(acl: AccessControlList, names: ReadonlyMap<string, string>): string {
  const grants = acl.grants.map((grant) => ({
    Grantee: granteeXml(grant.grantee, names),
    Permission: grant.permission,
  }));
  const body = {
    Owner: { ID: acl.ownerId, DisplayName: names.get(acl.ownerId) ?? '' },
    AccessControlList: grants.length > 0 ? { Grant: grants } : '',
  };
  return renderXml('AccessControlPolicy', body, { namespace: false });
}

function granteeXml(grantee: Grantee, names: ReadonlyMap<string, string>) {
  const attributes = { '@_xmlns:xsi': XSI_NAMESPACE, '@_xsi:type': grantee.type };
  if (grantee.type === 'Group') return { ...attributes, URI: grantee.uri };
  return { ...attributes, ID: grantee.id, DisplayName: names.get(grantee.id) ?? '' };
}
