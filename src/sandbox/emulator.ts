/**
 * What the Feishu endpoints answer, decided at the moment a request has arrived: the token endpoint and every
 * endpoint the descriptions list (create, update, delete, read-back, look-up), with the gateway's order of checks
 * (rate limit, auth, faults, parameters) and each endpoint's own rules: limits per endpoint and operation on one or
 * two periods, parent checks, idempotency by external_id, and the reading (the docs' or the SDK's) where the two
 * disagree on what an answer holds and what an update does. Knows nothing of sockets or latency; the server turns an
 * Answer into bytes on the wire, later. Names no path, field or limit: all of them come from the descriptions.
 */
import { feishuCode, feishuCodes, type FeishuCode } from '../endpoints/codes.js';
import { carriedInside, tokenPath } from '../endpoints/registry.js';
import type { EndpointDescription, Fields, Limit } from '../endpoints/types.js';
import { SandboxCounters, type SandboxStats } from './counters.js';
import { drawFault, type FaultRates } from './faults.js';
import type { Random } from './random.js';
import { RateLimiter } from './rateWindow.js';
import { lookUp, readBack, type ReadAnswer, type Reading } from './readBack.js';
import { limitOf, router, type Operation, type Route, type Router } from './routes.js';
import { RecordStore, type Change, type StoredRecord } from './store.js';
import { TokenIssuer } from './tokens.js';
import { checkWireBody, isPlainObject, type JsonObject } from './validateWire.js';
import { recordAnswer } from './wireShape.js';

/**
 * When a create's parent id must name a stored parent: `always`; `whenHeld`, only once the sandbox holds records of
 * the parent's resource (a rehearsal of one resource sends real Feishu parent ids the sandbox cannot know); `never`.
 */
export type ParentChecks = 'always' | 'whenHeld' | 'never';

export interface EmulatorOptions extends FaultRates {
  endpoints: readonly EndpointDescription[];
  /** When set, the token endpoint requires exactly these; otherwise any non-empty pair is accepted. */
  appId?: string;
  appSecret?: string;
  /** Overrides every endpoint's per-second limit; 0: no limit at all. Left out: each endpoint's described limits. */
  rateLimit?: number;
  /** A repeated external_id returns the record it created; off, every create makes a new record. */
  idempotency: boolean;
  parentChecks: ParentChecks;
  /**
   * `docs`: read-back items without external_id and with attachment_list, an interview PUT replacing all its
   * assessments, an offer PUT taking the update's fewer attachments; `sdk`: as the SDK's types have it.
   */
  reading: Reading;
  /** A just-created parent stays invisible to its children's creates this long. */
  visibilityDelayMs: number;
  tokenTtlSeconds: number;
  /** external_ids that always get HTTP 500 code 1002001. */
  failExternalIds: readonly string[];
  /** Resources whose read-back API answers HTTP 404, as for an app or a tenant that cannot read them back. */
  unreadable?: readonly string[];
  random: Random;
  newToken: () => string;
  /** Told of every change to the records as it is decided (the state file). */
  onChange?: (change: Change) => void;
  /**
   * Refuse the app itself with this whole-app code (99991403: the monthly quota used up, ...) once `afterRequests`
   * API requests have been answered (default 0: from the first).
   */
  refuseApp?: AppRefusal;
}

export interface AppRefusal {
  code: number;
  afterRequests?: number;
}

export interface ApiRequest {
  method: string;
  /** The URL path without the query string. */
  path: string;
  query?: URLSearchParams;
  authorization: string | undefined;
  body: string;
}

export type Answer =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string>; /** skip the latency */ immediate?: boolean }
  | { kind: 'reset' };

function json(status: number, body: unknown): Answer {
  return { kind: 'json', status, body };
}

/** Feishu's answer for a code of its table, with `msg` instead of the table's text when given. */
function coded(entry: FeishuCode, msg = entry.msg): Answer {
  return json(entry.status, { code: entry.code, msg });
}

/** The parsed body, or undefined when it is not JSON at all; an empty body is no value. */
function parseJson(text: string): { value: unknown } | undefined {
  if (text === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** The field that makes a create idempotent: the description's external id, unless it is ours alone (talents). */
function idempotencyField(endpoint: EndpointDescription | undefined): string | undefined {
  const field = endpoint?.fields[endpoint.externalId];
  return field && !field.localOnly ? endpoint!.externalId : undefined;
}

function effectiveLimit(limit: Limit | undefined, override: number | undefined): Limit | undefined {
  if (override === undefined || limit === undefined) return limit;
  return override === 0 ? undefined : { ...limit, perSecond: override };
}

const operations: readonly Operation[] = ['create', 'update', 'delete', 'read', 'match'];

export class FeishuEmulator {
  private readonly counters: SandboxCounters;
  private readonly store: RecordStore;
  private readonly tokens: TokenIssuer;
  private readonly route: Router;
  /** The gateway limits each API separately: one limiter per endpoint and operation. */
  private readonly limiters = new Map<string, RateLimiter>();
  private readonly failing: ReadonlySet<string>;
  private readonly byResource: ReadonlyMap<string, EndpointDescription>;
  private readonly refusal: FeishuCode | undefined;
  /** API requests past the gateway's rate limit and auth: what `refuseApp.afterRequests` counts. */
  private admitted = 0;

  constructor(private readonly options: EmulatorOptions) {
    const refusal = options.refuseApp && feishuCode(options.refuseApp.code);
    if (options.refuseApp && refusal?.kind !== 'app') throw new Error(`${options.refuseApp.code} is not a whole-app refusal code`);
    this.refusal = refusal;
    this.byResource = new Map(options.endpoints.map((endpoint) => [endpoint.resource, endpoint]));
    this.counters = new SandboxCounters([...this.byResource.keys()]);
    this.store = new RecordStore((resource) => {
      const endpoint = this.byResource.get(resource);
      return { externalId: idempotencyField(endpoint), parent: endpoint?.parent?.field };
    });
    this.tokens = new TokenIssuer(options.tokenTtlSeconds, options.newToken);
    this.route = router(options.endpoints);
    this.failing = new Set(options.failExternalIds);
    for (const endpoint of options.endpoints) {
      for (const operation of operations) {
        const limit = limitOf(endpoint, operation);
        if (limit) this.limiters.set(`${endpoint.resource} ${operation}`, new RateLimiter(effectiveLimit(limit, options.rateLimit)));
      }
    }
  }

  stats(): SandboxStats {
    return this.counters.snapshot();
  }

  /** Copies, so a caller cannot change what the sandbox remembers; undefined for a resource it does not serve. */
  records(resource: string): StoredRecord[] | undefined {
    return this.byResource.has(resource) ? structuredClone(this.store.list(resource)) : undefined;
  }

  /** Applies what an earlier run changed (the state file), telling no one. */
  restore(changes: readonly Change[]): void {
    for (const change of changes) this.store.apply(change);
  }

  /** Stores a record as if it had been there before (talents "already in Feishu"); the body must pass the wire rules. */
  seed(resource: string, body: unknown, now: number): StoredRecord {
    const endpoint = this.endpointFor(resource);
    const checked = checkWireBody(body, endpoint.fields, 'whole');
    if (!checked.ok) throw new Error(`a seeded ${endpoint.title}: ${checked.problem}`);
    return this.createRecord(endpoint, checked.body, now);
  }

  /** Revokes every token issued: requests carrying one are answered 99991665 until the client asks for a new one. */
  revokeTokens(): void {
    this.tokens.revokeAll();
  }

  /** Deletes a record behind the client's back, as someone in the Feishu UI might; false when there is none. */
  removeRecord(resource: string, id: string, now: number): boolean {
    const endpoint = this.endpointFor(resource);
    if (!this.store.get(resource, id)) return false;
    this.deleteRecord(endpoint, id, now, false);
    return true;
  }

  /** Changes a record's fields behind the client's back, unchecked; undefined when there is no such record. */
  changeRecord(resource: string, id: string, fields: JsonObject, now: number): StoredRecord | undefined {
    this.endpointFor(resource); // throws for a resource the sandbox does not serve
    const record = this.store.get(resource, id);
    if (!record) return undefined;
    this.commit({ op: 'update', resource, id, body: { ...record.body, ...structuredClone(fields) }, at: now });
    return structuredClone(this.store.get(resource, id));
  }

  answer(request: ApiRequest, now: number): Answer {
    if (request.method === 'POST' && request.path === tokenPath) {
      this.counters.request();
      return this.issueToken(request.body, now);
    }
    const route = this.route(request.method, request.path);
    this.counters.request(route?.endpoint.resource);
    if (!route) return json(404, { code: 404, msg: 'not found' });

    const parsed = parseJson(request.body);
    const refusal = this.gate(route, request.authorization, parsed?.value, now);
    if (refusal) return refusal;
    const { endpoint } = route;
    if (!parsed) return this.parameterError(endpoint, 'body is not valid JSON');
    switch (route.operation) {
      case 'create':
        return this.create(endpoint, parsed.value, now);
      case 'update':
        return this.update(endpoint, route.id!, parsed.value, now);
      case 'delete':
        return this.delete(endpoint, route.id!, now);
      case 'read':
        if (this.options.unreadable?.includes(endpoint.resource)) return json(404, { code: 404, msg: 'not found' });
        return this.readAnswer(endpoint, 'read', readBack(this.store, this.options.endpoints, endpoint, request.query ?? new URLSearchParams(), parsed.value, this.options.reading));
      case 'match':
        return this.readAnswer(endpoint, 'lookups', lookUp(this.store, endpoint, endpoint.match!, parsed.value));
    }
  }

  private endpointFor(resource: string): EndpointDescription {
    const endpoint = this.byResource.get(resource);
    if (!endpoint) throw new Error(`the sandbox serves no resource named ${resource}`);
    return endpoint;
  }

  private issueToken(body: string, now: number): Answer {
    const credentials = parseJson(body)?.value;
    const appId = isPlainObject(credentials) ? credentials.app_id : undefined;
    const appSecret = isPlainObject(credentials) ? credentials.app_secret : undefined;
    if (typeof appId !== 'string' || appId === '' || typeof appSecret !== 'string' || appSecret === '') {
      this.counters.count('authFailures');
      return json(400, { code: 10003, msg: 'invalid param: app_id and app_secret are required' });
    }
    const expected = this.options;
    if ((expected.appId !== undefined && appId !== expected.appId) || (expected.appSecret !== undefined && appSecret !== expected.appSecret)) {
      this.counters.count('authFailures');
      return json(400, { code: 10014, msg: 'app secret invalid' });
    }
    const issued = this.tokens.issue(appId, now);
    this.counters.countOverall('tokensIssued');
    return json(200, { code: 0, msg: 'ok', tenant_access_token: issued.token, expire: issued.expireSeconds });
  }

  /** The checks before any operation, in the gateway's order; the answer that stops the request there, if any. */
  private gate(route: Route, authorization: string | undefined, body: unknown, now: number): Answer | undefined {
    const resource = route.endpoint.resource;
    const admission = this.limiters.get(`${resource} ${route.operation}`)!.admit(now);
    if (!admission.admitted) {
      this.counters.count('rateLimited', resource);
      const headers = { 'x-ogw-ratelimit-limit': String(admission.limit), 'x-ogw-ratelimit-reset': String(admission.resetSeconds) };
      // The gateway refuses at once: no latency.
      const { status, code, msg } = feishuCodes.rateLimited;
      return { kind: 'json', status, body: { code, msg }, headers, immediate: true };
    }

    const authFailure = this.authenticate(authorization, now);
    if (authFailure) {
      this.counters.count('authFailures', resource);
      return authFailure;
    }
    if (this.refusal && this.admitted >= (this.options.refuseApp!.afterRequests ?? 0)) {
      this.counters.count('appRefused', resource);
      return coded(this.refusal);
    }
    this.admitted++;

    // Draw first, so whether an external_id is on the failing list does not shift the seeded sequence.
    const externalId = isPlainObject(body) ? body[route.endpoint.externalId] : undefined;
    const fault = drawFault(this.options.random, this.options) ??
      (typeof externalId === 'string' && this.failing.has(externalId) ? 'serverError' : undefined);
    if (fault === 'reset') {
      this.counters.count('resets', resource);
      return { kind: 'reset' };
    }
    if (fault === 'serverError') {
      this.counters.count('serverErrors', resource);
      return coded(feishuCodes.systemError);
    }
    return undefined;
  }

  private authenticate(authorization: string | undefined, now: number): Answer | undefined {
    const bearer = /^Bearer +(\S+)$/.exec(authorization ?? '');
    if (!bearer) {
      return coded(feishuCodes.tokenMissing);
    }
    const state = this.tokens.check(bearer[1]!, now);
    if (state === 'valid') return undefined;
    // A token this server never issued (or has revoked) is 非法 (99991665); one past its expiry, invalid (99991663).
    return state === 'unknown' ? coded(feishuCodes.tokenIllegal) : coded(feishuCodes.tokenInvalid, `${feishuCodes.tokenInvalid.msg} (expired tenant_access_token)`);
  }

  private create(endpoint: EndpointDescription, value: unknown, now: number): Answer {
    const checked = checkWireBody(value, endpoint.fields, 'whole');
    if (!checked.ok) return this.parameterError(endpoint, checked.problem);
    const key = this.options.idempotency ? idempotencyField(endpoint) : undefined;
    const existing = key === undefined ? undefined : this.store.findByExternalId(endpoint.resource, checked.body[key]);
    if (existing) {
      this.counters.count('replayed', endpoint.resource);
      return json(200, recordAnswer(endpoint.create.idAt, existing.id, existing.body));
    }
    const missing = this.missingParent(endpoint, checked.body, now);
    if (missing) return missing;
    const record = this.createRecord(endpoint, checked.body, now);
    this.counters.count('created', endpoint.resource);
    return json(200, recordAnswer(endpoint.create.idAt, record.id, record.body));
  }

  /**
   * PUT overwrites the whole stored body; PATCH changes the fields given. Only the fields the update takes are
   * taken; in the docs' reading its own list limits hold, and a PUT replaces the records carried inside this one
   * (an interview's assessments): those created on their own go, those the PUT sends become them, with new ids.
   */
  private update(endpoint: EndpointDescription, id: string, value: unknown, now: number): Answer {
    const method = endpoint.update!.method;
    const checked = checkWireBody(value, this.updateFields(endpoint), method === 'PUT' ? 'whole' : 'partial');
    if (!checked.ok) return this.parameterError(endpoint, checked.problem);
    const record = this.store.get(endpoint.resource, id);
    if (!record) return this.parameterError(endpoint, `no ${endpoint.title} with id ${id}`);
    const missing = this.missingParent(endpoint, checked.body, now);
    if (missing) return missing;
    const given = this.withCarriedIds(endpoint, checked.body);
    const body = method === 'PUT' ? given : { ...record.body, ...given };
    if (method === 'PUT' && this.options.reading === 'docs') this.deleteCarried(endpoint, id, now, true);
    this.commit({ op: 'update', resource: endpoint.resource, id, body, at: now });
    this.counters.count('updated', endpoint.resource);
    if (method === 'PATCH') this.counters.countOverall('patched');
    return json(200, recordAnswer(endpoint.create.idAt, id, body));
  }

  /** The fields an update's body may hold, with the update's own list limits in the docs' reading. */
  private updateFields(endpoint: EndpointDescription): Fields {
    const { fields: taken, maxItems = {} } = endpoint.update!;
    const fields: Fields = {};
    for (const [name, field] of Object.entries(endpoint.fields)) {
      if (taken && !taken.includes(name)) continue;
      const max = this.options.reading === 'docs' ? maxItems[name] : undefined;
      fields[name] = max !== undefined && field.type.kind === 'strings' ? { ...field, type: { ...field.type, maxItems: max } } : field;
    }
    return fields;
  }

  private delete(endpoint: EndpointDescription, id: string, now: number): Answer {
    if (!this.store.get(endpoint.resource, id)) return this.parameterError(endpoint, `no ${endpoint.title} with id ${id}`);
    this.deleteRecord(endpoint, id, now, true);
    return json(200, { code: 0, msg: 'success', data: {} });
  }

  private readAnswer(endpoint: EndpointDescription, counter: 'read' | 'lookups', answer: ReadAnswer): Answer {
    if (!answer.ok) return this.parameterError(endpoint, answer.problem, answer.code);
    this.counters.count(counter, endpoint.resource);
    return json(200, answer.body);
  }

  /**
   * The answer when the body names a parent that is not stored, or not visible yet; undefined when the parent is
   * there or the checks do not apply.
   */
  private missingParent(endpoint: EndpointDescription, body: JsonObject, now: number): Answer | undefined {
    const parent = endpoint.parent;
    const parentId = parent ? body[parent.field] : undefined;
    if (!parent || typeof parentId !== 'string' || this.options.parentChecks === 'never') return undefined;
    if (this.options.parentChecks === 'whenHeld' && this.store.count(parent.resource) === 0) return undefined;
    const stored = this.store.get(parent.resource, parentId);
    if (stored && now >= stored.createdAt + this.options.visibilityDelayMs) return undefined;
    this.counters.count('missingParent', endpoint.resource);
    const title = this.byResource.get(parent.resource)?.title ?? parent.resource;
    return json(400, { code: parent.missingCode, msg: `${parent.field}: no ${title} with id ${parentId}` });
  }

  private parameterError(endpoint: EndpointDescription, problem: string, code: number = feishuCodes.parameterError.code): Answer {
    this.counters.count('invalid', endpoint.resource);
    const entry = feishuCode(code) ?? feishuCodes.parameterError;
    return json(entry.status, { code, msg: `${entry.msg}: ${problem}` });
  }

  private createRecord(endpoint: EndpointDescription, body: JsonObject, now: number): StoredRecord {
    const id = this.store.newId();
    const change: Change = { op: 'create', resource: endpoint.resource, id, body: this.withCarriedIds(endpoint, body), at: now };
    this.commit(change);
    return { id, body: change.body, createdAt: now };
  }

  /** The records written inside this one (an interview's assessments) get their own ids, as Feishu answers them. */
  private withCarriedIds(endpoint: EndpointDescription, body: JsonObject): JsonObject {
    let withIds = body;
    for (const { field } of carriedInside(this.options.endpoints, endpoint.resource)) {
      const list = body[field];
      if (Array.isArray(list)) withIds = { ...withIds, [field]: list.map((element: JsonObject) => ({ id: this.store.newId(), ...element })) };
    }
    return withIds;
  }

  /**
   * Records read back inside this one (an interview's assessments) have no delete of their own: they go with it.
   * `counted`: a delete asked through the API, not one made behind the client's back.
   */
  private deleteRecord(endpoint: EndpointDescription, id: string, now: number, counted: boolean): void {
    this.deleteCarried(endpoint, id, now, counted);
    this.commit({ op: 'delete', resource: endpoint.resource, id, at: now });
    if (counted) this.counters.count('deleted', endpoint.resource);
  }

  /** Deletes the records created on their own that are read back inside record `id` (an interview's assessments). */
  private deleteCarried(endpoint: EndpointDescription, id: string, now: number, counted: boolean): void {
    for (const { child } of carriedInside(this.options.endpoints, endpoint.resource)) {
      for (const record of this.store.children(child.resource, id)) {
        this.commit({ op: 'delete', resource: child.resource, id: record.id, at: now });
        if (counted) this.counters.count('deleted', child.resource);
      }
    }
  }

  private commit(change: Change): void {
    this.store.apply(change);
    this.options.onChange?.(change);
  }
}
