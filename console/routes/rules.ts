// Detection policy as the analyzer applies it: the expected services in force (the config
// file's and those stored with `porthole expect` or here), the home networks, the high-risk
// ports and where the learning period stands; and adding or removing a stored expected service
// (admin, audited) through analyzer/expected.ts, the code `porthole expect` runs. A running
// analyzer picks a change up within policy.rulesRefresh.

import type { FastifyInstance } from 'fastify';
import { addRule, removeRule, type RuleView, rulesInForce, storedRuleView } from '../../analyzer/expected.js';
import { parseRule, type Rule } from '../../analyzer/expected-rules.js';
import { learningState } from '../../analyzer/learning.js';
import { canonicalIp } from '../../schemas/ip.js';
import { audit } from '../accounts.js';
import { principalOf } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { invalid } from '../errors.js';
import { errors, NOTE } from './schemas.js';

const RULE = {
  type: 'object',
  properties: {
    rule_id: { type: 'string', description: 'network:port, canonical' },
    net: { type: 'string' },
    port: { type: 'integer' },
    source: { type: 'string', enum: ['config', 'stored'], description: 'policy.expected, or stored (porthole expect)' },
    actor: { type: 'string', description: "who added it ('' for the config file's)" },
    note: { type: 'string' },
    version: { type: 'integer', description: 'ms of the change that put it in force (0 for the config file)' },
  },
  required: ['rule_id', 'net', 'port', 'source', 'actor', 'note', 'version'],
} as const;

const NULLABLE_MS = { type: 'integer', nullable: true } as const;

const RULES = {
  type: 'object',
  properties: {
    expected: { type: 'array', items: RULE },
    home_networks: { type: 'array', items: { type: 'string' } },
    high_risk_ports: { type: 'array', items: { type: 'integer' } },
    learning: {
      type: 'object',
      properties: {
        period_ms: { type: 'integer' },
        first_start: { ...NULLABLE_MS, description: "ms: the analyzer's first start on this database" },
        until: { ...NULLABLE_MS, description: 'ms: first_start + period_ms' },
        active: { type: 'boolean', description: 'no alerts yet: the baseline is being built' },
      },
      required: ['period_ms', 'first_start', 'until', 'active'],
    },
  },
  required: ['expected', 'home_networks', 'high_risk_ports', 'learning'],
} as const;

/** A network (CIDR, or one address) and a port as a rule; INVALID_INPUT naming `net` otherwise. */
function ruleOf(net: string, port: number): Rule {
  const bare = net.includes('/') ? null : canonicalIp(net);
  const text = bare ? `${bare}/${bare.includes(':') ? 128 : 32}` : net;
  const r = parseRule(`${text}:${port}`);
  if ('error' in r) throw invalid('net', `a CIDR or an address, got ${JSON.stringify(net)}`);
  return r;
}

export function ruleRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get(
    '/rules',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['rules'],
        summary: 'Expected services in force, home networks, high-risk ports, the learning period',
        response: { 200: RULES, ...errors(401, 403) },
      },
    },
    async () => {
      const p = ctx.analyzer.policy;
      const [expected, learning] = await Promise.all([
        rulesInForce(ctx.store, p.expected),
        learningState(ctx.store, p.learningPeriodMs),
      ]);
      return {
        expected,
        home_networks: p.homeNetworks.map((n) => n.text),
        high_risk_ports: [...p.highRiskPorts].sort((a, b) => a - b),
        learning,
      };
    },
  );

  app.post(
    '/rules/expected',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['rules'],
        summary: 'Add an expected service (no alert for it); refused when it overlaps a stored rule (audited)',
        body: {
          type: 'object',
          properties: {
            net: { type: 'string', minLength: 1, maxLength: 64, description: 'a CIDR or one address' },
            port: { type: 'integer', minimum: 1, maximum: 65535 },
            note: NOTE,
          },
          required: ['net', 'port', 'note'],
          additionalProperties: false,
        },
        response: { 201: RULE, ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const b = req.body as { net: string; port: number; note: string };
      const rule = ruleOf(b.net, b.port);
      const actor = principalOf(req).name;
      const row = await addRule(ctx.store, rule, actor, b.note);
      await audit(ctx.store, { actor, action: 'rule.add', target: rule.id, detail: { note: b.note }, remote: req.ip });
      return reply.status(201).send(storedRuleView(row) satisfies RuleView);
    },
  );

  app.post(
    '/rules/expected/remove',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['rules'],
        summary: 'Remove a stored expected service; the response is the change that removed it (audited)',
        body: {
          type: 'object',
          properties: {
            rule: { type: 'string', minLength: 1, maxLength: 100, description: 'its rule_id (network:port)' },
            note: NOTE,
          },
          required: ['rule', 'note'],
          additionalProperties: false,
        },
        response: { 200: RULE, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const b = req.body as { rule: string; note: string };
      const rule = parseRule(b.rule);
      if ('error' in rule) throw invalid('rule', rule.error);
      const actor = principalOf(req).name;
      const row = await removeRule(ctx.store, rule, actor, b.note);
      await audit(ctx.store, {
        actor,
        action: 'rule.remove',
        target: rule.id,
        detail: { note: b.note },
        remote: req.ip,
      });
      return storedRuleView(row);
    },
  );
}
