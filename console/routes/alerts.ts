// Alerts and their triage: list (the CLI's filters), one alert with its history, and the
// actions — acknowledge, resolve, assign, expect — through analyzer/alert/lifecycle.ts and
// analyzer/expected.ts (the same code as `porthole alerts` and `porthole expect`). Every action
// is recorded as the logged-in account and written to the audit log.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  ALERT_STATES,
  assignAlerts,
  changeAlerts,
  listAlerts,
  showAlert,
  type AlertFilter,
  type AlertState,
} from '../../analyzer/alert/lifecycle.js';
import { addRule } from '../../analyzer/expected.js';
import { parseRule } from '../../analyzer/expected-rules.js';
import { inCidr, parseCidr } from '../../analyzer/policy.js';
import { ALERT_KINDS } from '../../analyzer/rules.js';
import { audit } from '../accounts.js';
import { principalOf } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { ApiError, invalid } from '../errors.js';
import { sinceOf } from './inventory.js';
import { errors, NOTE, OBJ } from './schemas.js';

const QUERY = {
  type: 'object',
  properties: {
    since: {
      type: 'string',
      maxLength: 40,
      description: 'raised within this duration (24h) or since an ISO 8601 time',
    },
    state: { type: 'string', enum: [...ALERT_STATES] },
    severity: { type: 'string', enum: ['low', 'medium', 'high'] },
    kind: { type: 'string', enum: [...ALERT_KINDS] },
    net: { type: 'string', maxLength: 64 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 },
  },
  additionalProperties: false,
} as const;

const ID_PARAMS = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 300 } },
  required: ['id'],
} as const;

const noteBody = (extra: Record<string, object> = {}, required: string[] = []) =>
  ({
    type: 'object',
    properties: { note: NOTE, ...extra },
    required: ['note', ...required],
    additionalProperties: false,
  }) as const;

function remember(
  ctx: ConsoleContext,
  req: FastifyRequest,
  action: string,
  target: string,
  detail: Record<string, unknown>,
) {
  return audit(ctx.store, { actor: principalOf(req).name, action, target, detail, remote: req.ip });
}

export function alertRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get(
    '/alerts',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first, with their state and assignee',
        querystring: QUERY,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: OBJ } } },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      const q = req.query as Record<string, unknown> & { limit: number };
      const f: AlertFilter = { limit: q.limit };
      if (typeof q.since === 'string') f.sinceMs = sinceOf('since', q.since);
      if (typeof q.state === 'string') f.state = q.state as AlertState;
      if (typeof q.severity === 'string') f.severity = q.severity;
      if (typeof q.kind === 'string') f.kind = q.kind;
      if (typeof q.port === 'number') f.port = q.port;
      if (typeof q.net === 'string') {
        const c = parseCidr(q.net);
        if (!c) throw invalid('net', `not a CIDR: ${JSON.stringify(q.net)}`);
        f.net = c;
      }
      return { items: await listAlerts(ctx.store, f) };
    },
  );

  app.get(
    '/alerts/:id',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['alerts'],
        summary: 'One alert: its state, every lifecycle event and assignment',
        params: ID_PARAMS,
        response: { 200: OBJ, ...errors(401, 403, 404) },
      },
    },
    async (req) => showAlert(ctx.store, (req.params as { id: string }).id),
  );

  for (const [action, state] of [
    ['acknowledge', 'acknowledged'],
    ['resolve', 'resolved'],
  ] as const)
    app.post(
      `/alerts/:id/${action}`,
      {
        config: { role: 'analyst' },
        schema: {
          tags: ['alerts'],
          summary: `${action[0].toUpperCase()}${action.slice(1)} an alert (audited)`,
          params: ID_PARAMS,
          body: noteBody(),
          response: { 200: OBJ, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (req) => {
        const id = (req.params as { id: string }).id;
        const { note } = req.body as { note: string };
        await changeAlerts(ctx.store, [id], state, principalOf(req).name, note);
        await remember(ctx, req, `alert.${action}`, id, { note });
        return showAlert(ctx.store, id);
      },
    );

  app.post(
    '/alerts/:id/assign',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['alerts'],
        summary: 'Assign an alert to a team or a person (audited)',
        params: ID_PARAMS,
        body: noteBody({ assignee: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\r\\n]+$' } }, [
          'assignee',
        ]),
        response: { 200: OBJ, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      const { note, assignee } = req.body as { note: string; assignee: string };
      await assignAlerts(ctx.store, [id], assignee.trim(), principalOf(req).name, note);
      await remember(ctx, req, 'alert.assign', id, { assignee, note });
      return showAlert(ctx.store, id);
    },
  );

  app.post(
    '/alerts/:id/expect',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['alerts'],
        summary:
          "Mark the alert's service as expected (an expected-service rule for its address and port) and resolve it",
        params: ID_PARAMS,
        body: noteBody({
          net: { type: 'string', maxLength: 64, description: 'a wider network for the rule (default: the address)' },
        }),
        response: { 200: OBJ, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const id = (req.params as { id: string }).id;
      const { note, net } = req.body as { note: string; net?: string };
      const a = await showAlert(ctx.store, id);
      if (!a.ip || a.port === 0) throw new ApiError('CONFLICT', 'a host-level alert has no service to expect');
      const rule = parseRule(`${net ?? a.ip}:${a.port}`);
      if ('error' in rule) throw invalid('net', rule.error);
      if (!inCidr(a.ip, rule.net)) throw invalid('net', `${rule.net.text} does not contain ${a.ip}`);
      const actor = principalOf(req).name;
      await addRule(ctx.store, rule, actor, note);
      if (a.state !== 'resolved') await changeAlerts(ctx.store, [id], 'resolved', actor, `expected: ${note}`);
      await remember(ctx, req, 'alert.expect', id, { rule: rule.id, note });
      return showAlert(ctx.store, id);
    },
  );
}
