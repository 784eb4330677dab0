/**
 * What the Feishu endpoints answer, decided at the moment a request has arrived: the token endpoint and
 * create/patch of external interview assessments, with the gateway's order of checks (rate limit, auth, faults,
 * parameters). Knows nothing of sockets or latency; the server turns an Answer into bytes on the wire, later.
 */
import { assessments } from '../endpoints/assessments.js';
import { tokenPath } from '../endpoints/registry.js';
import { drawFault, type FaultRates } from './faults.js';
import type { Random } from './random.js';
import { RateWindow } from './rateWindow.js';
import { AssessmentStore, type StoredAssessment } from './store.js';
import { TokenIssuer } from './tokens.js';
import { checkWireBody, type WireOperation } from './validateWire.js';

const assessmentsPath = assessments.create.path;

export interface SandboxStats {
  /** Every request to an API path, answered or not; the /sandbox/ introspection paths are not counted. */
  requests: number;
  created: number;
  /** Creates answered with an existing record because its external_id was seen before. */
  replayed: number;
  patched: number;
  rateLimited: number;
  /** HTTP 500 code 1002001, injected at random or for a failing external_id. */
  serverErrors: number;
  resets: number;
  /** HTTP 400 code 1002002: bad JSON, a body the wire rules refuse, or a PATCH of an unknown id. */
  invalid: number;
  /** Refused token requests and requests without a valid tenant_access_token. */
  authFailures: number;
  /** Successful token answers, whether the token was new or reused. */
  tokensIssued: number;
}

export interface EmulatorOptions extends FaultRates {
  /** When set, the token endpoint requires exactly these; otherwise any non-empty pair is accepted. */
  appId?: string;
  appSecret?: string;
  /** Admitted requests per sliding second, per endpoint; 0 = unlimited. */
  rateLimit: number;
  tokenTtlSeconds: number;
  /** external_ids that always get HTTP 500 code 1002001. */
  failExternalIds: readonly string[];
  random: Random;
  newToken: () => string;
}

export interface ApiRequest {
  method: string;
  /** The URL path without the query string. */
  path: string;
  authorization: string | undefined;
  body: string;
}

export type Answer =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string>; /** skip the latency */ immediate?: boolean }
  | { kind: 'reset' };

type JsonObject = Record<string, unknown>;

function json(status: number, body: unknown): Answer {
  return { kind: 'json', status, body };
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parsed body, or undefined when it is not JSON at all. */
function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

const assessmentAnswer = (record: StoredAssessment) =>
  json(200, { code: 0, msg: 'success', data: { external_interview_assessment: { id: record.id, ...record.body } } });

export class FeishuEmulator {
  private readonly counts: SandboxStats = {
    requests: 0, created: 0, replayed: 0, patched: 0, rateLimited: 0,
    serverErrors: 0, resets: 0, invalid: 0, authFailures: 0, tokensIssued: 0,
  };
  private readonly store = new AssessmentStore();
  private readonly tokens: TokenIssuer;
  /** The gateway limits each API separately. */
  private readonly windows: Record<WireOperation, RateWindow>;
  private readonly failing: ReadonlySet<string>;

  constructor(private readonly options: EmulatorOptions) {
    this.tokens = new TokenIssuer(options.tokenTtlSeconds, options.newToken);
    this.windows = { create: new RateWindow(options.rateLimit), patch: new RateWindow(options.rateLimit) };
    this.failing = new Set(options.failExternalIds);
  }

  stats(): SandboxStats {
    return { ...this.counts };
  }

  /** Copies, so a caller cannot change what the sandbox remembers. */
  assessments(): StoredAssessment[] {
    return structuredClone(this.store.list());
  }

  answer(request: ApiRequest, now: number): Answer {
    this.counts.requests++;
    if (request.method === 'POST' && request.path === tokenPath) return this.issueToken(request.body, now);
    if (request.method === 'POST' && request.path === assessmentsPath) return this.create(request, now);
    const patchedId = request.path.startsWith(`${assessmentsPath}/`) ? request.path.slice(assessmentsPath.length + 1) : '';
    if (request.method === 'PATCH' && patchedId !== '' && !patchedId.includes('/')) return this.patch(patchedId, request, now);
    return json(404, { code: 404, msg: 'not found' });
  }

  private issueToken(body: string, now: number): Answer {
    const credentials = parseJson(body)?.value;
    const appId = isPlainObject(credentials) ? credentials.app_id : undefined;
    const appSecret = isPlainObject(credentials) ? credentials.app_secret : undefined;
    if (typeof appId !== 'string' || appId === '' || typeof appSecret !== 'string' || appSecret === '') {
      this.counts.authFailures++;
      return json(400, { code: 10003, msg: 'invalid param: app_id and app_secret are required' });
    }
    const expected = this.options;
    if ((expected.appId !== undefined && appId !== expected.appId) || (expected.appSecret !== undefined && appSecret !== expected.appSecret)) {
      this.counts.authFailures++;
      return json(400, { code: 10014, msg: 'app secret invalid' });
    }
    const issued = this.tokens.issue(appId, now);
    this.counts.tokensIssued++;
    return json(200, { code: 0, msg: 'ok', tenant_access_token: issued.token, expire: issued.expireSeconds });
  }

  private create(request: ApiRequest, now: number): Answer {
    const gated = this.gate('create', request, now);
    if ('refused' in gated) return gated.refused;
    const existing = this.store.findByExternalId(gated.body.external_id);
    if (existing) {
      this.counts.replayed++;
      return assessmentAnswer(existing);
    }
    this.counts.created++;
    return assessmentAnswer(this.store.create(gated.body, now));
  }

  private patch(id: string, request: ApiRequest, now: number): Answer {
    const gated = this.gate('patch', request, now);
    if ('refused' in gated) return gated.refused;
    const record = this.store.get(id);
    if (!record) return this.parameterError(`no external interview assessment with id ${id}`);
    this.counts.patched++;
    return assessmentAnswer(this.store.patch(record, gated.body, now));
  }

  /**
   * The checks before a create or patch is carried out, in the gateway's order: either the answer that stops the
   * request there, or the body, valid by the wire rules, to carry it out with.
   */
  private gate(operation: WireOperation, request: ApiRequest, now: number): { refused: Answer } | { body: JsonObject } {
    const parsed = parseJson(request.body);
    const admission = this.windows[operation].admit(now);
    if (!admission.admitted) {
      this.counts.rateLimited++;
      const headers = { 'x-ogw-ratelimit-limit': String(this.options.rateLimit), 'x-ogw-ratelimit-reset': String(admission.resetSeconds) };
      // The gateway refuses at once: no latency.
      return { refused: { kind: 'json', status: 429, body: { code: 99991400, msg: 'request trigger frequency limit' }, headers, immediate: true } };
    }

    const authFailure = this.authenticate(request.authorization, now);
    if (authFailure) {
      this.counts.authFailures++;
      return { refused: authFailure };
    }

    // Draw first, so whether an external_id is on the failing list does not shift the seeded sequence.
    const externalId = isPlainObject(parsed?.value) ? parsed.value.external_id : undefined;
    const fault = drawFault(this.options.random, this.options) ??
      (typeof externalId === 'string' && this.failing.has(externalId) ? 'serverError' : undefined);
    if (fault === 'reset') {
      this.counts.resets++;
      return { refused: { kind: 'reset' } };
    }
    if (fault === 'serverError') {
      this.counts.serverErrors++;
      return { refused: json(500, { code: 1002001, msg: '系统错误' }) };
    }

    if (!parsed) return { refused: this.parameterError('body is not valid JSON') };
    const checked = checkWireBody(parsed.value, operation);
    if (!checked.ok) return { refused: this.parameterError(checked.problem) };
    return { body: checked.body };
  }

  private parameterError(why: string): Answer {
    this.counts.invalid++;
    return json(400, { code: 1002002, msg: `参数错误: ${why}` });
  }

  private authenticate(authorization: string | undefined, now: number): Answer | undefined {
    const bearer = /^Bearer +(\S+)$/.exec(authorization ?? '');
    if (!bearer) {
      return json(400, { code: 99991661, msg: 'Missing access token for authorization. Please make a request with token attached.' });
    }
    const state = this.tokens.check(bearer[1]!, now);
    if (state === 'valid') return undefined;
    return json(400, { code: 99991663, msg: `Invalid access token for authorization (${state} tenant_access_token).` });
  }
}
