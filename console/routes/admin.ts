// Administration: accounts, API tokens and the audit log (admin role). A token is shown once,
// when it is made; only its hash is stored. A token's role is at most its maker's. Disabling an
// account or changing its role or password ends its sessions.

import type { FastifyInstance } from 'fastify';
import {
  audit,
  auditLog,
  getToken,
  getUser,
  listTokens,
  listUsers,
  newToken,
  putToken,
  putUser,
  userNameProblem,
} from '../accounts.js';
import { type Authenticator, principalOf } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { ApiError, invalid } from '../errors.js';
import { hashPassword, MAX_PASSWORD, passwordProblem } from '../passwords.js';
import { allows, ROLES, type Role } from '../roles.js';
import { parseDuration } from '../../common/time.js';
import { errors, OBJ } from './schemas.js';

const USER = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    role: { type: 'string' },
    source: { type: 'string' },
    disabled: { type: 'boolean' },
    changed_at: { type: 'integer' },
  },
} as const;

const NAME_PARAMS = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 128 } },
  required: ['name'],
} as const;

const publicUser = (u: { name: string; role: Role; source: string; disabled: boolean; changed_at: number }) => ({
  name: u.name,
  role: u.role,
  source: u.source,
  disabled: u.disabled,
  changed_at: u.changed_at,
});

export function adminRoutes(app: FastifyInstance, ctx: ConsoleContext, auth: Authenticator): void {
  app.get(
    '/users',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Accounts',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: USER } } },
          ...errors(401, 403),
        },
      },
    },
    async () => ({ items: (await listUsers(ctx.store)).map(publicUser) }),
  );

  app.post(
    '/users',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Add an account (audited)',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', maxLength: 128 },
            role: { type: 'string', enum: [...ROLES] },
            password: { type: 'string', maxLength: MAX_PASSWORD },
          },
          required: ['name', 'role', 'password'],
          additionalProperties: false,
        },
        response: { 201: USER, ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const { name, role, password } = req.body as { name: string; role: Role; password: string };
      const bad = userNameProblem(name);
      if (bad) throw invalid('name', bad);
      const weak = passwordProblem(password);
      if (weak) throw invalid('password', weak);
      if (await getUser(ctx.store, name)) throw new ApiError('CONFLICT', `account ${name} exists`);
      const u = await putUser(ctx.store, {
        name,
        role,
        source: 'local',
        disabled: false,
        password_hash: await hashPassword(password),
      });
      await audit(ctx.store, {
        actor: principalOf(req).name,
        action: 'user.add',
        target: name,
        detail: { role },
        remote: req.ip,
      });
      return reply.status(201).send(publicUser(u));
    },
  );

  app.patch(
    '/users/:name',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: "Change an account's role, password or disabled flag (audited; ends its sessions)",
        params: NAME_PARAMS,
        body: {
          type: 'object',
          properties: {
            role: { type: 'string', enum: [...ROLES] },
            password: { type: 'string', maxLength: MAX_PASSWORD },
            disabled: { type: 'boolean' },
          },
          additionalProperties: false,
          minProperties: 1,
        },
        response: { 200: USER, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { name } = req.params as { name: string };
      const b = req.body as { role?: Role; password?: string; disabled?: boolean };
      const u = await getUser(ctx.store, name);
      if (!u) throw new ApiError('NOT_FOUND', `no account ${name}`);
      if (b.password !== undefined) {
        const weak = passwordProblem(b.password);
        if (weak) throw invalid('password', weak);
      }
      const next = await putUser(
        ctx.store,
        {
          name,
          role: b.role ?? u.role,
          source: u.source,
          disabled: b.disabled ?? u.disabled,
          password_hash: b.password !== undefined ? await hashPassword(b.password) : u.password_hash,
        },
        u,
      );
      ctx.sessions.endUser(name);
      auth.forget(name);
      const { password: _, ...changed } = b;
      await audit(ctx.store, {
        actor: principalOf(req).name,
        action: 'user.change',
        target: name,
        detail: { ...changed, password_changed: b.password !== undefined },
        remote: req.ip,
      });
      return publicUser(next);
    },
  );

  app.get(
    '/tokens',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'API tokens (never their secrets)',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: OBJ } } },
          ...errors(401, 403),
        },
      },
    },
    async () => ({ items: await listTokens(ctx.store) }),
  );

  app.post(
    '/tokens',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Make an API token; the token is in this response only (audited)',
        body: {
          type: 'object',
          properties: {
            label: { type: 'string', minLength: 1, maxLength: 200 },
            role: { type: 'string', enum: [...ROLES] },
            expires_in: { type: 'string', maxLength: 20, description: 'a duration (90d); absent: never expires' },
          },
          required: ['label', 'role'],
          additionalProperties: false,
        },
        response: { 201: OBJ, ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const b = req.body as { label: string; role: Role; expires_in?: string };
      if (!allows(p.role, b.role)) throw invalid('role', `at most your own role (${p.role})`);
      let expires_at = 0;
      if (b.expires_in !== undefined) {
        const d = parseDuration(b.expires_in);
        if (!('ms' in d)) throw invalid('expires_in', d.error);
        expires_at = Date.now() + d.ms;
      }
      const t = newToken();
      const row = {
        token_id: t.token_id,
        user: p.name,
        label: b.label,
        role: b.role,
        created_at: Date.now(),
        expires_at,
        revoked_at: 0,
      };
      await putToken(ctx.store, row, t.secret_hash, row.created_at);
      await audit(ctx.store, {
        actor: p.name,
        action: 'token.add',
        target: t.token_id,
        detail: { label: b.label, role: b.role, expires_at },
        remote: req.ip,
      });
      return reply.status(201).send({ ...row, token: t.token });
    },
  );

  app.delete(
    '/tokens/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API token (audited)',
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
        response: { 204: { type: 'null' }, ...errors(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const t = await getToken(ctx.store, id);
      if (!t) throw new ApiError('NOT_FOUND', `no token ${id}`);
      const { secret_hash, ...rest } = t;
      if (t.revoked_at === 0) await putToken(ctx.store, { ...rest, revoked_at: Date.now() }, secret_hash, Date.now());
      await audit(ctx.store, { actor: principalOf(req).name, action: 'token.revoke', target: id, remote: req.ip });
      return reply.status(204).send();
    },
  );

  app.get(
    '/audit',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'The audit log, newest first',
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 5000, default: 200 },
            before: { type: 'integer', minimum: 0 },
          },
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: OBJ } } },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      const q = req.query as { limit: number; before?: number };
      return { items: await auditLog(ctx.store, q.limit, q.before) };
    },
  );
}
