/**
 * What the API answered, and what that means for the record: the one place that knows Feishu's error codes.
 */

/** Feishu answered with an error. `logId` is its request log id (the `x-tt-logid` header), for support tickets. */
export type ErrorAnswer = { kind: 'error'; status: number; code: number; msg: string; resetSeconds?: number; serverLimit?: number; logId?: string };
/** No answer at all: a reset, a timeout, a refused connection. */
export type NetworkAnswer = { kind: 'network'; code: string; msg: string };
export type Failure = ErrorAnswer | NetworkAnswer;

/** The answer to a create, update or delete: on success, the record's Feishu id. */
export type Answer = { kind: 'ok'; status: number; id: string; logId?: string } | Failure;
/** The answer to a plain request (a lookup, a batch query): on success, the whole JSON body. */
export type Reply = { kind: 'ok'; status: number; body: unknown; logId?: string } | Failure;

export type Verdict =
  /** Created or updated. */
  | 'done'
  /** Over the rate limit: wait the reset, slow down, send again; not the record's fault. */
  | 'rateLimited'
  /** The token was refused: renew it once and send again. */
  | 'renewToken'
  /** The server or the network failed: back off and send again, a bounded number of times. */
  | 'transient'
  /** The server refused this record's body: final for the record. */
  | 'rejected'
  /** No record can succeed (a missing permission): stop the run. */
  | 'fatal';

export const rateLimitCode = 99991400;
const tokenCodes = new Set([99991661, 99991663, 99991664, 99991671]);
const systemErrorCode = 1002001;
const parameterErrorCode = 1002002;
/** Codes that mean the app itself may not do this; every further request would fail the same way. */
const permissionCodes = new Set([99991672, 99991679]);

export function verdictFor(answer: Answer | Reply): Verdict {
  if (answer.kind === 'ok') return 'done';
  if (answer.kind === 'network') return 'transient';
  if (answer.code === rateLimitCode || answer.status === 429) return 'rateLimited';
  if (tokenCodes.has(answer.code)) return 'renewToken';
  if (permissionCodes.has(answer.code)) return 'fatal';
  if (answer.code === systemErrorCode || answer.status >= 500) return 'transient';
  return 'rejected';
}

/**
 * A delete refused because the record is not there (any more): HTTP 404, or a parameter error (1002002), since a
 * DELETE carries no parameter but the id in its path, and that id is one Feishu gave. The record is gone either way.
 */
export function meansNotFound(code: number | string): boolean {
  return code === 404 || code === parameterErrorCode;
}

/** Exponential backoff with jitter for the `attempt`-th retry (1-based): 0.5 s, 1 s, 2 s, ... capped at 30 s. */
export function backoffMs(attempt: number, random: () => number, baseMs = 500, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** A failure as the result log and the summary show it. */
export function describeAnswer(answer: Failure): { code: number | string; msg: string; logId?: string } {
  const logId = answer.kind === 'error' ? answer.logId : undefined;
  return { code: answer.code, msg: answer.msg, ...(logId ? { logId } : {}) };
}

/** A failure that may pass: the network, or the server's own trouble. Worth a retry, not a stop. */
export class TransientError extends Error {
  override name = 'TransientError';
}
