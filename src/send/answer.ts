/**
 * What the API answered, and what that means for the record, as Feishu's code table (src/endpoints/codes.ts) says.
 */
import { feishuCode, feishuCodes } from '../endpoints/codes.js';

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
  /** No record can succeed (a whole-app refusal: a missing permission, the IP allow-list, the quota): stop the run. */
  | 'fatal';

export const rateLimitCode = feishuCodes.rateLimited.code;

export function verdictFor(answer: Answer | Reply): Verdict {
  if (answer.kind === 'ok') return 'done';
  if (answer.kind === 'network') return 'transient';
  const kind = feishuCode(answer.code)?.kind;
  if (kind === 'rateLimit' || answer.status === 429) return 'rateLimited';
  if (kind === 'token') return 'renewToken';
  if (kind === 'app') return 'fatal';
  if (kind === 'transient' || answer.status >= 500) return 'transient';
  return 'rejected';
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
