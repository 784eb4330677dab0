/**
 * A strict local emulator of the Feishu endpoints hire-import calls, every one its endpoint descriptions list, with
 * fault injection: for rehearsing an import without credentials, for tests and for the benchmark. node:http only,
 * loopback only. Answers are decided when a request arrives (emulator.ts) and delivered after the drawn latency.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { feishuCodes } from '../endpoints/codes.js';
import { endpointFor, endpoints } from '../endpoints/registry.js';
import type { SandboxStats } from './counters.js';
import { FeishuEmulator, type Answer, type AppRefusal, type ParentChecks } from './emulator.js';
import { drawDelayMs } from './faults.js';
import { BodyTooLarge, readBody, sendJson } from './http.js';
import { introspect, introspectionPrefix } from './introspection.js';
import { seededRandom } from './random.js';
import { seedBody, type SeedTalent } from './seed.js';
import type { Reading } from './readBack.js';
import { openStateFile, type StateFile } from './stateFile.js';
import type { StoredRecord } from './store.js';
import type { JsonObject } from './validateWire.js';

export type { Counts, SandboxStats } from './counters.js';
export type { ParentChecks } from './emulator.js';
export { readings, type Reading } from './readBack.js';
export type { SeedTalent } from './seed.js';
export type { StoredRecord } from './store.js';

export interface SandboxOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** When set, the token endpoint requires exactly these; otherwise any non-empty pair is accepted. */
  appId?: string;
  appSecret?: string;
  /**
   * Overrides every endpoint's per-second limit (each endpoint and operation still has its own window; per-minute
   * limits stay); 0: no limits at all. Left out: each endpoint's limits from its description.
   */
  rateLimit?: number;
  /** Base response latency, default 0. */
  latencyMs?: number;
  /** +- uniform jitter on the latency, default 0; the delay never goes below 0. */
  jitterMs?: number;
  /** 0..1 share of API requests answered HTTP 500 {code:1002001} (nothing done). */
  errorRate?: number;
  /** 0..1 share of API requests whose connection is reset without an answer (nothing done). */
  resetRate?: number;
  /** Lifetime of issued tenant_access_tokens, default 7200. */
  tokenTtlSeconds?: number;
  /** These external_ids always get HTTP 500 1002001: a record that keeps failing. */
  failExternalIds?: string[];
  /** Resources whose read-back API answers HTTP 404 (nothing can be read back): a create a crash cut off cannot be checked. */
  unreadable?: string[];
  /** Seeds the source that draws faults and jitter, for reproducible runs; random when left out. */
  seed?: number;
  /** Default true: a create repeating an external_id returns the record it made. False: a server with no such memory. */
  idempotency?: boolean;
  /**
   * Default 'docs': where the docs pages and the SDK's types disagree, answer as the docs say (read-back items without
   * external_id, attachments as attachment_list[{id, name, size}], an interview PUT replacing all its assessments, an
   * offer PUT taking at most its update's attachments); 'sdk': as the SDK's types have it.
   */
  reading?: Reading;
  /** Default 'whenHeld': a parent id is checked once the sandbox holds records of the parent's resource. */
  parentChecks?: ParentChecks;
  /** A just-created parent is invisible to its children's creates for this long, default 0. */
  visibilityDelayMs?: number;
  /** Told of every API request as it arrives (its method, path, query string and body text): what a test checks the bodies of. */
  onRequest?: (request: { method: string; path: string; query: string; body: string }) => void;
  /** Refuse the app itself with this whole-app code once so many API requests were answered (a used-up quota). */
  refuseApp?: AppRefusal;
  /** Talents already in Feishu when the sandbox starts (for look-ups to find). */
  talents?: SeedTalent[];
  /** Records already there when the sandbox starts, as request bodies per resource (checked by the wire rules). */
  records?: Record<string, JsonObject[]>;
  /**
   * Keep the records in this append-only JSONL file: loaded at start, each change appended as it is decided, so a
   * rehearsal finds what earlier runs created. Seeded talents and records are added only when the file starts empty.
   */
  stateFile?: string;
}

export interface Sandbox {
  url: string;
  port: number;
  stats(): SandboxStats;
  /** Copies of the records of a resource, in creation order; throws for a resource the sandbox does not serve. */
  records(resource: string): StoredRecord[];
  /** The assessments' records. */
  assessments(): StoredRecord[];
  /** Deletes a record behind the client's back (with what is read back inside it); false when there is none. */
  removeRecord(resource: string, id: string): boolean;
  /** Changes a record's fields behind the client's back, unchecked; the record after, or undefined when there is none. */
  changeRecord(resource: string, id: string, fields: JsonObject): StoredRecord | undefined;
  /** Revokes every token it issued (a reset app secret): a request with one is answered 99991665. */
  revokeTokens(): void;
  /** Closes promptly: open keep-alive connections are dropped and answers still waiting on latency are discarded. */
  close(): Promise<void>;
}

type Defaulted = 'port' | 'latencyMs' | 'jitterMs' | 'errorRate' | 'resetRate' | 'tokenTtlSeconds' | 'failExternalIds' | 'seed' |
  'idempotency' | 'reading' | 'parentChecks' | 'visibilityDelayMs' | 'talents' | 'records';
export type SandboxSettings = SandboxOptions & Required<Pick<SandboxOptions, Defaulted>>;

/** The options with what a left-out one means filled in; the seed is drawn here when not given. */
export function sandboxSettings(options: SandboxOptions): SandboxSettings {
  return {
    ...options,
    port: options.port ?? 0,
    latencyMs: options.latencyMs ?? 0,
    jitterMs: options.jitterMs ?? 0,
    errorRate: options.errorRate ?? 0,
    resetRate: options.resetRate ?? 0,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
    failExternalIds: options.failExternalIds ?? [],
    seed: options.seed ?? randomInt(2 ** 32),
    idempotency: options.idempotency ?? true,
    reading: options.reading ?? 'docs',
    parentChecks: options.parentChecks ?? 'whenHeld',
    visibilityDelayMs: options.visibilityDelayMs ?? 0,
    talents: options.talents ?? [],
    records: options.records ?? {},
  };
}

/** The fixed pair `--sandbox` uses. Not a secret: it only opens the local sandbox. */
export const sandboxCredentials = { appId: 'cli_sandbox', appSecret: 'sandbox-secret-not-a-real-one' } as const;

/** Feishu's request log id, which support asks for: a timestamp and random hex, like the real ones. */
function logId(now: number): string {
  return `${new Date(now).toISOString().replace(/\D/g, '').slice(0, 14)}${randomBytes(10).toString('hex').toUpperCase()}`;
}

/** What the sandbox holds at start: an earlier run's state, or else the seeded records. */
function fill(emulator: FeishuEmulator, settings: SandboxSettings, state: StateFile | undefined): void {
  if (state && state.changes.length > 0) return emulator.restore(state.changes);
  // Seeded records were there before the run: already visible to children.
  const before = Date.now() - settings.visibilityDelayMs;
  const talents = settings.talents.map((talent) => seedBody(endpointFor('talents')!.fields, { ...talent }));
  for (const body of talents) emulator.seed('talents', body, before);
  for (const [resource, bodies] of Object.entries(settings.records)) for (const body of bodies) emulator.seed(resource, body, before);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const settings = sandboxSettings(options);
  const random = seededRandom(settings.seed);
  const state = settings.stateFile === undefined ? undefined : openStateFile(settings.stateFile, endpoints.map((endpoint) => endpoint.resource));
  const emulator = new FeishuEmulator({
    ...settings,
    endpoints,
    random,
    newToken: () => `t-${randomBytes(20).toString('hex')}`,
    onChange: state?.append,
  });
  try {
    fill(emulator, settings, state);
  } catch (error) {
    state?.close();
    throw error;
  }
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

  function deliver(request: IncomingMessage, response: ServerResponse, answer: Answer, now: number): void {
    if (answer.kind === 'reset') {
      // A TCP RST, so the client sees ECONNRESET rather than a polite close.
      if (!request.socket.destroyed) request.socket.resetAndDestroy();
      return;
    }
    sendJson(response, answer.status, answer.body, { ...answer.headers, 'x-tt-logid': logId(now) });
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    let body: string;
    try {
      body = await readBody(request);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      // As the API's gateway would: refused unread, and the connection closed so the rest is never read either.
      return sendJson(response, 413, { code: feishuCodes.parameterError.code, msg: `${feishuCodes.parameterError.msg}: ${error.message}` }, { connection: 'close' });
    }
    const method = request.method ?? '';
    const now = Date.now();
    if (url.pathname.startsWith(introspectionPrefix)) {
      const reply = introspect(emulator, method, url.pathname, body, now) ?? { status: 404, body: { error: 'not found' } };
      return sendJson(response, reply.status, reply.body);
    }
    settings.onRequest?.({ method, path: url.pathname, query: url.search, body });
    // Decided now, delivered after the latency: a client that gives up waiting may find on retry that it was created.
    const answer = emulator.answer({ method, path: url.pathname, query: url.searchParams, authorization: request.headers.authorization, body }, now);
    const delayMs = answer.kind === 'json' && answer.immediate ? 0 : drawDelayMs(random, settings.latencyMs, settings.jitterMs);
    after(delayMs, () => deliver(request, response, answer, now));
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
  }).catch((error: unknown) => {
    state?.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;

  function records(resource: string): StoredRecord[] {
    const held = emulator.records(resource);
    if (!held) throw new Error(`the sandbox serves no resource named ${resource}`);
    return held;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => emulator.stats(),
    records,
    assessments: () => records('assessments'),
    removeRecord: (resource, id) => emulator.removeRecord(resource, id, Date.now()),
    revokeTokens: () => emulator.revokeTokens(),
    changeRecord: (resource, id, fields) => emulator.changeRecord(resource, id, fields, Date.now()),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of waitingAnswers) clearTimeout(timer);
        waitingAnswers.clear();
        server.close((error) => {
          state?.close();
          return error ? reject(error) : resolve();
        });
        server.closeAllConnections();
      })),
  };
}
