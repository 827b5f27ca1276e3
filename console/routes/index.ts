// Every API route, by area. Each module registers its routes with the role they need.

import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth.js';
import type { ConsoleContext } from '../context.js';
import { adminRoutes } from './admin.js';
import { alertRoutes } from './alerts.js';
import { eventRoutes } from './events.js';
import { inventoryRoutes } from './inventory.js';
import { oidcRoutes } from './oidc.js';
import { sessionRoutes } from './session.js';

export function registerRoutes(app: FastifyInstance, ctx: ConsoleContext, auth: Authenticator): void {
  sessionRoutes(app, ctx, auth);
  oidcRoutes(app, ctx, auth);
  inventoryRoutes(app, ctx);
  alertRoutes(app, ctx);
  adminRoutes(app, ctx, auth);
  eventRoutes(app, ctx);
}
