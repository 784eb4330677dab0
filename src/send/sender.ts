/**
 * Sends the records of one endpoint, as its description says: a bounded number in flight, each request started by
 * the pace of the API it calls (create, update and lookup are limited separately), each answer judged by
 * `verdictFor`, transient failures retried with backoff, a refused token renewed once. The caller hands in jobs and
 * gets one result per job; a fatal answer (a missing permission) stops everything.
 *
 * Deletes (an undo) go the same way at the delete API's own pace. Feishu documents no "not found" answer to a
 * DELETE, so every refusal is a failure here; the undo reads the record back to learn whether it is gone after all.
 *
 * An endpoint with `match` (talents) looks each record up first and reuses a match; it creates only when nothing
 * matches, and since its create has no idempotency key, a create whose answer was lost is looked up again before
 * it is sent again.
 *
 * A 429 is never the record's fault, so it costs the record nothing: the record waits and goes again. A rate limit
 * that never lifts (a used-up quota: nothing but 429s for `rateLimitGiveUpMs`) stops the run instead, leaving the
 * records not sent pending for a later run.
 *
 * Nor is an outage (outage.ts): once transient failures of several records in a row show the service unreachable,
 * requests wait while one probes, keeping their tries; an outage longer than `maxOutageMs` stops the run, leaving
 * the records not sent pending. A record that gives up on a transient failure is `failed` with `retryable`: the
 * next run tries it again, and it is nothing for the user to fix.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { Clock } from '../clock.js';
import { formatDuration } from '../duration.js';
import type { EndpointDescription, Limit } from '../endpoints/types.js';
import { feishuCode, feishuCodes } from '../endpoints/codes.js';
import { AppRefusedError, ServiceUnavailableError } from '../errors.js';
import { backoffMs, describeAnswer, TransientError, verdictFor, type Answer, type Failure, type Reply } from './answer.js';
import type { HireClient, Method } from './client.js';
import { Latencies } from './latency.js';
import { Matcher, type Found, type MatchKey, type QueryFailure, type QueryResult } from './matcher.js';
import { defaultMaxOutageMs, defaultOutageThreshold, OutageWatch, type OutageChange } from './outage.js';
import { Pace, type Slot } from './pace.js';
import type { RunStop } from './runStop.js';
import type { TokenCache } from './tokenCache.js';

export interface SendJob {
  action: 'create' | 'update';
  /** The Feishu id, for an update. */
  id?: string;
  body: Record<string, unknown>;
  /** What validation kept beside the body (a phone's dialling code): the look-up reads it, it is not sent. */
  local?: Record<string, unknown>;
  /**
   * The record's parent was created by this run moments ago (the plan knows): a create refused because the parent
   * is missing is tried again for a while, since a new parent may take seconds to become visible.
   */
  parentCreatedRecently?: boolean;
  /**
   * An earlier run sent this create and died before its answer was logged: look for the record on the server first,
   * and create it only when it is not there (a failed look-up fails the record rather than risk a second copy).
   */
  recover?: () => Promise<Found>;
  /**
   * Called once, just before the create first goes on the wire (after its slot, its token and the pace), to write
   * its intent; false when that could not be written: the create is then not sent (pending).
   */
  announce?: () => boolean;
}

export type SendResult =
  /**
   * `matched`: an existing record was found by the endpoint's `match` and is reused; nothing was created.
   * `recovered`: created by an earlier run whose answer was lost, found on the server (see SendJob.recover).
   */
  | { status: 'created' | 'updated' | 'matched'; id: string; attempts: number; recovered?: true }
  /** `retryable`: it gave up on a transient failure (the server or the network): a rerun tries again; nothing to fix. */
  | { status: 'failed'; code: number | string; msg: string; attempts: number; logId?: string; retryable?: true }
  /** The server refused a look-up key of the record as malformed (a mobile number, 1002009): fix `field` in the input. */
  | { status: 'invalid'; field: string; code: number | string; msg: string; attempts: number }
  /** Not finished because the run was interrupted: nothing is logged, so a rerun sends it. */
  | { status: 'pending'; attempts: number };

/** The outcome of a delete: `notFound` when the record was already gone. */
export type DeleteResult =
  | { status: 'deleted'; id: string; notFound: boolean; attempts: number; logId?: string }
  | Exclude<SendResult, { status: 'created' | 'updated' | 'matched' | 'invalid' }>;

export interface SenderStats {
  requests: number;
  retries: number;
  rateLimited: number;
  /** Tokens refused by the server and renewed for that. */
  tokensRefused: number;
  /** Outages: times sending paused because nothing answered, and how long those pauses lasted in all. */
  outages: number;
  outageMs: number;
}

export interface SenderOptions {
  endpoint: EndpointDescription;
  client: Pick<HireClient, 'create' | 'update' | 'delete' | 'request'>;
  tokenCache: TokenCache;
  clock: Clock;
  random: () => number;
  /** Requests per second on each API this sender calls, instead of the documented limits (--rate). */
  rate?: number;
  /** Tries per record for transient failures (server errors, timeouts, resets). */
  maxAttempts: number;
  /** Most records in flight at once. */
  concurrency: number;
  /** Aborted on Ctrl-C: no new request starts, answers already under way are still taken. */
  signal: AbortSignal;
  /** Nothing but 429s for this long stops the run; default `rateLimitGiveUpMs`. */
  rateLimitGiveUpMs?: number;
  /** An outage (nothing answers) this long stops the run; default `defaultMaxOutageMs`. */
  maxOutageMs?: number;
  /** Told when sending pauses for an outage, as it goes on, and when it ends (progress shows it). */
  onOutage?: (change: OutageChange) => void;
  /** Shared by the senders of one connection: a whole-app refusal stops them all. */
  runStop?: RunStop;
}

/** The stats of a sender that has sent nothing (a dry run has none at all). */
export function noSenderStats(): SenderStats {
  return { requests: 0, retries: 0, rateLimited: 0, tokensRefused: 0, outages: 0, outageMs: 0 };
}

/**
 * Five minutes of nothing but 429s is no passing burst: Feishu's per-second and per-minute limits lift within a
 * minute, and the pace probes at least once a minute, so the limit is a quota (per hour or day) or another program
 * using the app at its limit. Waiting it out unattended would spend days of requests on nothing.
 */
export const rateLimitGiveUpMs = 5 * 60_000;
/** A child whose new parent is not visible yet waits 1, 2, 4, 8, 16 s at most (with jitter: about 15 to 30 s in all). */
const parentWaits = 5;
const parentWaitBaseMs = 1000;

/** The tries one record (or one lookup request) has spent so far. */
interface Tries {
  attempts: number;
  failures: number;
  renewed: boolean;
  parentWaits: number;
}

function freshTries(): Tries {
  return { attempts: 0, failures: 0, renewed: false, parentWaits: 0 };
}

/** How one request ended once its answer was final. */
type Settled<Ok> = { kind: 'ok'; answer: Ok } | QueryFailure | { kind: 'pending' };
/** What to do with a transient failure: retry it, or report it as `lost` (the request may have arrived). */
type OnTransient = 'retry' | 'report';
type Exchanged<Ok, Mode extends OnTransient> = Settled<Ok> | (Mode extends 'report' ? { kind: 'lost'; answer: Failure } : never);
type Created = Extract<Answer, { kind: 'ok' }>;

export class Sender {
  readonly stats: SenderStats = noSenderStats();
  readonly latencies = new Latencies();
  /** Set when an answer means no record can succeed; the caller stops reading. */
  fatal: Error | undefined;
  /** One pace per API called: the limits are per API. */
  readonly paces: { create: Pace; update?: Pace; delete?: Pace; match?: Pace; read?: Pace };
  readonly #options: SenderOptions;
  readonly #matcher: Matcher | undefined;
  /** At most `concurrency` jobs under way; `submit` waits for a free slot, so its queue holds only jobs being submitted. */
  readonly #slots: LimitFunction;
  /** Every job submitted and not yet settled (running or about to), for `drain`. */
  readonly #jobs = new Set<Promise<void>>();
  readonly #outage: OutageWatch;
  /** Aborted by the caller's signal or by a stop: every wait ends, no new request starts. */
  readonly #halt = new AbortController();
  readonly #signal: AbortSignal;

  constructor(options: SenderOptions) {
    this.#options = options;
    this.#signal = AbortSignal.any([options.signal, this.#halt.signal]);
    this.#slots = pLimit(options.concurrency);
    options.runStop?.onStop((reason) => this.stop(reason));
    const { endpoint, clock, rate, signal } = options;
    // With fewer records in flight than the threshold, one more than fit at once is enough: the ones in flight gave up.
    const threshold = Math.min(defaultOutageThreshold, options.concurrency + 1);
    this.#outage = new OutageWatch({ clock, maxOutageMs: options.maxOutageMs ?? defaultMaxOutageMs, threshold, stats: this.stats, onChange: options.onOutage });
    const paceFor = (limit: Limit) => new Pace({ rate: rate ?? limit.perSecond, perMinute: limit.perMinute, clock });
    this.paces = {
      create: paceFor(endpoint.create.limit),
      update: endpoint.update && paceFor(endpoint.update.limit),
      delete: endpoint.delete && paceFor(endpoint.delete.limit),
      match: endpoint.match && paceFor(endpoint.match.limit),
      read: endpoint.readBack && 'limit' in endpoint.readBack ? paceFor(endpoint.readBack.limit) : undefined,
    };
    const { match } = endpoint;
    const matchPace = this.paces.match;
    if (match && matchPace) {
      this.#matcher = new Matcher({
        match,
        clock,
        signal,
        query: (body) => this.lookUp(body),
      });
    }
  }

  /** Starts the job once a slot is free; `onResult` gets its outcome. Resolves when the job has started. */
  submit(job: SendJob, onResult: (result: SendResult) => void): Promise<void> {
    return this.#start(() => this.#run(job), onResult);
  }

  /** Deletes record `id` once a slot is free; `onResult` gets its outcome. Resolves when the delete has started. */
  submitDelete(id: string, onResult: (result: DeleteResult) => void): Promise<void> {
    return this.#start(() => this.#delete(id), onResult);
  }

  #start<Result>(run: () => Promise<Result>, onResult: (result: Result) => void): Promise<void> {
    // Resolves once p-limit starts the job, so the reader waits here for a free slot and memory stays bounded. Every
    // job queued runs, even after a stop (it then settles pending at once), so each one gets its result.
    return new Promise((started) => {
      const job = this.#slots(async () => {
        started();
        try {
          onResult(await run());
        } catch (error) {
          // An error while recording a result (a full disk, say) stops the run like a fatal answer would.
          this.stop(error instanceof Error ? error : new Error(String(error)));
        }
      });
      this.#jobs.add(job);
      void job.finally(() => this.#jobs.delete(job));
    });
  }

  /**
   * A request to the endpoint's own read-back API (a batch query, a list), paced at that API's limit and retried
   * like every other request.
   */
  async read(method: Method, path: string, body: unknown): Promise<QueryResult> {
    const pace = this.paces.read;
    if (!pace) throw new Error(`${this.#options.endpoint.resource} has no read-back API of its own`);
    const sent = await this.#exchange(pace, (token) => this.#options.client.request(method, path, body, token), freshTries(), 'retry');
    return sent.kind === 'ok' ? { kind: 'ok', body: sent.answer.body } : sent;
  }

  /** One request to the endpoint's look-up API (`match`: talents/batch_get_id), paced at its limit and retried. */
  async lookUp(body: Record<string, unknown>): Promise<QueryResult> {
    const { match } = this.#options.endpoint;
    const pace = this.paces.match;
    if (!match || !pace) throw new Error(`${this.#options.endpoint.resource} has no look-up API`);
    const sent = await this.#exchange(pace, (token) => this.#options.client.request('POST', match.path, body, token), freshTries(), 'retry');
    return sent.kind === 'ok' ? { kind: 'ok', body: sent.answer.body } : sent;
  }

  /** Stops the run for `reason` (the result log cannot be written, say): no new request starts. */
  stop(reason: Error): void {
    this.fatal ??= reason;
    this.#halt.abort();
  }

  /** Waits for every job under way. */
  async drain(): Promise<void> {
    while (this.#jobs.size > 0) await Promise.all(this.#jobs);
  }

  async #run(job: SendJob): Promise<SendResult> {
    const { endpoint, client } = this.#options;
    const tries = freshTries();
    if (job.action === 'update') {
      const update = this.paces.update;
      if (!update) throw new Error(`${endpoint.resource} cannot be updated`);
      return this.#exchange(update, (token) => client.update(endpoint, job.id!, job.body, token), tries, 'retry', job).then((sent) =>
        resultOf(sent, 'updated', tries),
      );
    }
    if (this.#matcher) return this.#matchThenCreate(this.#matcher, job, tries);
    if (job.recover) {
      const found = await job.recover();
      if (found.kind === 'found') return { status: 'created', id: found.id, attempts: tries.attempts, recovered: true };
      if (found.kind !== 'none') return resultOf(found, 'created', tries);
    }
    return this.#create(job, tries, 'retry').then((sent) => resultOf(sent, 'created', tries));
  }

  async #delete(id: string): Promise<DeleteResult> {
    const { endpoint, client } = this.#options;
    const pace = this.paces.delete;
    if (!pace) throw new Error(`${endpoint.resource} cannot be deleted`);
    const tries = freshTries();
    const sent = await this.#exchange(pace, (token) => client.delete(endpoint, id, token), tries, 'retry');
    const { attempts } = tries;
    if (sent.kind === 'ok') return { status: 'deleted', id, notFound: false, attempts, ...(sent.answer.logId ? { logId: sent.answer.logId } : {}) };
    if (sent.kind === 'pending') return { status: 'pending', attempts };
    const { kind: _kind, ...failed } = sent;
    return { status: 'failed', ...failed, attempts };
  }

  #create<Mode extends OnTransient>(job: SendJob, tries: Tries, lost: Mode): Promise<Exchanged<Created, Mode>> {
    const { endpoint, client } = this.#options;
    return this.#exchange(this.paces.create, (token) => client.create(endpoint, job.body, token), tries, lost, job);
  }

  async #matchThenCreate(matcher: Matcher, job: SendJob, tries: Tries): Promise<SendResult> {
    const keys = matcher.keysOf(job.body, job.local);
    const claim = matcher.claim(keys); // at once, so records sharing a key settle in the order they came
    let id: string | undefined;
    try {
      const found = await claim.find();
      if (found.kind === 'found') return { status: 'matched', id: (id = found.id), attempts: tries.attempts };
      if (found.kind !== 'none') return resultOf(found, 'created', tries);
      const result = await this.#createOnce(matcher, job, keys, tries);
      if (result.status === 'created') id = result.id;
      return result;
    } finally {
      claim.settle(id);
    }
  }

  /** Creates a record that has no idempotency key: an answer lost on the way back is looked up before resending. */
  async #createOnce(matcher: Matcher, job: SendJob, keys: MatchKey[], tries: Tries): Promise<SendResult> {
    for (;;) {
      const sent = await this.#create(job, tries, 'report');
      if (sent.kind !== 'lost') return resultOf(sent, 'created', tries);
      if (keys.length === 0) {
        const kinds = matcher.keyNames.join(' or ');
        return {
          status: 'failed',
          ...describeAnswer(sent.answer),
          msg: `answer lost and no ${kinds} to look it up by; check Feishu before rerunning`,
          attempts: tries.attempts,
        };
      }
      const again = await this.#afterTransient(tries, describeAnswer(sent.answer).msg);
      const found = await matcher.lookUp(keys);
      if (found.kind === 'found') return { status: 'created', id: found.id, attempts: tries.attempts };
      if (found.kind !== 'none') return resultOf(found, 'created', tries);
      if (!again) return resultOf(failure(sent.answer), 'created', tries);
    }
  }

  /**
   * After a transient failure: go again (true) or give up (false). In an outage the failure is not the record's and
   * costs it nothing (it waits in `admit`); otherwise it is one of the record's tries, and backs off.
   */
  async #afterTransient(tries: Tries, reason: string): Promise<boolean> {
    if (this.#outage.failed(tries, reason)) return true;
    return this.#backOff(++tries.failures);
  }

  /** After the `failures`-th transient failure: waits the backoff and says yes, or says no once the tries are spent. */
  async #backOff(failures: number): Promise<boolean> {
    const { clock, random, maxAttempts } = this.#options;
    if (failures >= maxAttempts) return false;
    this.stats.retries++;
    await clock.sleep(backoffMs(failures, random), this.#signal);
    return true;
  }

  /**
   * Sends one request until its answer is final: paced, with a valid token, 429s waited out, a refused token
   * renewed once, transient failures retried with backoff (or, with `lost: 'report'`, handed back to the caller).
   */
  async #exchange<Ok extends Extract<Answer | Reply, { kind: 'ok' }>, Mode extends OnTransient>(
    pace: Pace,
    send: (token: string) => Promise<Ok | Failure>,
    tries: Tries,
    lost: Mode,
    job?: SendJob,
  ): Promise<Exchanged<Ok, Mode>> {
    const { tokenCache, clock, random, endpoint } = this.#options;
    const signal = this.#signal;
    for (;;) {
      if (signal.aborted || this.fatal) return { kind: 'pending' };
      const admission = await this.#outage.admit(tries, signal);
      if (admission === 'stop') this.stop(new ServiceUnavailableError(outageMessage(this.#outage.lastFailure, this.#options.maxOutageMs ?? defaultMaxOutageMs)));
      if (admission !== 'send') return { kind: 'pending' };
      let token: string;
      let slot: Slot;
      try {
        // Wait for a valid token before taking a slot (a slot held while a token is fetched would go out late, in
        // a burst), and take it again after the slot: the wait for a slot can outlast a short-lived token.
        await tokenCache.get();
        slot = await pace.acquire(signal);
        token = await tokenCache.get();
      } catch (error) {
        if (signal.aborted) return { kind: 'pending' };
        if (error instanceof TransientError) {
          // The token endpoint could not answer: wait and try again like any transient failure.
          if (await this.#afterTransient(tries, error.message)) continue;
          return { kind: 'failed', code: 'TOKEN', msg: error.message, retryable: true };
        }
        this.stop(error instanceof Error ? error : new Error(String(error)));
        return { kind: 'pending' };
      }
      if (tries.attempts === 0 && job?.announce && !job.announce()) return { kind: 'pending' };
      tries.attempts++;
      this.stats.requests++;
      const sentAt = clock.now();
      slot.left(); // the pace counts the start from now, however late after its slot this is
      const answer = await send(token);
      this.latencies.record(clock.now() - sentAt);
      const verdict = verdictFor(answer);
      if (verdict !== 'transient') this.#outage.answered();
      if (answer.kind === 'ok') {
        pace.answered();
        return { kind: 'ok', answer };
      }
      if (verdict === 'rateLimited' && answer.kind === 'error') {
        this.stats.rateLimited++;
        pace.rateLimited(answer.resetSeconds, answer.serverLimit);
        const giveUpMs = this.#options.rateLimitGiveUpMs ?? rateLimitGiveUpMs;
        if (pace.rateLimitedForMs() >= giveUpMs) this.stop(new ServiceUnavailableError(quotaMessage(answer.msg, giveUpMs)));
        continue;
      }
      if (answer.kind !== 'network') pace.answered();
      if (verdict === 'renewToken' && !tries.renewed) {
        tries.renewed = true;
        this.stats.tokensRefused++;
        tokenCache.refused(token);
        continue;
      }
      if (verdict === 'transient') {
        if (lost === 'report') return { kind: 'lost', answer } as Exchanged<Ok, Mode>;
        if (await this.#afterTransient(tries, describeAnswer(answer).msg)) continue;
      }
      if (verdict === 'rejected' && job?.parentCreatedRecently && answer.kind === 'error' && answer.code === endpoint.parent?.missingCode) {
        if (tries.parentWaits < parentWaits) {
          this.stats.retries++;
          await clock.sleep(backoffMs(++tries.parentWaits, random, parentWaitBaseMs), signal);
          continue;
        }
      }
      if (verdict === 'fatal') {
        // Not the record's fault: it stays unsent (nothing logged, nothing to fix in it), and the rerun sends it.
        const refused = new AppRefusedError(refusalMessage(answer, endpoint));
        if (this.#options.runStop) this.#options.runStop.stop(refused);
        else this.stop(refused);
        return { kind: 'pending' };
      }
      return failure(answer);
    }
  }
}

/** A final failure; one that was transient (the server or the network) is `retryable` by a later run. */
function failure(answer: Failure): QueryFailure {
  return { kind: 'failed', ...describeAnswer(answer), ...(verdictFor(answer) === 'transient' ? { retryable: true as const } : {}) };
}

function outageMessage(lastFailure: string, maxOutageMs: number): string {
  return (
    `Feishu could not be reached for ${formatDuration(maxOutageMs)}: every request failed (the last: ${lastFailure}), and ` +
    'probes at growing intervals found no answer. The records not sent are not failed: check the network and ' +
    "Feishu's status, then run the same command again to continue"
  );
}

function quotaMessage(msg: string, giveUpMs: number): string {
  const span = giveUpMs >= 60_000 ? `${Math.round(giveUpMs / 60_000)} minutes` : `${Math.round(giveUpMs / 1000)} seconds`;
  return (
    `Feishu has answered '${msg}' to every request for ${span}: the app's quota may be used up, or another program ` +
    "uses the same app at its limit. Check the app's API usage in the Feishu developer console; the records not sent " +
    'are not failed: run the same command again later to send them'
  );
}

/** A settled exchange (or lookup) as the record's result. */
function resultOf(sent: Settled<{ id: string }>, done: 'created' | 'updated', tries: Tries): SendResult {
  const { attempts } = tries;
  if (sent.kind === 'pending') return { status: 'pending', attempts };
  if (sent.kind === 'failed') {
    const { kind: _kind, invalid, ...failed } = sent;
    if (invalid !== undefined) return { status: 'invalid', field: invalid, code: failed.code, msg: failed.msg, attempts };
    return { status: 'failed', ...failed, attempts };
  }
  return { status: done, id: sent.answer.id, attempts };
}

/** Why Feishu refused the app as a whole, and what to fix: the code table's advice, with the permissions it needs. */
function refusalMessage(answer: Failure, endpoint: EndpointDescription): string {
  const { code, msg } = describeAnswer(answer);
  const { permissions } = endpoint;
  const needed = permissions.length === 1 ? `the permission ${permissions[0]}` : `the permissions ${permissions.join(' and ')} (the docs name both)`;
  const fix = feishuCode(code)?.fix ?? 'check the app in the developer console and run again';
  const asksPermission = code === feishuCodes.missingPermission.code || code === feishuCodes.tokenLacksPermission.code;
  return (
    `Feishu refused the app itself, not a record, while importing ${endpoint.title}s (code ${code}: ${msg}); ` +
    `${asksPermission ? `the app needs ${needed}: ` : ''}${fix}. What was sent is logged: the rerun continues where this run stopped`
  );
}
