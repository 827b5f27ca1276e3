// Logging in and out, and who am I: a password login sets the session cookie (HttpOnly,
// SameSite=Strict, Secure under HTTPS) and returns the session's CSRF token. Logins are rate
// limited per client address and lock an account after console.loginFailures failures in a row;
// every attempt is audited (never the password).

import type { FastifyInstance, FastifyReply } from 'fastify';
import { audit } from '../accounts.js';
import { type Authenticator, principalOf, SESSION_COOKIE } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { ApiError } from '../errors.js';
import { checkPassword, MAX_PASSWORD } from '../passwords.js';
import type { Session } from '../sessions.js';
import { errors, OBJ } from './schemas.js';

const ME = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    role: { type: 'string' },
    via: { type: 'string' },
    csrf: { type: 'string', nullable: true },
    oidc: { type: 'boolean' },
  },
  required: ['name', 'role', 'via'],
} as const;

/** Sets the session cookie for a new session. */
export function setSessionCookie(reply: FastifyReply, ctx: ConsoleContext, s: Session): void {
  void reply.setCookie(SESSION_COOKIE, s.id, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.cfg.tls !== null || ctx.cfg.publicUrl.startsWith('https://'),
    maxAge: Math.floor(ctx.cfg.sessionMaxMs / 1000),
  });
}

export function sessionRoutes(app: FastifyInstance, ctx: ConsoleContext, auth: Authenticator): void {
  app.post(
    '/session',
    {
      config: { role: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['session'],
        summary: 'Log in with a password; sets the session cookie',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 128 },
            password: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD },
          },
          required: ['name', 'password'],
          additionalProperties: false,
        },
        response: { 200: ME, ...errors(400, 401, 423, 429) },
      },
    },
    async (req, reply) => {
      const { name, password } = req.body as { name: string; password: string };
      const remote = req.ip;
      const locked = ctx.lockout.lockedFor(name);
      if (locked > 0) {
        ctx.metrics.logins.inc({ outcome: 'locked' });
        await audit(ctx.store, { actor: name, action: 'login_locked', target: name, remote });
        throw new ApiError('LOCKED', `too many failed logins: try again in ${Math.ceil(locked / 60_000)} min`);
      }
      const user = await auth.user(name);
      const ok = await checkPassword(
        user && !user.disabled && user.source === 'local' ? user.password_hash : '',
        password,
      );
      if (!ok || !user) {
        ctx.lockout.failed(name);
        ctx.metrics.logins.inc({ outcome: 'failed' });
        await audit(ctx.store, { actor: name, action: 'login_failed', target: name, remote });
        throw new ApiError('AUTH_REQUIRED', 'wrong name or password');
      }
      ctx.lockout.succeeded(name);
      ctx.metrics.logins.inc({ outcome: 'ok' });
      const s = ctx.sessions.create(user.name, 'password');
      setSessionCookie(reply, ctx, s);
      await audit(ctx.store, { actor: user.name, action: 'login', target: user.name, remote });
      return { name: user.name, role: user.role, via: 'session', csrf: s.csrf, oidc: ctx.cfg.oidc !== null };
    },
  );

  app.delete(
    '/session',
    {
      config: { role: 'viewer' },
      schema: { tags: ['session'], summary: 'Log out', response: { 204: { type: 'null' }, ...errors(401, 403) } },
    },
    async (req, reply) => {
      const p = principalOf(req);
      if (p.session) ctx.sessions.end(p.session.id);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      await audit(ctx.store, { actor: p.name, action: 'logout', target: p.name, remote: req.ip });
      return reply.status(204).send();
    },
  );

  app.get(
    '/session',
    {
      config: { role: 'public' },
      schema: {
        tags: ['session'],
        summary: 'Who is logged in (401 when nobody); the CSRF token of the session',
        response: { 200: ME, ...errors(401) },
      },
    },
    async (req) => {
      const p = req.principal;
      if (!p) throw new ApiError('AUTH_REQUIRED', 'not logged in');
      return { name: p.name, role: p.role, via: p.via, csrf: p.session?.csrf ?? null, oidc: ctx.cfg.oidc !== null };
    },
  );

  app.get(
    '/login-options',
    {
      config: { role: 'public' },
      schema: {
        tags: ['session'],
        summary: 'How one can log in (password, single sign-on)',
        response: { 200: { ...OBJ, properties: { password: { type: 'boolean' }, oidc: { type: 'boolean' } } } },
      },
    },
    async () => ({ password: true, oidc: ctx.cfg.oidc !== null }),
  );
}
