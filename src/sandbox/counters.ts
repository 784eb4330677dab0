/** What the sandbox saw, per resource and overall: the counters behind GET /sandbox/stats. */

export interface Counts {
  /** API requests for this resource, answered or not. */
  requests: number;
  created: number;
  /** Creates answered with an existing record because its external_id was seen before. */
  replayed: number;
  /** PUT and PATCH updates carried out. */
  updated: number;
  /** Records deleted, including those that went with their parent. */
  deleted: number;
  /** Read-back requests answered (batch_query, list by parent). */
  read: number;
  /** Look-up requests answered (talents/batch_get_id). */
  lookups: number;
  rateLimited: number;
  /** HTTP 500 code 1002001, injected at random or for a failing external_id. */
  serverErrors: number;
  resets: number;
  /** HTTP 400 parameter errors: bad JSON, a body or query the wire rules refuse, an unknown id, a malformed key. */
  invalid: number;
  /** Creates and updates refused because their parent is not stored, or not visible yet. */
  missingParent: number;
  /** Refused token requests and requests without a valid tenant_access_token. */
  authFailures: number;
  /** Requests refused with a whole-app code (the sandbox's `refuseApp`: a used-up quota, say). */
  appRefused: number;
}

export interface SandboxStats extends Counts {
  /** Every request to an API path, including the token endpoint and unknown paths; /sandbox/ paths are not counted. */
  requests: number;
  /** The PATCH updates among `updated`. */
  patched: number;
  /** Successful token answers, whether the token was new or reused. */
  tokensIssued: number;
  byResource: Record<string, Counts>;
}

export type Counter = Exclude<keyof Counts, 'requests'>;

function zero(): Counts {
  return {
    requests: 0, created: 0, replayed: 0, updated: 0, deleted: 0, read: 0, lookups: 0, rateLimited: 0,
    serverErrors: 0, resets: 0, invalid: 0, missingParent: 0, authFailures: 0, appRefused: 0,
  };
}

export class SandboxCounters {
  private readonly overall = { ...zero(), patched: 0, tokensIssued: 0 };
  private readonly byResource: Record<string, Counts> = {};

  constructor(resources: readonly string[]) {
    for (const resource of resources) this.byResource[resource] = zero();
  }

  /** A request arrived; `resource` when it is for one. */
  request(resource?: string): void {
    this.overall.requests++;
    if (resource !== undefined) this.byResource[resource]!.requests++;
  }

  count(counter: Counter, resource?: string, by = 1): void {
    this.overall[counter] += by;
    if (resource !== undefined) this.byResource[resource]![counter] += by;
  }

  countOverall(counter: 'patched' | 'tokensIssued'): void {
    this.overall[counter]++;
  }

  snapshot(): SandboxStats {
    return { ...this.overall, byResource: structuredClone(this.byResource) };
  }
}
