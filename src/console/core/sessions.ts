/**
 * The console's sessions: a random id (the cookie) to who signed in, their keys and a CSRF
 * token, in memory with an idle expiry and a bound on how many are kept. Pure: the clock and
 * the random bytes are passed in. The keys stay here, server-side; the page never sees the
 * secret again after sign-in.
 */
import { timingSafeEqual } from 'node:crypto';

/** Who a session is for. */
export interface SessionUser {
  keyId: string;
  name: string;
  email: string;
  isAdmin: boolean;
}

/** One signed-in browser. */
export interface Session {
  id: string;
  csrfToken: string;
  user: SessionUser;
  /** The user's secret, to sign the requests made for them; never sent to the page. */
  secret: string;
  expiresAtMs: number;
}

/** How sessions are kept. */
export interface SessionOptions {
  clock: () => number;
  randomBytes: (count: number) => Buffer;
  /** Idle time after which a session is gone, in ms. */
  idleMs: number;
  /** Sessions kept at most; the one closest to expiring goes first. */
  sessionsMax: number;
}

/** The sessions of one front end (an instance per server, never a module global). */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  constructor(private readonly options: SessionOptions) {}

  /** Opens a session for `user` and returns it (its id and CSRF token are fresh). */
  open(user: SessionUser, secret: string): Session {
    this.#sweep();
    if (this.#sessions.size >= this.options.sessionsMax) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    const session: Session = {
      id: this.options.randomBytes(32).toString('base64url'),
      csrfToken: this.options.randomBytes(32).toString('base64url'),
      user,
      secret,
      expiresAtMs: this.options.clock() + this.options.idleMs,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, its expiry pushed back; undefined when none or expired. */
  touch(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = this.options.clock();
    if (session.expiresAtMs <= now) {
      this.#sessions.delete(id);
      return undefined;
    }
    // Kept in order of expiry: re-inserting moves it to the end.
    this.#sessions.delete(id);
    session.expiresAtMs = now + this.options.idleMs;
    this.#sessions.set(id, session);
    return session;
  }

  /** Ends a session (sign-out). */
  close(id: string): void {
    this.#sessions.delete(id);
  }

  /** Ends every session of a user (after a new secret or disabling them). */
  closeUser(keyId: string): void {
    for (const [id, s] of this.#sessions) if (s.user.keyId === keyId) this.#sessions.delete(id);
  }

  /** Keeps `session` (after closeUser, when it should outlive the user's other sessions). */
  adopt(session: Session): void {
    this.#sessions.set(session.id, session);
  }

  /** How many sessions are live. */
  get size(): number {
    return this.#sessions.size;
  }

  #sweep(): void {
    const now = this.options.clock();
    for (const [id, s] of this.#sessions) {
      if (s.expiresAtMs > now) break;
      this.#sessions.delete(id);
    }
  }
}

/** Whether `given` is the session's CSRF token, compared in constant time. */
export function csrfMatches(session: Session, given: string | undefined): boolean {
  if (given === undefined) return false;
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
