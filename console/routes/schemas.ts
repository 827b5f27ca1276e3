// JSON schemas the routes share (request validation and the OpenAPI document).

import { ERROR_SCHEMA } from '../errors.js';

export const OBJ = { type: 'object', additionalProperties: true } as const;

/** The error responses a route documents, by status. */
export function errors(...statuses: number[]): Record<number, typeof ERROR_SCHEMA> {
  return Object.fromEntries(statuses.map((s) => [s, ERROR_SCHEMA]));
}

/** A page of rows and the cursor of the next one (null on the last page). */
export function page(item: object = OBJ) {
  return {
    type: 'object',
    properties: { items: { type: 'array', items: item }, next: { type: 'string', nullable: true } },
    required: ['items', 'next'],
  } as const;
}

export const NOTE = { type: 'string', minLength: 1, maxLength: 2000 } as const;
