// GET /api/v1/overview: the figures of the console's first page — endpoints new in the last
// day, open alerts, endpoints by state and by audience, each sensor's health. The inventory's
// counts are what /services would list with the same filters (analyzer/inventory.ts
// inventorySummary); they merge every endpoint once, so they are shared by every request for
// COUNTS_MAX_AGE_MS (one count at a time, however many consoles' pages ask). Open alerts and
// sensors are read on every request.

import type { FastifyInstance } from 'fastify';
import { countAlerts } from '../../analyzer/alert/lifecycle.js';
import { type InventorySummary, inventorySummary, SHOWN_STATES } from '../../analyzer/inventory.js';
import { healthy, SENSOR_SILENCE_MS, sensors } from '../../analyzer/sensors.js';
import { DAY_MS } from '../../common/time.js';
import type { ConsoleContext } from '../context.js';
import { errors } from './schemas.js';

export const COUNTS_MAX_AGE_MS = 15_000;

const COUNT = { type: 'integer', minimum: 0 } as const;

const OVERVIEW = {
  type: 'object',
  properties: {
    new_24h: { ...COUNT, description: 'endpoints first seen in the last 24 hours (services?new_since=24h)' },
    open_alerts: { ...COUNT, description: 'alerts in state open (alerts?state=open)' },
    by_state: {
      type: 'object',
      properties: Object.fromEntries(SHOWN_STATES.map((s) => [s, COUNT])),
      required: [...SHOWN_STATES],
    },
    by_audience: {
      type: 'object',
      properties: {
        internet: { ...COUNT, description: 'reached by internet clients (services?audience=internet)' },
        internal_only: { ...COUNT, description: 'reached by internal clients only (services?audience=internal)' },
      },
      required: ['internet', 'internal_only'],
    },
    sensors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sensor: { type: 'string' },
          ts: { type: 'integer', description: 'ms: its latest status' },
          capture_state: { type: 'string', enum: ['capturing', 'waiting', 'lost'] },
          healthy: {
            type: 'boolean',
            description: `its latest status is at most ${SENSOR_SILENCE_MS / 1000} s old, every interface captures, Kafka reached`,
          },
        },
        required: ['sensor', 'ts', 'capture_state', 'healthy'],
      },
    },
  },
  required: ['new_24h', 'open_alerts', 'by_state', 'by_audience', 'sensors'],
} as const;

export function overviewRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  let counted: { at: number; summary: Promise<InventorySummary> } | null = null;
  const summary = (now: number): Promise<InventorySummary> => {
    if (counted && now - counted.at < COUNTS_MAX_AGE_MS) return counted.summary;
    const next = { at: now, summary: inventorySummary(ctx.store, now - DAY_MS) };
    counted = next;
    next.summary.catch(() => {
      if (counted === next) counted = null; // a failure is not kept
    });
    return next.summary;
  };

  app.get(
    '/overview',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['inventory'],
        summary: `Counts for a dashboard: new endpoints, open alerts, endpoints by state and audience (at most ${COUNTS_MAX_AGE_MS / 1000} s old), sensor health`,
        response: { 200: OVERVIEW, ...errors(401, 403) },
      },
    },
    async () => {
      const now = Date.now();
      const [c, open, latest] = await Promise.all([
        summary(now),
        countAlerts(ctx.store, { state: 'open' }),
        sensors(ctx.store),
      ]);
      return {
        new_24h: c.new_since,
        open_alerts: open,
        by_state: c.by_state,
        by_audience: { internet: c.internet, internal_only: c.internal_only },
        sensors: latest.map((s) => ({
          sensor: s.sensor,
          ts: s.ts,
          capture_state: s.capture_state,
          healthy: healthy(s, now),
        })),
      };
    },
  );
}
