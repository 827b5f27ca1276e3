// Single sign-on routes: /oidc/login sends the browser to the provider, /oidc/callback completes
// the login (console/oidc.ts checks the response) and turns the ID token's claims into an account
// of source 'oidc' whose role is re-read from the claim at every login. Refused: no role mapped,
// a disabled account, or a name that belongs to a local account (the provider must not be able
// to log in as one). Browsers get refusals as a small page, other clients as the JSON error.
// Every outcome with a known name is audited.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit, getUser, putUser } from '../accounts.js';
import type { Authenticator } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { ApiError, errorBody } from '../errors.js';
import { accountNameOf, claimValues, roleOf } from '../oidc-claims.js';
import { OidcLogin, PENDING_MS } from '../oidc.js';
import { setSessionCookie } from './session.js';
import { errors } from './schemas.js';

/** Holds the state of the browser's login in progress (console/oidc.ts says why). */
export const OIDC_COOKIE = 'porthole_oidc';
const COOKIE_PATH = '/api/v1/oidc';
export const CALLBACK_PATH = '/api/v1/oidc/callback';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** A refused sign-in: a page for a browser, the JSON error otherwise. */
function refuse(req: FastifyRequest, reply: FastifyReply, ctx: ConsoleContext, e: ApiError): FastifyReply {
  if (!req.headers.accept?.includes('text/html')) return reply.status(e.status).send(errorBody(e));
  const title = e.status >= 500 ? 'Sign-in unavailable' : 'Sign-in refused';
  return reply
    .status(e.status)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Porthole: ${title}</title></head>` +
        `<body><h1>${title}</h1><p>${esc(e.message)}</p><p><code>${e.code}</code></p>` +
        `<p><a href="${esc(ctx.cfg.publicUrl)}/">Back to Porthole</a></p></body></html>`,
    );
}

export function oidcRoutes(app: FastifyInstance, ctx: ConsoleContext, auth: Authenticator): void {
  const o = ctx.cfg.oidc;
  const sso = o ? { o, login: new OidcLogin(o, `${ctx.cfg.publicUrl}${CALLBACK_PATH}`) } : null;
  const secure = ctx.cfg.tls !== null || ctx.cfg.publicUrl.startsWith('https://');
  const enabled = (): NonNullable<typeof sso> => {
    if (!sso) throw new ApiError('NOT_FOUND', 'single sign-on is not configured (console.oidc.issuer)');
    return sso;
  };
  const limit = { max: 30, timeWindow: '1 minute' };

  app.get(
    '/oidc/login',
    {
      config: { role: 'public', rateLimit: limit },
      schema: {
        tags: ['session'],
        summary: 'Single sign-on: redirects to the identity provider',
        response: { 302: { type: 'null' }, ...errors(404, 429, 503) },
      },
    },
    async (req, reply) => {
      try {
        const { url, state } = await enabled().login.start();
        // Lax, not Strict: the provider sends the browser back with a cross-site navigation
        void reply.setCookie(OIDC_COOKIE, state, {
          path: COOKIE_PATH,
          httpOnly: true,
          sameSite: 'lax',
          secure,
          maxAge: PENDING_MS / 1000,
        });
        return reply.redirect(url.href, 302);
      } catch (e) {
        if (e instanceof ApiError) return refuse(req, reply, ctx, e);
        throw e;
      }
    },
  );

  app.get(
    '/oidc/callback',
    {
      config: { role: 'public', rateLimit: limit },
      schema: {
        tags: ['session'],
        summary: 'Single sign-on: where the identity provider sends the browser back; sets the session cookie',
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string' },
            state: { type: 'string' },
            iss: { type: 'string' },
            error: { type: 'string' },
            error_description: { type: 'string' },
          },
        },
        response: { 302: { type: 'null' }, ...errors(400, 403, 404, 429, 503) },
      },
    },
    async (req, reply) => {
      const remote = req.ip;
      void reply.clearCookie(OIDC_COOKIE, { path: COOKIE_PATH });
      let name: string | null = null;
      try {
        const { o, login } = enabled();
        const q = req.url.indexOf('?');
        const claims = await login.finish(q < 0 ? '' : req.url.slice(q), req.cookies[OIDC_COOKIE]);
        name = accountNameOf(claims);
        if (!name)
          throw new ApiError(
            'FORBIDDEN',
            'the identity provider gave no usable account name (preferred_username, email or sub)',
          );
        const role = roleOf(claimValues(claims, o.roleClaim), o.roles);
        if (!role)
          throw new ApiError(
            'FORBIDDEN',
            `no Porthole role for ${name}: the "${o.roleClaim}" claim holds no value that console.oidc.roles maps`,
          );
        const existing = await getUser(ctx.store, name);
        if (existing?.source === 'local')
          throw new ApiError('FORBIDDEN', `${name} is a local account: it logs in with its password`);
        if (existing?.disabled) throw new ApiError('FORBIDDEN', `the account ${name} is disabled`);
        if (!existing || existing.role !== role) {
          await putUser(ctx.store, { name, role, source: 'oidc', disabled: false, password_hash: '' }, existing);
          auth.forget(name);
        }
        // a session the browser held before is replaced, not kept alongside
        if (req.principal?.session) ctx.sessions.end(req.principal.session.id);
        const s = ctx.sessions.create(name, 'oidc');
        setSessionCookie(reply, ctx, s);
        await audit(ctx.store, { actor: name, action: 'login', target: name, detail: { via: 'oidc', role }, remote });
        return reply.redirect(`${ctx.cfg.publicUrl}/`, 302);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (name)
          await audit(ctx.store, {
            actor: name,
            action: 'login_failed',
            target: name,
            detail: { via: 'oidc', reason: e.message },
            remote,
          });
        return refuse(req, reply, ctx, e);
      }
    },
  );
}
