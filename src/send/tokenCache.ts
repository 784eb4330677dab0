/**
 * The tenant_access_token, fetched once and shared by every request: concurrent callers wait on one fetch, the token
 * is renewed before it expires, and a token the server refused is renewed once, by whichever caller notices first.
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
  #current: { token: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;
  readonly #fetchToken: FetchToken;
  readonly #clock: Clock;

  constructor(fetchToken: FetchToken, clock: Clock) {
    this.#fetchToken = fetchToken;
    this.#clock = clock;
  }

  /** A token valid for a while yet. */
  get(): Promise<string> {
    if (this.#current && this.#clock.now() < this.#current.renewAt) return Promise.resolve(this.#current.token);
    this.#pending ??= this.#renew().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** The server refused `token`; the next get() fetches a new one unless someone already did. */
  refused(token: string): void {
    if (this.#current?.token === token) this.#current = undefined;
  }

  async #renew(): Promise<string> {
    const issued = await this.#fetchToken();
    if (!issued.token) throw new ConfigError('the token endpoint answered without a tenant_access_token');
    const lifetimeMs = issued.expire * 1000;
    // Renew with a fifth of the lifetime (at most five minutes) to spare, so no request carries a dying token.
    this.#current = { token: issued.token, renewAt: this.#clock.now() + lifetimeMs - Math.min(300_000, lifetimeMs / 5) };
    return issued.token;
  }
}
