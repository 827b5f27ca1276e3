// The sweeps of porthole sweeper (analyzer/sweep/report.ts, as `porthole sweeps` shows them):
// the newest with their progress, and one with what it found, each endpoint by method
// (dormant, both, passive_only). Read-only.

import type { FastifyInstance } from 'fastify';
import { AnalyzerError } from '../../analyzer/errors.js';
import { listSweeps, showSweep } from '../../analyzer/sweep/report.js';
import type { ConsoleContext } from '../context.js';
import { errors, OBJ } from './schemas.js';

export function sweepRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get(
    '/sweeps',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['sweeps'],
        summary: 'The newest sweeps, newest first: blocks done of total, hosts up, open ports, rate, finish',
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 20 } },
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: OBJ } }, required: ['items'] },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => ({ items: await listSweeps(ctx.store, (req.query as { limit: number }).limit) }),
  );

  app.get(
    '/sweeps/:id',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['sweeps'],
        summary: "One sweep's progress and its endpoints by method (dormant, both, passive_only)",
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
          required: ['id'],
        },
        response: { 200: OBJ, ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const shown = await showSweep(ctx.store, id);
      if (!shown) throw new AnalyzerError('NOT_FOUND', `no sweep ${id}`);
      return shown;
    },
  );
}
