// The console's HTTP server: the JSON API under /api/v1 and the web UI, on one port. Wiring only:
// security headers, cookies, the route-role check (auth.ts), the one error shape (errors.ts), the
// OpenAPI document generated from the route schemas, static UI assets shipped in the package.
// Every API route must declare its role; a route without one stops start-up.

import { join } from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { PortholeError } from '../common/errors.js';
import { PACKAGE_ROOT, portholeVersion } from '../common/version.js';
import type { Authenticator, RouteRole } from './auth.js';
import { ApiError, errorBody } from './errors.js';
import type { ConsoleContext } from './context.js';
import { registerRoutes } from './routes/index.js';

/** The largest request body accepted (JSON triage actions, logins). */
export const BODY_LIMIT = 64 * 1024;
export const UI_DIR = join(PACKAGE_ROOT, 'console', 'ui');
const UPLOT_DIR = join(PACKAGE_ROOT, 'node_modules', 'uplot', 'dist');

/** Every API route and the role it needs (filled as routes are added; tests walk it). */
export interface RouteInfo {
  method: string;
  url: string;
  role: RouteRole;
}

declare module 'fastify' {
  interface FastifyInstance {
    apiRoutes: RouteInfo[];
  }
}

export interface ServerOptions {
  log: Logger | false;
  https?: { cert: string; key: string } | null;
  /** adds hooks before the routes (metrics) */
  instrument?: (app: FastifyInstance) => void;
}

function toApiError(err: FastifyError | Error): ApiError {
  if (err instanceof ApiError) return err;
  const fe = err as FastifyError & { validation?: Array<{ instancePath?: string; params?: Record<string, unknown> }> };
  if (fe.validation) {
    const v = fe.validation[0];
    // the field at fault: a missing or unknown property by its name, another by its path
    const named = v?.params?.missingProperty ?? v?.params?.additionalProperty;
    const field =
      (typeof named === 'string' ? named : v?.instancePath?.replace(/^\//, '').replaceAll('/', '.')) ||
      (fe.validationContext ?? 'request');
    return new ApiError('INVALID_INPUT', fe.message, { field });
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new ApiError('TOO_LARGE', `request body over ${BODY_LIMIT} bytes`);
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new ApiError('INVALID_INPUT', 'send application/json', { field: 'content-type' });
  if (
    fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    fe instanceof SyntaxError
  )
    return new ApiError('INVALID_INPUT', 'the body is not valid JSON', { field: 'body' });
  if (fe.statusCode === 429) return new ApiError('RATE_LIMITED', 'too many requests: wait and retry');
  if (err instanceof PortholeError) {
    if (err.code === 'NOT_FOUND') return new ApiError('NOT_FOUND', err.message, { cause: err });
    if (err.code === 'CONFLICT') return new ApiError('CONFLICT', err.message, { cause: err });
    if (err.retriable) return new ApiError('UNAVAILABLE', 'the store is unavailable; retry shortly', { cause: err });
  }
  return new ApiError('INTERNAL', 'internal error (logged)', { cause: err });
}

export async function buildServer(
  ctx: ConsoleContext,
  auth: Authenticator,
  o: ServerOptions,
): Promise<FastifyInstance> {
  const app = Fastify({
    ...(o.log === false ? { logger: false } : { loggerInstance: o.log.child({ part: 'http' }) }),
    bodyLimit: BODY_LIMIT,
    https: o.https ?? null,
    // one line per request is the access log's job (a proxy's), not the console's
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  } as never) as unknown as FastifyInstance;
  app.decorate('apiRoutes', [] as RouteInfo[]);
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (r) => {
    if (!r.url.startsWith('/api/')) return;
    const role = (r.config as { role?: RouteRole } | undefined)?.role;
    if (role === undefined) throw new Error(`route ${r.method} ${r.url} declares no role`);
    for (const m of [r.method].flat()) if (m !== 'HEAD') app.apiRoutes.push({ method: m, url: r.url, role });
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: o.https ? [] : null,
      },
    },
    strictTransportSecurity: o.https ? undefined : false,
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Porthole API',
        version: portholeVersion(),
        description:
          'The service inventory, alerts and their triage, rules, sensors and verifications. Authenticate with a session cookie (browser, with X-CSRF-Token on changes) or `Authorization: Bearer <token>`.',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'porthole_session' },
        },
      },
    },
    hideUntagged: true,
  });

  o.instrument?.(app);
  app.addHook('onRequest', (req, reply) => auth.check(req, reply));
  app.setErrorHandler((err: Error, req, reply) => {
    const e = toApiError(err);
    if (e.status >= 500)
      req.log.error({ err: err.message, code: (err as { code?: string }).code, url: req.url }, 'request failed');
    if (reply.sent) return;
    void reply.status(e.status).send(errorBody(e));
  });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/')) {
      void reply
        .status(404)
        .send(errorBody(new ApiError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));
      return;
    }
    void reply.sendFile('index.html', UI_DIR);
  });

  await app.register(fastifyStatic, { root: UI_DIR, prefix: '/', index: ['index.html'], cacheControl: false });
  await app.register(fastifyStatic, { root: UPLOT_DIR, prefix: '/vendor/uplot/', decorateReply: false });
  await app.register(
    (api, _opts, done) => {
      registerRoutes(api, ctx, auth);
      done();
    },
    { prefix: '/api/v1' },
  );
  app.get('/api/v1/openapi.json', { config: { role: 'public' }, schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
