// Browser sessions, held in the console's memory (a restart logs everyone out; several consoles
// behind one name need sticky routing). A session id is 32 random bytes in an HttpOnly cookie;
// each session carries its own CSRF token, which every state-changing request made with the
// cookie must echo in the X-CSRF-Token header. A session ends after `idleMs` without a request
// or `maxMs` after login, whichever comes first; expired sessions are swept.

import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  id: string;
  user: string;
  csrf: string;
  created: number;
  seen: number;
  /** how the person logged in */
  via: 'password' | 'oidc';
}

export class Sessions {
  private readonly byId = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly idleMs: number,
    readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(idleMs, 60_000));
    this.sweeper.unref();
  }

  create(user: string, via: Session['via']): Session {
    const t = this.now();
    const s: Session = {
      id: randomBytes(32).toString('base64url'),
      user,
      csrf: randomBytes(24).toString('base64url'),
      created: t,
      seen: t,
      via,
    };
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session with this id (its idle clock restarted), or null when unknown or expired. */
  touch(id: string | undefined): Session | null {
    if (!id) return null;
    const s = this.byId.get(id);
    if (!s) return null;
    const t = this.now();
    if (this.expired(s, t)) {
      this.byId.delete(id);
      return null;
    }
    s.seen = t;
    return s;
  }

  end(id: string): void {
    this.byId.delete(id);
  }

  /** End every session of a user (disabled, or password changed). */
  endUser(user: string): void {
    for (const [id, s] of this.byId) if (s.user === user) this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private expired(s: Session, t: number): boolean {
    return t - s.seen > this.idleMs || t - s.created > this.maxMs;
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, s] of this.byId) if (this.expired(s, t)) this.byId.delete(id);
  }
}

/** Whether a request's CSRF header matches its session's token (constant time). */
export function csrfMatches(s: Session, header: unknown): boolean {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(s.csrf);
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Failed logins per account: `limit` in a row lock it for `lockMs` (in memory, like sessions). */
export class Lockout {
  private readonly fails = new Map<string, { n: number; until: number }>();

  constructor(
    private readonly limit: number,
    private readonly lockMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** ms until the account unlocks, 0 when it is not locked. */
  lockedFor(user: string): number {
    const f = this.fails.get(user);
    if (!f || f.n < this.limit) return 0;
    const left = f.until - this.now();
    if (left > 0) return left;
    this.fails.delete(user);
    return 0;
  }

  failed(user: string): void {
    const f = this.fails.get(user) ?? { n: 0, until: 0 };
    f.n += 1;
    if (f.n >= this.limit) f.until = this.now() + this.lockMs;
    this.fails.set(user, f);
    if (this.fails.size > 100_000) this.fails.delete(this.fails.keys().next().value as string);
  }

  succeeded(user: string): void {
    this.fails.delete(user);
  }
}
