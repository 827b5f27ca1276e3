// Verifications: the stored ones, newest first (analyzer/store/queries.ts), and a request to
// verify one endpoint now (analyst, audited), published to the verifier like `porthole verify`
// does. An address outside verify.allowedNetworks is refused here, before anything is
// published (the verifier would refuse it too); its answer shows in this list under the
// request id once a verifier has read it.

import type { FastifyInstance } from 'fastify';
import { inAny } from '../../analyzer/policy.js';
import { recentVerifications } from '../../analyzer/store/queries.js';
import { VERIFY_STATUSES } from '../../analyzer/verify/results.js';
import { canonicalIp } from '../../schemas/ip.js';
import { audit } from '../accounts.js';
import { principalOf } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { ApiError, invalid } from '../errors.js';
import { errors } from './schemas.js';

const VERIFICATION = {
  type: 'object',
  properties: {
    ip: { type: 'string' },
    proto: { type: 'string' },
    port: { type: 'integer' },
    ts: { type: 'integer', description: 'ms: when requested (pending, refused) or finished' },
    status: { type: 'string', enum: [...VERIFY_STATUSES] },
    service: { type: 'string' },
    product: { type: 'string' },
    version: { type: 'string' },
    extrainfo: { type: 'string' },
    cpe: { type: 'string' },
    reason: { type: 'string' },
    request: { type: 'string', description: "the id of the request it takes or refuses ('' otherwise)" },
  },
  required: ['ip', 'proto', 'port', 'ts', 'status', 'request'],
} as const;

function ipOf(text: string): string {
  const ip = canonicalIp(text);
  if (!ip) throw invalid('ip', `not an IP address: ${JSON.stringify(text)}`);
  return ip;
}

export function verificationRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get(
    '/verifications',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['verifications'],
        summary: 'Verifications, newest first',
        querystring: {
          type: 'object',
          properties: {
            ip: { type: 'string', maxLength: 64 },
            status: { type: 'string', enum: [...VERIFY_STATUSES] },
            limit: { type: 'integer', minimum: 1, maximum: 5000, default: 100 },
          },
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: VERIFICATION } }, required: ['items'] },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      const q = req.query as { ip?: string; status?: string; limit: number };
      const ip = q.ip === undefined ? undefined : ipOf(q.ip);
      return { items: await recentVerifications(ctx.store, { ip, status: q.status, limit: q.limit }) };
    },
  );

  app.post(
    '/verifications',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['verifications'],
        summary:
          'Ask the verifier to verify one TCP endpoint now (inside verify.allowedNetworks only; audited). 503 when Kafka is unavailable',
        body: {
          type: 'object',
          properties: {
            ip: { type: 'string', minLength: 1, maxLength: 64 },
            port: { type: 'integer', minimum: 1, maximum: 65535 },
          },
          required: ['ip', 'port'],
          additionalProperties: false,
        },
        response: {
          202: {
            type: 'object',
            properties: { request_id: { type: 'string', description: 'the `request` of the rows that answer it' } },
            required: ['request_id'],
          },
          ...errors(400, 401, 403, 503),
        },
      },
    },
    async (req, reply) => {
      const b = req.body as { ip: string; port: number };
      const ip = ipOf(b.ip);
      if (!inAny(ip, ctx.analyzer.verify.allowed))
        throw new ApiError('INVALID_INPUT', `ip: ${ip} is outside verify.allowedNetworks: nothing requested`, {
          field: 'ip',
        });
      if (!ctx.requestVerification)
        throw new ApiError('UNAVAILABLE', 'this console does not reach Kafka: nothing requested');
      const actor = principalOf(req).name;
      const request_id = await ctx.requestVerification(ip, b.port, actor);
      await audit(ctx.store, {
        actor,
        action: 'verification.request',
        target: ip.includes(':') ? `[${ip}]:${b.port}` : `${ip}:${b.port}`,
        detail: { request_id },
        remote: req.ip,
      });
      return reply.status(202).send({ request_id });
    },
  );
}
