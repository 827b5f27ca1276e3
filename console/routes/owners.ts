// GET /api/v1/owners: who owns what (owners.rules, most specific first, as the analyzer applies
// them) and where each team's alerts go — how many webhooks and Slack URLs, never the URLs
// (their paths are secrets).

import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../context.js';
import { errors } from './schemas.js';

const OWNERS = {
  type: 'object',
  properties: {
    rules: {
      type: 'array',
      description: 'owners.rules, most specific first (the first that matches names the team)',
      items: {
        type: 'object',
        properties: {
          team: { type: 'string' },
          net: { type: 'string' },
          port: { type: 'integer', nullable: true, description: 'null: every port' },
        },
        required: ['team', 'net', 'port'],
      },
    },
    teams: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          team: { type: 'string' },
          webhooks: { type: 'integer', description: 'owners.webhooks of the team' },
          slack_webhooks: { type: 'integer', description: 'owners.slackWebhooks of the team' },
        },
        required: ['team', 'webhooks', 'slack_webhooks'],
      },
    },
  },
  required: ['rules', 'teams'],
} as const;

export function ownerRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get(
    '/owners',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['rules'],
        summary: "Owner rules, and how many webhooks each team's alerts go to",
        response: { 200: OWNERS, ...errors(401, 403) },
      },
    },
    async () => {
      const { policy, alerts } = ctx.analyzer;
      const count = (sinks: ReadonlyArray<{ team: string }>, team: string) =>
        sinks.filter((s) => s.team === team).length;
      const teams = [
        ...new Set([...policy.owners, ...alerts.ownerWebhooks, ...alerts.ownerSlackWebhooks].map((x) => x.team)),
      ].sort();
      return {
        rules: policy.owners.map((r) => ({ team: r.team, net: r.net.text, port: r.port })),
        teams: teams.map((team) => ({
          team,
          webhooks: count(alerts.ownerWebhooks, team),
          slack_webhooks: count(alerts.ownerSlackWebhooks, team),
        })),
      };
    },
  );
}
