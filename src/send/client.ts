/**
 * HTTP to the Feishu Open Platform, generic over the endpoint descriptions: one undici Pool, bounded connections and
 * timeouts, and answers parsed into `Answer`s (create, update, delete: the record's id) or `Reply`s (any other
 * request: the whole JSON body). Every answer keeps Feishu's request log id. It neither paces nor retries; the
 * sender decides that. Every text it hands out that came from the server or the network is redacted first: the app
 * secret and the tokens never leave it.
 */
import { Pool, type Dispatcher } from 'undici';
import type { EndpointDescription } from '../endpoints/types.js';
import { tokenPath } from '../endpoints/registry.js';
import { ConfigError } from '../errors.js';
import { compilePath } from '../map/path.js';
import { rateLimitCode, TransientError, type Answer, type NetworkAnswer, type Reply } from './answer.js';
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

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type HttpAnswer = { kind: 'http'; status: number; headers: Record<string, string | string[] | undefined>; body: unknown } | NetworkAnswer;

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
    const answer = await this.#http('POST', tokenPath, this.#credentials);
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

  /** POST the body to the endpoint's create path; the new id is read where the description says it is. */
  async create(endpoint: EndpointDescription, body: Record<string, unknown>, token: string): Promise<Answer> {
    const reply = await this.request('POST', endpoint.create.path, wireBody(endpoint, body), token);
    if (reply.kind !== 'ok') return reply;
    const id = compilePath(endpoint.create.idAt)(reply.body);
    if (typeof id === 'string' && id !== '') return { kind: 'ok', status: reply.status, id, ...logIdOf(reply) };
    return { kind: 'error', status: reply.status, code: reply.status, msg: `success without an id at ${endpoint.create.idAt}`, ...logIdOf(reply) };
  }

  /** Updates record `id` with the endpoint's update method (PUT overwrites: the body must hold every field). */
  async update(endpoint: EndpointDescription, id: string, body: Record<string, unknown>, token: string): Promise<Answer> {
    if (!endpoint.update) throw new Error(`${endpoint.resource} cannot be updated`);
    return withId(await this.request(endpoint.update.method, recordPath(endpoint, id), updateBody(endpoint, body), token), id);
  }

  async delete(endpoint: EndpointDescription, id: string, token: string): Promise<Answer> {
    if (!endpoint.delete) throw new Error(`${endpoint.resource} cannot be deleted`);
    return withId(await this.request('DELETE', recordPath(endpoint, id), undefined, token), id);
  }

  /** Any other request (a lookup, a batch query): success is HTTP 200 with code 0, and the reply holds the body. */
  async request(method: Method, path: string, body: unknown, token: string): Promise<Reply> {
    this.#redactor.add(token);
    const answer = await this.#http(method, path, body === undefined ? undefined : JSON.stringify(body), token);
    if (answer.kind === 'network') return answer;
    const parsed = answer.body as { code?: unknown; msg?: unknown } | undefined;
    const code = typeof parsed?.code === 'number' ? parsed.code : answer.status;
    const logId = headerText(answer.headers['x-tt-logid']);
    const withLogId = logId ? { logId } : {};
    if (answer.status === 200 && code === 0) return { kind: 'ok', status: answer.status, body: parsed, ...withLogId };
    return {
      kind: 'error',
      status: answer.status,
      code: code === 0 ? answer.status : code,
      msg: typeof parsed?.msg === 'string' && code !== 0 ? this.#redactor.redact(parsed.msg) : `HTTP ${answer.status} without a JSON body`,
      resetSeconds: headerNumber(answer.headers['x-ogw-ratelimit-reset']),
      serverLimit: headerNumber(answer.headers['x-ogw-ratelimit-limit']),
      ...withLogId,
    };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  async #http(method: Dispatcher.HttpMethod, path: string, body: string | undefined, token?: string): Promise<HttpAnswer> {
    try {
      const response = await this.#pool.request({
        method,
        path,
        body,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
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

/** The body as the API takes it: fields the description keeps local (a talent's legacy key) are not sent. */
export function wireBody(endpoint: EndpointDescription, body: Record<string, unknown>): Record<string, unknown> {
  const local = Object.keys(endpoint.fields).filter((name) => endpoint.fields[name]!.localOnly);
  if (!local.some((name) => name in body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([name]) => !local.includes(name)));
}

/** An update's body: only the fields the update takes (an assessment PATCH takes four), none kept local. */
export function updateBody(endpoint: EndpointDescription, body: Record<string, unknown>): Record<string, unknown> {
  const taken = endpoint.update?.fields;
  const sent = wireBody(endpoint, body);
  return taken ? Object.fromEntries(Object.entries(sent).filter(([name]) => taken.includes(name))) : sent;
}

function recordPath(endpoint: EndpointDescription, id: string): string {
  return `${endpoint.create.path}/${encodeURIComponent(id)}`;
}

function withId(reply: Reply, id: string): Answer {
  return reply.kind === 'ok' ? { kind: 'ok', status: reply.status, id, ...logIdOf(reply) } : reply;
}

function logIdOf(reply: { logId?: string }): { logId?: string } {
  return reply.logId ? { logId: reply.logId } : {};
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function headerNumber(value: string | string[] | undefined): number | undefined {
  const number = Number(headerText(value));
  return value !== undefined && Number.isFinite(number) ? number : undefined;
}
