/**
 * Stanchion's decisions about a bucket's Object Ownership and Block Public Access, and how
 * they bound ACL, policy and ownership changes; an owner's re-create of its bucket.
 */
import { storedSecret } from '../../../stanchion/secret-box.js';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../stanchion/core/commands.js';
import {
  applyEntry,
  decide,
  emptyState,
  makeEntry,
  type StanchionState,
} from '../../../stanchion/core/decide.js';
import type { PublicAccessBlock } from '../../../stanchion/core/bucket-controls.js';
import type { AccessControlList, BucketRecord } from '../../../stanchion/core/records.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

function run(state: StanchionState, command: Command) {
  const decision = decide(state, command);
  if (decision.events.length > 0) {
    applyEntry(state, makeEntry(state.appliedSeq + 1, 1, command.id, decision));
  }
  return decision.result;
}

function stateWithBucket(extra: Partial<BucketRecord> = {}): StanchionState {
  const state = emptyState();
  for (const id of ['u1', 'u2']) {
    const user = {
      id,
      keyId: `KEY${id}`,
      secret: storedSecret('s'),
      email: `${id}@x.io`,
      name: id,
      displayName: id,
      status: 'enabled' as const,
      isAdmin: false,
      createdAtMs: 0,
    };
    run(state, { type: 'create-user', user });
  }
  const created = run(state, { type: 'create-bucket', bucket: { ...bucket('id1'), ...extra } });
  expect(created.ok).toBe(true);
  return state;
}

function bucket(id: string, ownerId = 'u1'): BucketRecord {
  return { name: 'b1', id, ownerId, createdAtMs: 0 };
}

function aclOf(...grants: AccessControlList['grants']): AccessControlList {
  const owner = { grantee: { type: 'CanonicalUser', id: 'u1' }, permission: 'FULL_CONTROL' };
  return { ownerId: 'u1', grants: [owner as AccessControlList['grants'][number], ...grants] };
}

const publicRead = aclOf({ grantee: { type: 'Group', uri: ALL_USERS }, permission: 'READ' });
const readByU2 = aclOf({ grantee: { type: 'CanonicalUser', id: 'u2' }, permission: 'READ' });

function blocking(over: Partial<PublicAccessBlock>): PublicAccessBlock {
  return {
    blockPublicAcls: false,
    ignorePublicAcls: false,
    blockPublicPolicy: false,
    restrictPublicBuckets: false,
    ...over,
  };
}

const target = { name: 'b1', bucketId: 'id1' };

describe('decide: an owner re-creating its bucket', () => {
  const again = (over: Partial<BucketRecord>, onOwnExisting?: 'accept-unchanged') =>
    ({
      type: 'create-bucket',
      bucket: { ...bucket('id2'), ...over },
      ...(onOwnExisting ? { onOwnExisting } : {}),
    }) as const;

  it('is BucketAlreadyOwnedByYou by default, BucketAlreadyExists for anyone else', () => {
    const state = stateWithBucket();
    expect(run(state, again({}))).toMatchObject({ code: 'BucketAlreadyOwnedByYou' });
    const other = run(state, again({ ownerId: 'u2' }, 'accept-unchanged'));
    expect(other).toMatchObject({ code: 'BucketAlreadyExists' });
  });

  it('legacy: accepted unchanged when it asks for the same ACL, in any order', () => {
    const state = stateWithBucket({ acl: readByU2 });
    const before = state.buckets.get('b1');
    const reordered = { ...readByU2, grants: [...readByU2.grants].reverse() };
    const decision = decide(state, again({ acl: reordered }, 'accept-unchanged'));
    expect(decision.events).toEqual([]);
    expect(decision.result).toMatchObject({ ok: true, bucket: { id: 'id1' } });
    expect(state.buckets.get('b1')).toBe(before);
  });

  it('legacy: a private bucket re-created with no ACL (private) is accepted', () => {
    const state = stateWithBucket();
    expect(run(state, again({}, 'accept-unchanged')).ok).toBe(true);
    expect(run(state, again({ acl: aclOf() }, 'accept-unchanged')).ok).toBe(true);
  });

  it('legacy: another ACL or ownership setting is BucketAlreadyExists, changing nothing', () => {
    const state = stateWithBucket({ acl: publicRead });
    expect(run(state, again({}, 'accept-unchanged'))).toMatchObject({
      code: 'BucketAlreadyExists',
    });
    const sameAcl = { acl: publicRead };
    expect(run(state, again(sameAcl, 'accept-unchanged')).ok).toBe(true);
    expect(
      run(state, again({ ...sameAcl, objectOwnership: 'ObjectWriter' }, 'accept-unchanged')).ok,
    ).toBe(true);
    const enforced = again(
      { ...sameAcl, objectOwnership: 'BucketOwnerPreferred' },
      'accept-unchanged',
    );
    expect(run(state, enforced)).toMatchObject({ code: 'BucketAlreadyExists' });
    expect(state.buckets.get('b1')).toMatchObject({ id: 'id1', acl: publicRead });
    expect(state.buckets.get('b1')!.objectOwnership).toBeUndefined();
  });
});

describe('decide: Object Ownership', () => {
  const ownership = (value: BucketRecord['objectOwnership'] | null) =>
    ({ type: 'set-bucket-ownership', ...target, ownership: value ?? null }) as const;

  it('is set and deleted on the bucket the caller saw', () => {
    const state = stateWithBucket();
    expect(run(state, ownership('BucketOwnerPreferred')).ok).toBe(true);
    expect(state.buckets.get('b1')!.objectOwnership).toBe('BucketOwnerPreferred');
    expect(run(state, ownership(null)).ok).toBe(true);
    expect(state.buckets.get('b1')!.objectOwnership).toBeUndefined();
    const stale = run(state, { ...ownership('ObjectWriter'), bucketId: 'old' });
    expect(stale).toMatchObject({ code: 'NoSuchBucket' });
  });

  it('disables ACLs only once the bucket ACL grants nobody else', () => {
    for (const acl of [publicRead, readByU2]) {
      const state = stateWithBucket({ acl });
      const refused = run(state, ownership('BucketOwnerEnforced'));
      expect(refused).toMatchObject({ code: 'InvalidBucketAclWithObjectOwnership' });
      expect(state.buckets.get('b1')!.objectOwnership).toBeUndefined();
      expect(run(state, { type: 'set-bucket-acl', ...target, acl: aclOf() }).ok).toBe(true);
      expect(run(state, ownership('BucketOwnerEnforced')).ok).toBe(true);
    }
  });

  it('with ACLs disabled, refuses every bucket ACL change', () => {
    const state = stateWithBucket({ objectOwnership: 'BucketOwnerEnforced' });
    for (const acl of [aclOf(), publicRead]) {
      const result = run(state, { type: 'set-bucket-acl', ...target, acl });
      expect(result).toMatchObject({ code: 'AccessControlListNotSupported' });
    }
  });

  it('a new bucket with ACLs disabled may not start with an ACL granting others', () => {
    const state = stateWithBucket();
    const create = (acl?: AccessControlList) =>
      run(state, {
        type: 'create-bucket',
        bucket: {
          ...bucket('id9'),
          name: 'b9',
          objectOwnership: 'BucketOwnerEnforced',
          ...(acl ? { acl } : {}),
        },
      });
    expect(create({ ...publicRead })).toMatchObject({
      code: 'InvalidBucketAclWithObjectOwnership',
    });
    expect(state.buckets.has('b9')).toBe(false);
    expect(create(aclOf()).ok).toBe(true);
  });
});

describe('decide: Block Public Access', () => {
  const configure = (config: PublicAccessBlock | null) =>
    ({ type: 'set-public-access-block', ...target, config }) as const;

  it('BlockPublicAcls refuses a public bucket ACL, not a private one', () => {
    const state = stateWithBucket();
    expect(run(state, configure(blocking({ blockPublicAcls: true }))).ok).toBe(true);
    const refused = run(state, { type: 'set-bucket-acl', ...target, acl: publicRead });
    expect(refused).toMatchObject({ code: 'AccessDenied' });
    expect(run(state, { type: 'set-bucket-acl', ...target, acl: readByU2 }).ok).toBe(true);
    expect(run(state, configure(null)).ok).toBe(true);
    expect(state.buckets.get('b1')!.publicAccessBlock).toBeUndefined();
    expect(run(state, { type: 'set-bucket-acl', ...target, acl: publicRead }).ok).toBe(true);
  });

  it('BlockPublicPolicy refuses a public policy; a private one and a delete pass', () => {
    const state = stateWithBucket();
    run(state, configure(blocking({ blockPublicPolicy: true })));
    const policy = { type: 'set-bucket-policy', ...target, policy: '{}' } as const;
    expect(run(state, { ...policy, isPublic: true })).toMatchObject({ code: 'AccessDenied' });
    expect(state.buckets.get('b1')!.policy).toBeUndefined();
    expect(run(state, { ...policy, isPublic: false }).ok).toBe(true);
    expect(run(state, { ...policy, policy: null, isPublic: true }).ok).toBe(true);
    expect(state.buckets.get('b1')!.policy).toBeUndefined();
  });

  it('settings survive other changes to the bucket', () => {
    const state = stateWithBucket();
    const config = blocking({ ignorePublicAcls: true });
    run(state, configure(config));
    run(state, { type: 'set-bucket-ownership', ...target, ownership: 'ObjectWriter' });
    run(state, { type: 'set-bucket-acl', ...target, acl: readByU2 });
    expect(state.buckets.get('b1')).toMatchObject({
      publicAccessBlock: config,
      objectOwnership: 'ObjectWriter',
      acl: readByU2,
    });
  });
});
