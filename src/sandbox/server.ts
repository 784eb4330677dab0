/**
 * A strict local emulator of the Feishu endpoints hire-import calls, with fault injection: for rehearsing an import
 * without credentials, for tests and for the benchmark. node:http only, loopback only.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FeishuEmulator, type Answer, type SandboxStats } from './emulator.js';
import { drawDelayMs } from './faults.js';
import { readBody, sendJson } from './http.js';
import { seededRandom } from './random.js';
import type { StoredAssessment } from './store.js';

export type { SandboxStats } from './emulator.js';
export type { StoredAssessment } from './store.js';

export interface SandboxOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** When set, the token endpoint requires exactly these; otherwise any non-empty pair is accepted. */
  appId?: string;
  appSecret?: string;
  /** Accepted requests per sliding 1000 ms per endpoint (create, patch separately); default 20; 0 = unlimited. */
  rateLimit?: number;
  /** Base response latency, default 0. */
  latencyMs?: number;
  /** +- uniform jitter on the latency, default 0; the delay never goes below 0. */
  jitterMs?: number;
  /** 0..1 share of requests answered HTTP 500 {code:1002001} (nothing created). */
  errorRate?: number;
  /** 0..1 share of requests whose connection is reset without an answer (nothing created). */
  resetRate?: number;
  /** Lifetime of issued tenant_access_tokens, default 7200. */
  tokenTtlSeconds?: number;
  /** These external_ids always get HTTP 500 1002001: a record that keeps failing. */
  failExternalIds?: string[];
  /** Seeds the source that draws faults and jitter, for reproducible runs; random when left out. */
  seed?: number;
}

export interface Sandbox {
  url: string;
  port: number;
  stats(): SandboxStats;
  assessments(): StoredAssessment[];
  /** Closes promptly: open keep-alive connections are dropped and answers still waiting on latency are discarded. */
  close(): Promise<void>;
}

export type SandboxSettings = Required<Omit<SandboxOptions, 'appId' | 'appSecret'>> & Pick<SandboxOptions, 'appId' | 'appSecret'>;

/** The options with what a left-out one means filled in; the seed is drawn here when not given. */
export function sandboxSettings(options: SandboxOptions): SandboxSettings {
  return {
    port: options.port ?? 0,
    appId: options.appId,
    appSecret: options.appSecret,
    rateLimit: options.rateLimit ?? 20,
    latencyMs: options.latencyMs ?? 0,
    jitterMs: options.jitterMs ?? 0,
    errorRate: options.errorRate ?? 0,
    resetRate: options.resetRate ?? 0,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
    failExternalIds: options.failExternalIds ?? [],
    seed: options.seed ?? randomInt(2 ** 32),
  };
}

/** The fixed pair `--sandbox` uses. Not a secret: it only opens the local sandbox. */
export const sandboxCredentials = { appId: 'cli_sandbox', appSecret: 'sandbox-secret-not-a-real-one' } as const;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const settings = sandboxSettings(options);
  const random = seededRandom(settings.seed);
  const emulator = new FeishuEmulator({ ...settings, random, newToken: () => `t-${randomBytes(20).toString('hex')}` });
  const waitingAnswers = new Set<NodeJS.Timeout>();
  let closing: Promise<void> | undefined;

  /** Runs `deliver` after the drawn latency, unless the sandbox closes first. */
  function after(delayMs: number, deliver: () => void): void {
    if (closing) return;
    if (delayMs <= 0) return deliver();
    const timer = setTimeout(() => {
      waitingAnswers.delete(timer);
      deliver();
    }, delayMs);
    waitingAnswers.add(timer);
  }

  function deliver(request: IncomingMessage, response: ServerResponse, answer: Answer): void {
    if (answer.kind === 'reset') {
      // A TCP RST, so the client sees ECONNRESET rather than a polite close.
      if (!request.socket.destroyed) request.socket.resetAndDestroy();
      return;
    }
    sendJson(response, answer.status, answer.body, answer.headers);
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://sandbox').pathname;
    const body = await readBody(request);
    if (request.method === 'GET' && path === '/sandbox/stats') return sendJson(response, 200, emulator.stats());
    if (request.method === 'GET' && path === '/sandbox/assessments') return sendJson(response, 200, emulator.assessments());
    // Decided now, delivered after the latency: a client that gives up waiting may find on retry that it was created.
    const answer = emulator.answer({ method: request.method ?? '', path, authorization: request.headers.authorization, body }, Date.now());
    const delayMs = answer.kind === 'json' && answer.immediate ? 0 : drawDelayMs(random, settings.latencyMs, settings.jitterMs);
    after(delayMs, () => deliver(request, response, answer));
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      // Reached only when the client went away mid-request (then nothing is sent) or the sandbox itself is broken.
      if (!response.headersSent) sendJson(response, 500, { code: -1, msg: `sandbox failure: ${String(error)}` });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => emulator.stats(),
    assessments: () => emulator.assessments(),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of waitingAnswers) clearTimeout(timer);
        waitingAnswers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}
