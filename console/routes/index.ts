// Every API route, by area. Each module registers its routes with the role they need.

import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { adminRoutes } from './admin.js';
import { alertRoutes } from './alerts.js';
import { eventRoutes } from './events.js';
import { inventoryRoutes } from './inventory.js';
import { oidcRoutes } from './oidc.js';
import { overviewRoutes } from './overview.js';
import { ownerRoutes } from './owners.js';
import { ruleRoutes } from './rules.js';
import { sensorRoutes } from './sensors.js';
import { sessionRoutes } from './session.js';
import { sweepRoutes } from './sweeps.js';
import { verificationRoutes } from './verifications.js';

export function registerRoutes(app: FastifyInstance, ctx: ConsoleContext, auth: Authenticator): void {
  sessionRoutes(app, ctx, auth);
  oidcRoutes(app, ctx, auth);
  overviewRoutes(app, ctx);
  inventoryRoutes(app, ctx);
  alertRoutes(app, ctx);
  ruleRoutes(app, ctx);
  ownerRoutes(app, ctx);
  sensorRoutes(app, ctx);
  verificationRoutes(app, ctx);
  sweepRoutes(app, ctx);
  adminRoutes(app, ctx, auth);
  eventRoutes(app, ctx);
}
