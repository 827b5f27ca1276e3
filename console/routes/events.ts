// GET /api/v1/events: Server-Sent Events of new alerts and alert state changes (events.ts).
// A client that reconnects with Last-Event-ID gets what it missed first (ids are stable; it
// drops ids it has). A comment line every HEARTBEAT_MS keeps proxies from closing an idle stream.

import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../context.js';
import { eventsSince, idTime, type LiveEvent, LOOKBACK_MS } from '../events.js';
import { invalid } from '../errors.js';
import { errors } from './schemas.js';

const HEARTBEAT_MS = 15_000;

const frame = (e: LiveEvent): string => `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;

export function eventRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get(
    '/events',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['events'],
        summary: 'Live events (text/event-stream): `alert` (new) and `alert_state` (acknowledged, resolved)',
        headers: { type: 'object', properties: { 'last-event-id': { type: 'string', maxLength: 400 } } },
        response: { 200: { type: 'string', description: 'text/event-stream' }, ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const last = req.headers['last-event-id'] as string | undefined;
      const lastTs = last === undefined ? null : idTime(last);
      if (last !== undefined && lastTs === null) throw invalid('last-event-id', 'not an event id of this API');
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 2000\n\n');
      const sent = new Set<string>();
      const send = (e: LiveEvent) => {
        if (sent.has(e.id) || e.id === last) return;
        sent.add(e.id);
        if (sent.size > 20_000) sent.delete(sent.values().next().value as string);
        raw.write(frame(e));
      };
      // subscribe first, then replay: an event between the two is sent once (the set drops repeats)
      const queued: LiveEvent[] = [];
      let replaying = lastTs !== null;
      const unsubscribe = ctx.events.subscribe((e) => (replaying ? queued.push(e) : send(e)));
      const beat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      req.raw.on('close', () => {
        clearInterval(beat);
        unsubscribe();
      });
      if (lastTs !== null) {
        try {
          for (const e of await eventsSince(ctx.store, lastTs - LOOKBACK_MS)) send(e);
        } catch (err) {
          req.log.warn({ err: (err as Error).message }, 'event replay failed');
        }
        replaying = false;
        for (const e of queued.splice(0)) send(e);
      }
    },
  );
}
