/**
 * Internal protocol versions (ring/transport/protocol-version.ts) and their checks at both
 * ends: the internal listener answers every request with its version and refuses a caller
 * of another major with 426 naming both, before the route runs; the internal client sends
 * its version, remembers the peer's, and refuses an answer of another major; a newer minor
 * is served either way; a caller without the header (Cairn before it) is taken as 1.0.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InternalClient } from '../../../ring/transport/internal-client.js';
import { buildInternalApp } from '../../../ring/transport/internal-server.js';
import { NodeUnreachableError } from '../../../ring/transport/transport.js';
import { attachRpcStream } from '../../../ring/transport/rpc-stream-server.js';
import { StreamTransport } from '../../../ring/transport/rpc-stream-transport.js';
import {
  checkPeerProtocol,
  localProtocolVersion,
  parseProtocolVersion,
  PROTOCOL_VERSION,
  ProtocolMismatchError,
  type ProtocolVersion,
} from '../../../ring/transport/protocol-version.js';

const COOKIE = 'protocol-version-test-cookie-0123';
const V = (major: number, minor: number): ProtocolVersion => ({ major, minor });

describe('protocol versions', () => {
  it('parses major.minor and nothing else', () => {
    expect(parseProtocolVersion('1.0')).toEqual(V(1, 0));
    expect(parseProtocolVersion('12.345')).toEqual(V(12, 345));
    for (const bad of ['', '1', '1.', '.1', '01.0', '1.0.0', '-1.0', '1.x', ' 1.0', '9999999.0']) {
      expect(parseProtocolVersion(bad)).toBeUndefined();
    }
    expect(parseProtocolVersion(undefined)).toBeUndefined();
  });

  it('accepts any minor of the same major, refuses another major naming both', () => {
    expect(checkPeerProtocol(V(1, 0), '1.7', 'peer')).toEqual({ ok: true, version: V(1, 7) });
    expect(checkPeerProtocol(V(1, 3), '1.0', 'peer')).toEqual({ ok: true, version: V(1, 0) });
    const refused = checkPeerProtocol(V(1, 0), '2.0', 'dev9');
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatch(/this process speaks 1\.0, dev9 speaks 2\.0/);
  });

  it('takes a missing header as 1.0 and refuses a malformed one', () => {
    expect(checkPeerProtocol(V(1, 2), undefined, 'p')).toEqual({ ok: true, version: V(1, 0) });
    expect(checkPeerProtocol(V(2, 0), undefined, 'p').ok).toBe(false);
    const bad = checkPeerProtocol(V(1, 0), '1.0; drop table', 'p');
    expect(!bad.ok && bad.error).toMatch(/malformed protocol version/);
    expect(checkPeerProtocol(V(1, 0), ['1.0', '1.0'], 'p').ok).toBe(false);
  });

  it('lets only the test suite override the local version', () => {
    const variable = 'CAIRN_TEST_PROTOCOL_VERSION';
    expect(localProtocolVersion({ CAIRN_TESTING: '1', [variable]: '1.9' })).toEqual(V(1, 9));
    expect(localProtocolVersion({ [variable]: '1.9' })).toEqual(PROTOCOL_VERSION);
    expect(localProtocolVersion({ CAIRN_TESTING: '1', [variable]: 'x' })).toEqual(PROTOCOL_VERSION);
  });
});

describe('protocol versions between a listener and a client', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function listener(protocol: ProtocolVersion): Promise<{ address: string; hits: number[] }> {
    const hits: number[] = [];
    const app = buildInternalApp(
      { cookie: COOKIE },
      { openPaths: ['/ping'], bodyBytesMax: 1024, logLevel: 'silent', protocol },
    );

    app.get('/ping', async () => ({ pong: true }));
    app.get('/ring', async () => (hits.push(1), { members: [] }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    return { address: `127.0.0.1:${(app.server.address() as AddressInfo).port}`, hits };
  }

  function client(protocol: ProtocolVersion): InternalClient {
    const made = new InternalClient({ cookie: COOKIE }, Date.now, protocol);
    closers.push(async () => made.close());
    return made;
  }

  it('serves a newer minor and an older one, each learning the other', async () => {
    const old = await listener(V(1, 0));
    const newer = client(V(1, 1));
    const reply = await newer.request(old.address, {
      method: 'GET',
      path: '/ring',
      timeoutMs: 5000,
    });
    expect(reply.status).toBe(200);
    expect(newer.peerProtocol(old.address)).toEqual(V(1, 0));
    const fresh = await listener(V(1, 1));
    const older = client(V(1, 0));
    const back = await older.request(fresh.address, {
      method: 'GET',
      path: '/ring',
      timeoutMs: 5000,
    });
    expect(back.status).toBe(200);
    expect(older.peerProtocol(fresh.address)).toEqual(V(1, 1));
  });

  it('refuses another major either way, before the route runs', async () => {
    const old = await listener(V(1, 0));
    const other = client(V(2, 0));
    const refused = other.request(old.address, { method: 'GET', path: '/ring', timeoutMs: 5000 });
    await expect(refused).rejects.toBeInstanceOf(ProtocolMismatchError);
    await expect(refused).rejects.toThrow(/speaks 2\.0, .* speaks 1\.0/);
    expect(old.hits).toEqual([]);
    const raw = await fetch(`http://${old.address}/ring`, {
      headers: { 'x-cairn-protocol': '2.0' },
    });
    expect(raw.status).toBe(426);
    expect(raw.headers.get('x-cairn-protocol')).toBe('1.0');
    expect(((await raw.json()) as { error: string }).error).toMatch(/1\.0.*2\.0/);
    // Open paths are liveness probes: served whatever the caller speaks, naming our version.
    const ping = await fetch(`http://${old.address}/ping`, {
      headers: { 'x-cairn-protocol': '2.0' },
    });
    expect([ping.status, ping.headers.get('x-cairn-protocol')]).toEqual([200, '1.0']);
  });
});

describe('protocol versions on the RPC stream', () => {
  it(
    'opens a stream across minors and refuses one across majors',
    { timeout: 20_000 },
    async () => {
      const closers: Array<() => unknown> = [];
      try {
        const app = buildInternalApp(
          { cookie: COOKIE },
          { openPaths: [], bodyBytesMax: 1024, logLevel: 'silent', protocol: V(1, 0) },
        );
        let handled = 0;
        const handle = async () => (handled++, { ok: true as const });
        const limits = { frameBytesMax: 1 << 20, inflightBytesMax: 1 << 20 };
        const refused: string[] = [];
        const onRefused = (reason: string) => refused.push(reason);
        closers.push(() => app.close());
        closers.push(attachRpcStream(app.server, { cookie: COOKIE, handle, ...limits, onRefused }));
        await app.listen({ port: 0, host: '127.0.0.1' });
        const address = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
        const over = (version: ProtocolVersion) => {
          const client = new InternalClient({ cookie: COOKIE }, Date.now, version);
          const transport = new StreamTransport(() => address, client, limits);
          closers.push(() => transport.close());
          return transport.call('n1', { op: 'ping' }, { timeoutMs: 5000 });
        };
        expect(await over(V(1, 4))).toEqual({ ok: true });
        expect(handled).toBe(1);
        const error = await over(V(3, 0)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NodeUnreachableError);
        expect((error as Error).message).toMatch(/speaks 3\.0, .* speaks 1\.0/);
        expect(handled).toBe(1);
        expect(refused.join()).toMatch(/the caller speaks 3\.0/);
      } finally {
        for (const close of closers.reverse()) await close();
      }
    },
  );
});
