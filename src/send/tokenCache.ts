/**
 * The tenant_access_token, fetched once and shared by every request: concurrent callers wait on one fetch; a token
 * due for renewal is renewed in the background while callers go on using it (it stays valid until its own expiry),
 * so a renewal never holds requests back and then lets them out in a burst; a token the server refused is renewed
 * once, by whichever caller notices first.
 */
import type { Clock } from '../clock.js';
import { ConfigError } from '../errors.js';

export interface IssuedToken {
  token: string;
  /** Lifetime in seconds, as the token endpoint said. */
  expire: number;
}

/** Asks the token endpoint; throws ConfigError when the credentials are refused. */
export type FetchToken = () => Promise<IssuedToken>;

export class TokenCache {
  /** Tokens fetched after the first one. */
  renewals = 0;
  #current: { token: string; renewAt: number; expiresAt: number } | undefined;
  #pending: Promise<string> | undefined;
  #fetched = 0;
  readonly #fetchToken: FetchToken;
  readonly #clock: Clock;

  constructor(fetchToken: FetchToken, clock: Clock) {
    this.#fetchToken = fetchToken;
    this.#clock = clock;
  }

  /** A valid token: the current one while it lasts (renewing it in the background once due), else a new one. */
  get(): Promise<string> {
    const now = this.#clock.now();
    const current = this.#current;
    if (current && now < current.renewAt) return Promise.resolve(current.token);
    const renewal = this.#renew();
    if (current && now < current.expiresAt) {
      renewal.catch(() => undefined); // a failed background renewal is retried by the next get()
      return Promise.resolve(current.token);
    }
    return renewal;
  }

  /** The server refused `token`; the next get() fetches a new one unless someone already did. */
  refused(token: string): void {
    if (this.#current?.token === token) this.#current = undefined;
  }

  #renew(): Promise<string> {
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #fetch(): Promise<string> {
    const issued = await this.#fetchToken();
    if (!issued.token) throw new ConfigError('the token endpoint answered without a tenant_access_token');
    if (this.#fetched++ > 0) this.renewals++;
    const now = this.#clock.now();
    const lifetimeMs = issued.expire * 1000;
    // Renew with a fifth of the lifetime (at most five minutes) to spare, so no request carries a dying token.
    this.#current = { token: issued.token, renewAt: now + lifetimeMs - Math.min(300_000, lifetimeMs / 5), expiresAt: now + lifetimeMs };
    return issued.token;
  }
}
