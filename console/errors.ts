// The API's one error shape: `{ error: { code, message, field? } }` with the HTTP status that
// goes with the code. Handlers throw ApiError; validation, parsing and store failures are
// turned into it in server.ts, so a client branches on `code`, never on the text.

import { PortholeError } from '../common/errors.js';

export const API_STATUS = {
  INVALID_INPUT: 400,
  AUTH_REQUIRED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  LOCKED: 423,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;
export type ApiCode = keyof typeof API_STATUS;

export class ApiError extends PortholeError<ApiCode> {
  readonly status: number;
  readonly field: string | undefined;

  constructor(code: ApiCode, message: string, opts: { field?: string; cause?: unknown } = {}) {
    super(code, message, { retriable: code === 'UNAVAILABLE' || code === 'RATE_LIMITED', cause: opts.cause });
    this.name = 'ApiError';
    this.status = API_STATUS[code];
    this.field = opts.field;
  }
}

export const invalid = (field: string, message: string): ApiError =>
  new ApiError('INVALID_INPUT', `${field}: ${message}`, { field });

/** The JSON body of an error response. */
export function errorBody(e: ApiError): { error: { code: ApiCode; message: string; field?: string } } {
  return { error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } };
}

/** Schema of the error body, for every route's documented error responses. */
export const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;
