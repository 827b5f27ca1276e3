// The service inventory and one host, read through analyzer/inventory.ts (the module the CLI's
// `services` and `host` use: one way to query). Filters as the CLI's, plus owner and audience;
// cursor pagination; CSV and JSON-lines exports stream every matching row a page at a time.
// The owner filter is applied to rows read (owners are rules of the config, not stored): a
// page may then hold fewer rows than asked, with `next` to go on.

import type { FastifyInstance } from 'fastify';
import { SERVICE_CSV } from '../../analyzer/inventory-csv.js';
import {
  forEachService,
  host,
  type InventoryRow,
  parseCursor,
  SHOWN_STATES,
  type ServicesFilter,
  services,
} from '../../analyzer/inventory.js';
import { parseCidr } from '../../analyzer/policy.js';
import { csvHeader, csvRows } from '../../common/csv.js';
import { parseDuration } from '../../common/time.js';
import { canonicalIp } from '../../schemas/ip.js';
import type { ConsoleContext } from '../context.js';
import { ApiError, invalid } from '../errors.js';
import { errors, OBJ, page } from './schemas.js';

export const MAX_PAGE = 5_000;
/** Rows read at most for one owner-filtered page before it is returned short. */
const OWNER_SCAN = 50_000;

const QUERY = {
  type: 'object',
  properties: {
    net: { type: 'string', maxLength: 64, description: 'CIDR' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    state: { type: 'string', maxLength: 200, description: `comma-separated: ${SHOWN_STATES.join(', ')}` },
    new_since: { type: 'string', maxLength: 40, description: 'a duration back from now (24h) or an ISO 8601 time' },
    owner: { type: 'string', maxLength: 64, description: 'the team owning the address (owners.rules); "-" for none' },
    audience: {
      type: 'string',
      enum: ['internet', 'internal'],
      description: 'reached by internet clients, or only by internal ones',
    },
    after: { type: 'string', maxLength: 64, description: 'the `next` cursor of the previous page' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 100 },
    format: {
      type: 'string',
      enum: ['json', 'csv', 'jsonl'],
      default: 'json',
      description: 'csv and jsonl: every matching row, streamed',
    },
  },
  additionalProperties: false,
} as const;

interface Query {
  net?: string;
  port?: number;
  state?: string;
  new_since?: string;
  owner?: string;
  audience?: 'internet' | 'internal';
  after?: string;
  limit: number;
  format: 'json' | 'csv' | 'jsonl';
}

/** A time back from now ("24h") or an ISO 8601 time, as ms since the epoch. */
export function sinceOf(field: string, text: string, now = Date.now()): number {
  const d = parseDuration(text);
  if ('ms' in d) return now - d.ms;
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (Number.isFinite(t)) return t;
  }
  throw invalid(field, `a duration (24h, 7d) or an ISO 8601 time, got ${JSON.stringify(text)}`);
}

function filterOf(q: Query): ServicesFilter {
  const f: ServicesFilter = {};
  if (q.net !== undefined) {
    const c = parseCidr(q.net);
    if (!c) throw invalid('net', `not a CIDR: ${JSON.stringify(q.net)}`);
    f.net = c;
  }
  if (q.port !== undefined) f.port = q.port;
  if (q.state !== undefined) {
    f.states = q.state.split(',').map((s) => s.trim());
    const bad = f.states.find((s) => !(SHOWN_STATES as readonly string[]).includes(s));
    if (bad !== undefined)
      throw invalid('state', `unknown state ${JSON.stringify(bad)} (one of ${SHOWN_STATES.join(', ')})`);
  }
  if (q.new_since !== undefined) f.newSince = sinceOf('new_since', q.new_since);
  if (q.audience === 'internet') f.internet = true;
  if (q.after !== undefined) {
    if (!parseCursor(q.after)) throw invalid('after', 'not a cursor of this API');
    f.after = q.after;
  }
  return f;
}

function keep(q: Query): (r: InventoryRow) => boolean {
  const owner = q.owner === undefined ? null : q.owner === '-' ? '' : q.owner;
  return (r) => (owner === null || r.owner === owner) && (q.audience !== 'internal' || !r.internet_exposed);
}

export function inventoryRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get(
    '/services',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['inventory'],
        summary: 'The service inventory: one row per endpoint, ordered by address, port, protocol',
        querystring: QUERY,
        response: { 200: page(), ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const q = req.query as Query;
      const f = filterOf(q);
      const rc = await ctx.readContext();
      const wanted = keep(q);
      if (q.format !== 'json') {
        const csv = q.format === 'csv';
        reply.header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
        reply.header('content-disposition', `attachment; filename="porthole-services.${csv ? 'csv' : 'jsonl'}"`);
        const raw = reply.raw;
        reply.hijack();
        raw.writeHead(200, reply.getHeaders() as never);
        if (csv) raw.write(csvHeader(SERVICE_CSV));
        try {
          await forEachService(
            ctx.store,
            f,
            async (rows) => {
              const kept = rows.filter(wanted);
              const text = csv ? csvRows(kept, SERVICE_CSV) : kept.map((r) => `${JSON.stringify(r)}\n`).join('');
              if (!raw.write(text)) await new Promise((r) => raw.once('drain', r));
            },
            20_000,
            rc,
          );
        } catch (err) {
          req.log.error({ err: (err as Error).message }, 'export cut short');
          raw.destroy(); // a truncated export must not look complete
          return;
        }
        raw.end();
        return;
      }
      const items: InventoryRow[] = [];
      let scanned = 0;
      let last: InventoryRow | undefined;
      for (;;) {
        const rows = await services(ctx.store, f, q.limit, rc);
        scanned += rows.length;
        for (const r of rows) {
          last = r;
          if (wanted(r)) items.push(r);
          if (items.length === q.limit) break;
        }
        const done = rows.length < q.limit;
        if (items.length === q.limit || done || scanned >= OWNER_SCAN) {
          const more = items.length === q.limit ? true : !done;
          return { items, next: more && last ? last.cursor : null };
        }
        f.after = last!.cursor;
      }
    },
  );

  app.get(
    '/hosts/:ip',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['inventory'],
        summary: 'One host: its endpoints, exposure intervals, daily history, verifications, alerts',
        params: { type: 'object', properties: { ip: { type: 'string', maxLength: 64 } }, required: ['ip'] },
        response: { 200: OBJ, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const raw = (req.params as { ip: string }).ip;
      const ip = canonicalIp(raw);
      if (!ip) throw invalid('ip', `not an IP address: ${JSON.stringify(raw)}`);
      const v = await host(ctx.store, ip, Date.now(), await ctx.readContext());
      if (!v.services.length && !v.intervals.length && !v.alerts.length && !v.verifications.length)
        throw new ApiError('NOT_FOUND', `${ip} is not in the inventory`);
      return v;
    },
  );
}
