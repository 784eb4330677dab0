/**
 * tenant_access_token issuing and checking, as the platform documents it: asking again while more than 30 minutes
 * remain returns the current token; otherwise a new one is issued, and older tokens stay valid until their own expiry.
 */
const reuseWhileMoreThanMs = 30 * 60 * 1000;

export interface IssuedToken {
  token: string;
  /** Seconds left, as the `expire` field reports it. */
  expireSeconds: number;
}

export type TokenState = 'valid' | 'unknown' | 'expired';

export class TokenIssuer {
  private readonly expiresAtByToken = new Map<string, number>();
  private readonly currentByApp = new Map<string, string>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly newToken: () => string,
  ) {}

  issue(appId: string, now: number): IssuedToken {
    const current = this.currentByApp.get(appId);
    const currentExpiresAt = current === undefined ? undefined : this.expiresAtByToken.get(current);
    if (current !== undefined && currentExpiresAt !== undefined && currentExpiresAt - now > reuseWhileMoreThanMs) {
      return { token: current, expireSeconds: Math.floor((currentExpiresAt - now) / 1000) };
    }
    const token = this.newToken();
    this.expiresAtByToken.set(token, now + this.ttlSeconds * 1000);
    this.currentByApp.set(appId, token);
    return { token, expireSeconds: this.ttlSeconds };
  }

  /** Forgets every token issued (as when the app secret is reset): each is then unknown, and asking gives a new one. */
  revokeAll(): void {
    this.expiresAtByToken.clear();
    this.currentByApp.clear();
  }

  check(token: string, now: number): TokenState {
    const expiresAt = this.expiresAtByToken.get(token);
    if (expiresAt === undefined) return 'unknown';
    return now < expiresAt ? 'valid' : 'expired';
  }
}
