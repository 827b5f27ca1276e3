// Single sign-on with OpenID Connect: authorization code with PKCE (S256), state and nonce.
// The provider's metadata is discovered at the first login, not at start-up (the console serves
// password logins while the provider is down); a failed discovery is retried at the next login.
// A login in progress is kept server-side: its state, nonce and PKCE verifier sit in a map keyed
// by the random state, for PENDING_MS, used once; the browser holds only the state, in an
// HttpOnly cookie that the callback's state must match, so a callback URL made in another
// browser (login CSRF) finds no login of its own. Like sessions, the map lives in this process:
// several consoles behind one name need sticky routing, and a restart cancels logins in progress.
// One login at a time per browser: a second one replaces the first's cookie. Tokens, codes and
// the client secret are never logged or put in an error message.

import * as oidc from 'openid-client';
import { ApiError } from './errors.js';
import type { OidcConfig } from './config.js';

/** How long a login may take at the provider. */
export const PENDING_MS = 10 * 60_000;
/** Logins in progress kept at most (the oldest is dropped): the login route needs no account. */
const MAX_PENDING = 10_000;
/** Seconds the provider has to answer each request (discovery, token). */
const PROVIDER_TIMEOUT_S = 10;

interface Pending {
  nonce: string;
  verifier: string;
  at: number;
}

/** The ID token claims of a completed login. */
export type IdClaims = Record<string, unknown>;

export class OidcLogin {
  private config: Promise<oidc.Configuration> | null = null;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly cfg: OidcConfig,
    /** where the provider sends the browser back: `${publicUrl}/api/v1/oidc/callback` */
    readonly redirectUri: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The provider's metadata and this client, discovered once (503 UNAVAILABLE while it cannot be). */
  private provider(): Promise<oidc.Configuration> {
    if (!this.config) {
      const secret = this.cfg.clientSecret;
      this.config = oidc
        .discovery(
          new URL(this.cfg.issuer),
          this.cfg.clientId,
          undefined,
          secret ? oidc.ClientSecretBasic(secret.reveal()) : oidc.None(),
          {
            timeout: PROVIDER_TIMEOUT_S,
            // config.ts allows plain http only for a loopback issuer
            execute: this.cfg.issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
          },
        )
        .catch((err: unknown) => {
          this.config = null;
          throw new ApiError(
            'UNAVAILABLE',
            `single sign-on is unavailable: the identity provider ${this.cfg.issuer} cannot be reached or gave no valid metadata (${reasonOf(err)})`,
          );
        });
    }
    return this.config;
  }

  /** A new login: the provider URL to send the browser to, and the state the browser keeps. */
  async start(): Promise<{ url: URL; state: string }> {
    const config = await this.provider();
    this.sweep();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const verifier = oidc.randomPKCECodeVerifier();
    this.pending.set(state, { nonce, verifier, at: this.now() });
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: this.cfg.scopes.join(' '),
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    return { url, state };
  }

  /**
   * Completes the login the browser's state names: checks the response (state, issuer), redeems
   * the code with the PKCE verifier, validates the ID token (signature, audience, nonce) and
   * returns its claims. The login is used up whatever the outcome.
   */
  async finish(query: string, browserState: string | undefined): Promise<IdClaims> {
    const p = browserState ? this.pending.get(browserState) : undefined;
    if (browserState) this.pending.delete(browserState);
    if (!browserState || !p || this.now() - p.at > PENDING_MS)
      throw new ApiError(
        'INVALID_INPUT',
        `no sign-in in progress in this browser (or it took over ${PENDING_MS / 60_000} minutes): start the sign-in again`,
      );
    const config = await this.provider();
    const current = new URL(this.redirectUri);
    current.search = query;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: p.verifier,
        expectedState: browserState,
        expectedNonce: p.nonce,
      });
      const claims = tokens.claims();
      if (!claims) throw new ApiError('INVALID_INPUT', 'the identity provider returned no ID token');
      return claims as IdClaims;
    } catch (err) {
      throw callbackError(err);
    }
  }

  private sweep(): void {
    const t = this.now();
    for (const [state, p] of this.pending) {
      if (t - p.at <= PENDING_MS) break; // insertion order is age order
      this.pending.delete(state);
    }
  }
}

/** A connection that failed or timed out (fetch's errors), as opposed to an answer that was wrong. */
function unreachable(err: unknown): boolean {
  if (err instanceof TypeError) return err.message === 'fetch failed';
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** A short reason for a failed request to the provider, never a token or the response body. */
function reasonOf(err: unknown): string {
  if (err instanceof oidc.ResponseBodyError) return `${err.status} ${err.error}`;
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (unreachable(err)) {
    if (cause && typeof cause.code === 'string') return cause.code;
    return (err as Error).name === 'TypeError' ? 'connection failed' : `no answer within ${PROVIDER_TIMEOUT_S} s`;
  }
  if (err instanceof oidc.ClientError && cause instanceof Error) return `${err.message}: ${cause.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** The API error for a failed callback: the provider refused, the response did not validate, or the provider is down. */
function callbackError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof oidc.AuthorizationResponseError)
    return new ApiError('FORBIDDEN', `the identity provider refused the sign-in (${err.error})`);
  if (err instanceof oidc.ResponseBodyError)
    return new ApiError(
      'INVALID_INPUT',
      `the identity provider refused the code (${err.error}): start the sign-in again`,
    );
  if (unreachable(err))
    return new ApiError('UNAVAILABLE', `the identity provider cannot be reached (${reasonOf(err)})`);
  return new ApiError('INVALID_INPUT', `the sign-in response did not validate (${reasonOf(err)})`);
}
