/**
 * Masks secrets in text that came from outside (a server's msg, a network error's message) before anything prints
 * or logs it: the app secret and every token this run was given, wherever they appear, and whatever looks like a
 * token (`Bearer ...`, a tenant token `t-...`) even if this run never saw it.
 */

const mask = '***';
/** `Bearer` and what follows it up to a space, a quote or a separator. */
const bearer = /\bBearer\s+[^\s"',;]+/gi;
/** Feishu tenant access tokens: `t-` and a long run of letters and digits. */
const tenantToken = /\bt-[A-Za-z0-9]{16,}/g;

export class Redactor {
  readonly #secrets = new Set<string>();

  constructor(secrets: string[] = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** A secret to mask from now on (a token as it is issued). */
  add(secret: string): void {
    if (secret) this.#secrets.add(secret);
  }

  redact(text: string): string {
    let masked = text;
    for (const secret of this.#secrets) masked = masked.split(secret).join(mask);
    return masked.replace(bearer, `Bearer ${mask}`).replace(tenantToken, mask);
  }
}
