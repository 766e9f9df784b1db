/**
 * The console's sessions and cookie, pure: ids and CSRF tokens are random and distinct, a
 * session ends after its idle time (and each use pushes that back), the oldest goes when
 * the store is full, CSRF tokens compare exactly, and a hostile Cookie header yields nothing.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clearedCookie, sessionCookie, sessionIdOf } from '../../../src/console/core/cookies.js';
import { csrfMatches, SessionStore } from '../../../src/console/core/sessions.js';

const USER = { keyId: 'AKID', name: 'alice', email: 'a@example.com', isAdmin: false };

function store(sessionsMax = 10) {
  let now = 1_000_000;
  const sessions = new SessionStore({ clock: () => now, randomBytes, idleMs: 1000, sessionsMax });
  return { sessions, advance: (ms: number) => (now += ms) };
}

describe('console sessions', () => {
  it('opens sessions with distinct random ids and CSRF tokens', () => {
    const { sessions } = store();
    const a = sessions.open(USER, 's1');
    const b = sessions.open(USER, 's1');
    expect(a.id).not.toBe(b.id);
    expect(a.csrfToken).not.toBe(a.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.touch(a.id)?.user).toEqual(USER);
  });

  it('ends a session after its idle time; each use pushes the end back', () => {
    const { sessions, advance } = store();
    const s = sessions.open(USER, 'secret');
    advance(900);
    expect(sessions.touch(s.id)).toBeDefined();
    advance(900);
    expect(sessions.touch(s.id)).toBeDefined();
    advance(1000);
    expect(sessions.touch(s.id)).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it('drops the session closest to its end when full', () => {
    const { sessions } = store(2);
    const first = sessions.open(USER, 'x');
    const second = sessions.open(USER, 'x');
    sessions.touch(first.id);
    sessions.open(USER, 'x');
    expect(sessions.touch(second.id)).toBeUndefined();
    expect(sessions.touch(first.id)).toBeDefined();
  });

  it("closes a user's sessions", () => {
    const { sessions } = store();
    const s = sessions.open(USER, 'x');
    sessions.closeUser('AKID');
    expect(sessions.touch(s.id)).toBeUndefined();
  });

  it('matches the CSRF token exactly, refusing absent, shorter, longer or other ones', () => {
    const { sessions } = store();
    const s = sessions.open(USER, 'x');
    expect(csrfMatches(s, s.csrfToken)).toBe(true);
    for (const bad of [undefined, '', s.csrfToken.slice(1), `${s.csrfToken}x`, 'forged']) {
      expect(csrfMatches(s, bad)).toBe(false);
    }
  });
});

describe('console cookie', () => {
  it('is HttpOnly, SameSite=Strict, kept to /console, Secure over TLS', () => {
    expect(sessionCookie('abc', 60, false)).toBe(
      'cairn_console=abc; Path=/console; Max-Age=60; HttpOnly; SameSite=Strict',
    );
    expect(sessionCookie('abc', 60, true)).toMatch(/; Secure$/);
    expect(clearedCookie(false)).toContain('Max-Age=0');
  });

  it('reads its id among other cookies and ignores malformed ones', () => {
    const id = 'A'.repeat(43);
    expect(sessionIdOf(`a=b; cairn_console=${id}; c=d`)).toBe(id);
    expect(sessionIdOf('cairn_console=short')).toBeUndefined();
    expect(sessionIdOf('cairn_console=<script>aaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(sessionIdOf(`${'x=y; '.repeat(5000)}cairn_console=${id}`)).toBeUndefined();
    expect(sessionIdOf(undefined)).toBeUndefined();
  });
});
