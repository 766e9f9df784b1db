/**
 * The pure ACL module: canned ACLs, grant headers, the AccessControlPolicy XML both ways,
 * and what a list grants; properties over random lists for the grant rules.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessControlList, Permission } from '../../../stanchion/core/records.js';
import {
  aclPermits,
  aclRequestOf,
  CANNED_ACLS,
  cannedAcl,
  GROUP_URIS,
  parseGrantHeader,
  PERMISSIONS,
  privateAcl,
} from '../../../src/s3/access/acl.js';
import { parseAclXml, renderAclXml } from '../../../src/s3/access/acl-xml.js';

const OWNER = 'o'.repeat(64);
const OTHER = 'b'.repeat(64);
const owner = { id: OWNER };
const other = { id: OTHER };
const anonymous = {};

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (error) {
    return (error as { code?: string }).code ?? 'thrown';
  }
}

describe('acl: canned ACLs', () => {
  const cases: Array<[string, Permission, { owner: boolean; other: boolean; anon: boolean }]> = [
    ['private', 'READ', { owner: true, other: false, anon: false }],
    ['public-read', 'READ', { owner: true, other: true, anon: true }],
    ['public-read', 'WRITE', { owner: true, other: false, anon: false }],
    ['public-read-write', 'WRITE', { owner: true, other: true, anon: true }],
    ['authenticated-read', 'READ', { owner: true, other: true, anon: false }],
    ['authenticated-read', 'WRITE', { owner: true, other: false, anon: false }],
  ];
  for (const [name, permission, want] of cases) {
    it(`canned ${name} grants ${permission} (owner ${want.owner}, other ${want.other})`, () => {
      const acl = cannedAcl(name as (typeof CANNED_ACLS)[number], OWNER);
      expect(aclPermits(acl, owner, permission)).toBe(want.owner);
      expect(aclPermits(acl, other, permission)).toBe(want.other);
      expect(aclPermits(acl, anonymous, permission)).toBe(want.anon);
    });
  }

  it('bucket-owner-* grant the bucket owner, and add nothing when the writer owns it', () => {
    const read = cannedAcl('bucket-owner-read', OTHER, OWNER);
    expect(read.ownerId).toBe(OTHER);
    expect(aclPermits(read, owner, 'READ')).toBe(true);
    expect(aclPermits(read, owner, 'WRITE_ACP')).toBe(false);
    const full = cannedAcl('bucket-owner-full-control', OTHER, OWNER);
    expect(aclPermits(full, owner, 'WRITE_ACP')).toBe(true);
    expect(cannedAcl('bucket-owner-full-control', OWNER, OWNER)).toEqual(privateAcl(OWNER));
  });
});

describe('acl: grant headers', () => {
  it('parses id, uri and emailAddress, quoted or not, comma-separated', () => {
    expect(
      parseGrantHeader(
        'x-amz-grant-read',
        `id="${OTHER}", uri="${GROUP_URIS.AllUsers}",emailAddress=a@b.c`,
      ),
    ).toEqual([
      { type: 'CanonicalUser', id: OTHER },
      { type: 'Group', uri: GROUP_URIS.AllUsers },
      { type: 'AmazonCustomerByEmail', email: 'a@b.c' },
    ]);
  });

  it('refuses malformed values, unknown types and unknown groups', () => {
    for (const bad of ['', 'id', 'id=""', 'name="x"', 'id="a",', 'uri="http://x/y"', 'id="a" x']) {
      expect(codeOf(() => parseGrantHeader('x-amz-grant-read', bad))).toBe('InvalidArgument');
    }
  });

  it('reads canned or grants, and refuses both at once', () => {
    expect(aclRequestOf({})).toEqual({ kind: 'none' });
    expect(aclRequestOf({ 'x-amz-acl': 'public-read' })).toEqual({
      kind: 'canned',
      name: 'public-read',
    });
    expect(aclRequestOf({ 'x-amz-grant-write': `id="${OTHER}"` })).toEqual({
      kind: 'grants',
      grants: [{ grantee: { type: 'CanonicalUser', id: OTHER }, permission: 'WRITE' }],
    });
    const both = { 'x-amz-acl': 'private', 'x-amz-grant-read': `id="${OTHER}"` };
    expect(codeOf(() => aclRequestOf(both))).toBe('InvalidRequest');
    expect(codeOf(() => aclRequestOf({ 'x-amz-acl': 'world-writable' }))).toBe('InvalidArgument');
  });
});

describe('acl: AccessControlPolicy XML', () => {
  it('renders S3 shape and parses back to the same list', () => {
    const acl: AccessControlList = {
      ownerId: OWNER,
      grants: [
        { grantee: { type: 'CanonicalUser', id: OWNER }, permission: 'FULL_CONTROL' },
        { grantee: { type: 'Group', uri: GROUP_URIS.AllUsers }, permission: 'READ' },
      ],
    };
    const xml = renderAclXml(acl, new Map([[OWNER, 'owner-name']]));
    expect(xml).toContain('<Owner><ID>' + OWNER + '</ID><DisplayName>owner-name</DisplayName>');
    expect(xml).toContain(
      '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">' +
        `<URI>${GROUP_URIS.AllUsers}</URI></Grantee>`,
    );
    expect(xml).toContain('xsi:type="CanonicalUser"');
    expect(parseAclXml(xml)).toEqual(acl);
  });

  it('answers MalformedACLError for broken or incomplete documents', () => {
    const grant = (inner: string, permission = 'READ') =>
      `<AccessControlPolicy><Owner><ID>${OWNER}</ID></Owner><AccessControlList><Grant>` +
      `<Grantee>${inner}</Grantee><Permission>${permission}</Permission></Grant>` +
      `</AccessControlList></AccessControlPolicy>`;
    const bad = [
      '<AccessControlPolicy><Owner>',
      '<Other/>',
      '<AccessControlPolicy><AccessControlList/></AccessControlPolicy>',
      grant(`<ID>${OTHER}</ID>`, 'EVERYTHING'),
      grant(''),
      grant(`<ID>${OTHER}</ID><URI>${GROUP_URIS.AllUsers}</URI>`),
      '<!DOCTYPE x [<!ENTITY a "b">]><AccessControlPolicy/>',
    ];
    for (const text of bad) expect(codeOf(() => parseAclXml(text))).toBe('MalformedACLError');
    expect(parseAclXml(grant('<EmailAddress>a@b.c</EmailAddress>')).grants).toEqual([
      { grantee: { type: 'AmazonCustomerByEmail', email: 'a@b.c' }, permission: 'READ' },
    ]);
  });
});

describe('acl: properties', () => {
  const grantee = fc.oneof(
    fc.constantFrom(OWNER, OTHER, 'c'.repeat(64)).map((id) => ({
      type: 'CanonicalUser' as const,
      id,
    })),
    fc.constantFrom(...Object.values(GROUP_URIS)).map((uri) => ({ type: 'Group' as const, uri })),
  );
  const acl = fc.record({
    ownerId: fc.constant(OWNER),
    grants: fc.array(fc.record({ grantee, permission: fc.constantFrom(...PERMISSIONS) }), {
      maxLength: 8,
    }),
  });
  const requester = fc.constantFrom(owner, other, anonymous, { id: 'c'.repeat(64) });

  it('FULL_CONTROL implies every permission; anonymous gets only what AllUsers gets', () => {
    fc.assert(
      fc.property(acl, requester, fc.constantFrom(...PERMISSIONS), (list, who, permission) => {
        if (aclPermits(list, who, 'FULL_CONTROL')) {
          expect(aclPermits(list, who, permission)).toBe(true);
        }
        if (aclPermits(list, anonymous, permission)) {
          expect(aclPermits(list, who, permission)).toBe(true);
        }
      }),
    );
  });

  it('a list survives render and parse unchanged', () => {
    fc.assert(
      fc.property(acl, (list) => {
        expect(parseAclXml(renderAclXml(list, new Map()))).toEqual(list);
      }),
    );
  });
});
