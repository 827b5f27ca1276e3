// Who is asking, and whether they may: every API route declares the least role it needs
// (`config.role`, or 'public'); a request is authenticated by an API token (Authorization:
// Bearer) or by a session cookie, then checked against the route's role. A request made with a
// session cookie that changes something must carry the session's CSRF token. Account state is
// re-read at most every USER_CACHE_MS, so a disabled account or a lowered role takes effect
// within that time; a revoked token at once (tokens are checked on every request).

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../analyzer/store/store.js';
import { checkToken, getUser, type User } from './accounts.js';
import { ApiError } from './errors.js';
import { allows, type Role } from './roles.js';
import { csrfMatches, type Session, type Sessions } from './sessions.js';

export const SESSION_COOKIE = 'porthole_session';
const USER_CACHE_MS = 5_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Principal {
  /** the account name (a token acts for the account that made it) */
  name: string;
  role: Role;
  via: 'session' | 'token';
  session?: Session;
  tokenId?: string;
}

/** The role a route needs; 'public' routes need no login. */
export type RouteRole = Role | 'public';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    role?: RouteRole;
  }
}

export class Authenticator {
  private readonly users = new Map<string, { user: User | null; at: number }>();

  constructor(
    private readonly store: Store,
    readonly sessions: Sessions,
  ) {}

  /** The account as stored now (cached briefly). */
  async user(name: string): Promise<User | null> {
    const c = this.users.get(name);
    if (c && Date.now() - c.at < USER_CACHE_MS) return c.user;
    const user = await getUser(this.store, name);
    this.users.set(name, { user, at: Date.now() });
    if (this.users.size > 10_000) this.users.delete(this.users.keys().next().value as string);
    return user;
  }

  forget(name: string): void {
    this.users.delete(name);
  }

  /** The principal of a request, or null when it carries no credentials; ApiError when they are bad. */
  async identify(req: FastifyRequest): Promise<Principal | null> {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer (\S+)$/i.exec(auth);
      if (!m) throw new ApiError('AUTH_REQUIRED', 'Authorization: use "Bearer <token>"');
      const r = await checkToken(this.store, m[1]);
      if (!r.ok) throw new ApiError('AUTH_REQUIRED', `token ${r.why}`);
      const owner = await this.user(r.token.user);
      if (!owner || owner.disabled) throw new ApiError('AUTH_REQUIRED', 'token of a disabled account');
      // a token never does more than its account may now
      const role = allows(owner.role, r.token.role) ? r.token.role : owner.role;
      return { name: owner.name, role, via: 'token', tokenId: r.token.token_id };
    }
    const session = this.sessions.touch(req.cookies[SESSION_COOKIE]);
    if (!session) return null;
    const user = await this.user(session.user);
    if (!user || user.disabled) {
      this.sessions.end(session.id);
      return null;
    }
    return { name: user.name, role: user.role, via: 'session', session };
  }

  /** onRequest check of a route: authenticated, role, CSRF. */
  async check(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    req.principal = null;
    const need = req.routeOptions.config.role;
    if (need === undefined) return; // not an API route (UI assets); server.ts makes every API route declare one
    const p = await this.identify(req);
    req.principal = p;
    if (need === 'public') return;
    if (!p) throw new ApiError('AUTH_REQUIRED', 'log in or send an API token');
    if (!allows(p.role, need)) throw new ApiError('FORBIDDEN', `needs the ${need} role (you are ${p.role})`);
    if (p.session && !SAFE_METHODS.has(req.method) && !csrfMatches(p.session, req.headers['x-csrf-token']))
      throw new ApiError('CSRF_FAILED', 'missing or wrong X-CSRF-Token header');
  }
}

/** The principal of an authenticated route (its role check passed). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new ApiError('AUTH_REQUIRED', 'log in or send an API token');
  return req.principal;
}
