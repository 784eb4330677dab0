/**
 * HTTP to the Feishu Open Platform: one undici Pool, bounded connections and timeouts, and answers parsed into
 * `Answer`s. It neither paces nor retries; the sender decides that. Every text it hands out that came from the
 * server or the network is redacted first: the app secret and the tokens never leave it.
 */
import { Pool, type Dispatcher } from 'undici';
import { assessmentsPath, tokenPath } from '../api.js';
import { ConfigError } from '../errors.js';
import { rateLimitCode, TransientError, type Answer } from './answer.js';
import { Redactor } from './redact.js';
import type { IssuedToken } from './tokenCache.js';

export interface ClientOptions {
  baseUrl: string;
  appId: string;
  appSecret: string;
  /** Most requests open at once; the pool keeps that many keep-alive connections. */
  connections: number;
  /** Connect, headers and body timeout, each. */
  timeoutMs: number;
}

export class HireClient {
  readonly #pool: Pool;
  readonly #credentials: string;
  readonly #baseUrl: string;
  readonly #redactor: Redactor;

  constructor(options: ClientOptions) {
    this.#baseUrl = options.baseUrl;
    this.#pool = new Pool(options.baseUrl, {
      connections: options.connections,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: options.timeoutMs },
    });
    // Kept serialised rather than as fields, so the secret is never a property anything could log.
    this.#credentials = JSON.stringify({ app_id: options.appId, app_secret: options.appSecret });
    this.#redactor = new Redactor([options.appSecret]);
  }

  /** Throws TransientError when the endpoint could not answer (worth a retry), ConfigError when it refused. */
  async fetchToken(): Promise<IssuedToken> {
    const answer = await this.#request('POST', tokenPath, this.#credentials);
    if (answer.kind === 'network') throw new TransientError(`cannot reach ${this.#baseUrl}: ${answer.msg} (${answer.code})`);
    const body = answer.body as { code?: unknown; msg?: unknown; tenant_access_token?: unknown; expire?: unknown } | undefined;
    if (typeof body?.tenant_access_token === 'string') this.#redactor.add(body.tenant_access_token);
    const code = typeof body?.code === 'number' ? body.code : '?';
    const msg = typeof body?.msg === 'string' ? this.#redactor.redact(body.msg) : 'no message';
    if (answer.status >= 500 || answer.status === 429 || code === rateLimitCode) {
      throw new TransientError(`the token endpoint answered HTTP ${answer.status} (code ${code}: ${msg})`);
    }
    if (code !== 0 || typeof body?.tenant_access_token !== 'string') {
      throw new ConfigError(
        `Feishu refused the app credentials (HTTP ${answer.status}, code ${code}: ${msg}); ` +
          'check --app-id / FEISHU_APP_ID and FEISHU_APP_SECRET, and that the app is a self-built (internal) app',
      );
    }
    return { token: body.tenant_access_token, expire: typeof body.expire === 'number' ? body.expire : 7200 };
  }

  createAssessment(body: unknown, token: string): Promise<Answer> {
    return this.#send('POST', assessmentsPath, body, token);
  }

  updateAssessment(id: string, body: unknown, token: string): Promise<Answer> {
    return this.#send('PATCH', `${assessmentsPath}/${encodeURIComponent(id)}`, body, token);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  async #send(method: Dispatcher.HttpMethod, path: string, body: unknown, token: string): Promise<Answer> {
    this.#redactor.add(token);
    const answer = await this.#request(method, path, JSON.stringify(body), token);
    if (answer.kind === 'network') return answer;
    const parsed = answer.body as { code?: unknown; msg?: unknown; data?: { external_interview_assessment?: { id?: unknown } } } | undefined;
    const code = typeof parsed?.code === 'number' ? parsed.code : answer.status;
    const msg = typeof parsed?.msg === 'string' ? this.#redactor.redact(parsed.msg) : `HTTP ${answer.status} without a JSON body`;
    const id = parsed?.data?.external_interview_assessment?.id;
    if (answer.status === 200 && code === 0 && typeof id === 'string') return { kind: 'ok', status: answer.status, id };
    return {
      kind: 'error',
      status: answer.status,
      code: code === 0 ? answer.status : code,
      msg: code === 0 ? 'success without an assessment id' : msg,
      resetSeconds: headerNumber(answer.headers['x-ogw-ratelimit-reset']),
      serverLimit: headerNumber(answer.headers['x-ogw-ratelimit-limit']),
    };
  }

  async #request(
    method: Dispatcher.HttpMethod,
    path: string,
    body: string,
    token?: string,
  ): Promise<{ kind: 'http'; status: number; headers: Record<string, string | string[] | undefined>; body: unknown } | Extract<Answer, { kind: 'network' }>> {
    try {
      const response = await this.#pool.request({
        method,
        path,
        body,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      });
      const text = await response.body.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { kind: 'http', status: response.statusCode, headers: response.headers, body: parsed };
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      return { kind: 'network', code: code ?? 'NETWORK', msg: this.#redactor.redact(message ?? String(error)) };
    }
  }
}

/** True when the base URL would carry the app secret and tokens unencrypted beyond this machine. */
export function sendsSecretsInClear(baseUrl: string): boolean {
  const { protocol, hostname } = new URL(baseUrl);
  return protocol === 'http:' && !(hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname));
}

function headerNumber(value: string | string[] | undefined): number | undefined {
  const number = Number(Array.isArray(value) ? value[0] : value);
  return value !== undefined && Number.isFinite(number) ? number : undefined;
}
