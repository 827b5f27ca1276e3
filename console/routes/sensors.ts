// The sensors' health, as the analyzer stores their status messages (analyzer/sensors.ts): each
// sensor's latest status with the whole message, and one sensor's counters over time (at most
// HISTORY_POINTS points, bucketed in ClickHouse). Counters are cumulative since the sensor
// started: a rate is the difference of two points (a drop means the sensor restarted).

import type { FastifyInstance } from 'fastify';
import { HISTORY_POINTS, healthy, history, sensors } from '../../analyzer/sensors.js';
import type { ConsoleContext } from '../context.js';
import { sinceOf } from './inventory.js';
import { errors, OBJ } from './schemas.js';

const COUNTERS = {
  packets: { type: 'integer' },
  decoded: { type: 'integer' },
  failures: { type: 'integer', description: 'decode failures, every reason' },
  handshakes: { type: 'integer' },
  kernel_drops: { type: 'integer', description: '0 when unknown (a capture file)' },
  dropped_before_kafka: { type: 'integer' },
} as const;

const LATEST = {
  type: 'object',
  properties: {
    sensor: { type: 'string' },
    ts: { type: 'integer', description: 'ms: when it sent its latest status' },
    source: { type: 'string' },
    ...COUNTERS,
    last_packet_ms: { type: 'integer', nullable: true, description: 'null: no packet yet' },
    capture_state: { type: 'string', enum: ['capturing', 'waiting', 'lost'] },
    healthy: { type: 'boolean', description: 'reported lately, capturing, and Kafka reached (as on the overview)' },
    status: { ...OBJ, description: 'the whole status message (schemas/status.ts SensorStatus)' },
  },
  required: [
    'sensor',
    'ts',
    'source',
    ...Object.keys(COUNTERS),
    'last_packet_ms',
    'capture_state',
    'healthy',
    'status',
  ],
} as const;

const POINT = {
  type: 'object',
  properties: { ts: { type: 'integer' }, ...COUNTERS },
  required: ['ts', ...Object.keys(COUNTERS)],
} as const;

export function sensorRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get(
    '/sensors',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['sensors'],
        summary: "Each sensor's latest status, by sensor id",
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: LATEST } }, required: ['items'] },
          ...errors(401, 403),
        },
      },
    },
    async () => {
      const now = Date.now();
      return { items: (await sensors(ctx.store)).map((s) => ({ ...s, healthy: healthy(s, now) })) };
    },
  );

  app.get(
    '/sensors/:id/history',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['sensors'],
        summary: `One sensor's counters over time, oldest first (at most ${HISTORY_POINTS} points: each the last status of its time bucket)`,
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1, maxLength: 256 } },
          required: ['id'],
        },
        querystring: {
          type: 'object',
          properties: {
            since: {
              type: 'string',
              maxLength: 40,
              default: '24h',
              description: 'a duration back from now (24h) or an ISO 8601 time',
            },
          },
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: POINT } }, required: ['items'] },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const { since } = req.query as { since: string };
      return { items: await history(ctx.store, id, sinceOf('since', since)) };
    },
  );
}
