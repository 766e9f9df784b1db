/**
 * The x-cairn-protocol header under the internal signature: a signer binds it through its
 * nonce, so changing, removing or adding it fails the signature; a nonce that binds nothing
 * (the previous minor's signers, raw tools) verifies as before; and a bound signature is one
 * the previous minor's verifier, which computes the same HMAC over an opaque nonce, accepts.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bodyDigest,
  boundProtocolOf,
  internalKey,
  parseInternalAuth,
  protocolNonce,
  signInternal,
  stringToSign,
  verifyInternal,
  type SignedRequest,
} from '../../../ring/core/internal-auth.js';

const KEY = internalKey('a-cluster-cookie-for-tests-0123456789');
const NOW = 1_760_000_000_000;
const RANDOM = '0f8e2b4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const request = (protocol?: string): SignedRequest => ({
  method: 'GET',
  path: '/ring',
  contentType: '',
  bodyDigest: bodyDigest(undefined),
  ...(protocol === undefined ? {} : { protocol }),
});

describe('internal auth: the protocol header is signed', () => {
  it('a bound signature verifies with the header it binds, and with no other', () => {
    const nonce = protocolNonce('1.1', RANDOM);
    expect(boundProtocolOf(nonce)).toBe('1.1');
    const header = signInternal(KEY, request(), NOW, nonce);
    expect(verifyInternal(KEY, header, request('1.1'), NOW)).toBeUndefined();
    for (const other of ['1.0', '2.1', '', undefined]) {
      expect(verifyInternal(KEY, header, request(other), NOW)?.reason).toBe('mismatch');
    }
  });

  it('a nonce that binds nothing verifies whatever the header says, as before', () => {
    const header = signInternal(KEY, request(), NOW, RANDOM);
    expect(boundProtocolOf(RANDOM)).toBeUndefined();
    expect(verifyInternal(KEY, header, request(), NOW)).toBeUndefined();
    expect(verifyInternal(KEY, header, request('1.0'), NOW)).toBeUndefined();
  });

  it("a bound signature is what the previous minor's verifier computes and accepts", () => {
    const nonce = protocolNonce('1.0', RANDOM);
    const header = signInternal(KEY, request(), NOW, nonce);
    const parsed = parseInternalAuth(header);
    expect('reason' in parsed).toBe(false);
    const old = createHmac('sha256', KEY)
      .update(stringToSign(request(), NOW, nonce))
      .digest();
    expect('signature' in parsed && parsed.signature.equals(old)).toBe(true);
  });

  it('refuses to bind what is not a version', () => {
    expect(() => protocolNonce('1.x', RANDOM)).toThrow();
    expect(() => protocolNonce('1.0\n', RANDOM)).toThrow();
  });
});
