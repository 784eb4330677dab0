/**
 * Sends records: a bounded number in flight, each request started by the pace, each answer judged by `verdictFor`,
 * transient failures retried with backoff, a refused token renewed once. The caller hands in jobs and gets one
 * result per job; a fatal answer (a missing permission) stops everything.
 *
 * A 429 is never the record's fault, so it costs the record nothing: the record waits and goes again. A rate limit
 * that never lifts (a used-up quota: nothing but 429s for `rateLimitGiveUpMs`) stops the run instead, leaving the
 * records not sent pending for a later run.
 */
import type { Clock } from '../clock.js';
import { ConfigError, ServiceUnavailableError } from '../errors.js';
import { backoffMs, describeAnswer, TransientError, verdictFor, type Answer } from './answer.js';
import type { HireClient } from './client.js';
import { Latencies } from './latency.js';
import type { Pace } from './pace.js';
import type { TokenCache } from './tokenCache.js';

export interface SendJob {
  action: 'create' | 'update';
  /** The Feishu id, for an update. */
  id?: string;
  body: unknown;
}

export type SendResult =
  | { status: 'created' | 'updated'; id: string; attempts: number }
  | { status: 'failed'; code: number | string; msg: string; attempts: number }
  /** Not finished because the run was interrupted: nothing is logged, so a rerun sends it. */
  | { status: 'pending'; attempts: number };

export interface SenderStats {
  requests: number;
  retries: number;
  rateLimited: number;
  /** Tokens refused by the server and renewed for that. */
  tokensRefused: number;
}

export interface SenderOptions {
  client: Pick<HireClient, 'createAssessment' | 'updateAssessment'>;
  tokenCache: TokenCache;
  pace: Pace;
  clock: Clock;
  random: () => number;
  /** Tries per record for transient failures (server errors, timeouts, resets). */
  maxAttempts: number;
  /** Most records in flight at once. */
  concurrency: number;
  /** Aborted on Ctrl-C: no new request starts, answers already under way are still taken. */
  signal: AbortSignal;
  /** Nothing but 429s for this long stops the run; default `rateLimitGiveUpMs`. */
  rateLimitGiveUpMs?: number;
}

/** The stats of a sender that has sent nothing (a dry run has none at all). */
export function noSenderStats(): SenderStats {
  return { requests: 0, retries: 0, rateLimited: 0, tokensRefused: 0 };
}

/**
 * Five minutes of nothing but 429s is no passing burst: Feishu's per-second and per-minute limits lift within a
 * minute, and the pace probes at least once a minute, so the limit is a quota (per hour or day) or another program
 * using the app at its limit. Waiting it out unattended would spend days of requests on nothing.
 */
export const rateLimitGiveUpMs = 5 * 60_000;

export class Sender {
  readonly stats: SenderStats = noSenderStats();
  readonly latencies = new Latencies();
  /** Set when an answer means no record can succeed; the caller stops reading. */
  fatal: Error | undefined;
  readonly #options: SenderOptions;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: SenderOptions) {
    this.#options = options;
  }

  /** Starts the job once a slot is free; `onResult` gets its outcome. Resolves when the job has started. */
  async submit(job: SendJob, onResult: (result: SendResult) => void): Promise<void> {
    while (this.#inFlight.size >= this.#options.concurrency) await Promise.race(this.#inFlight);
    // An error while recording a result (a full disk, say) stops the run like a fatal answer would.
    const running = this.#run(job)
      .then(onResult)
      .catch((error: unknown) => {
        this.fatal ??= error instanceof Error ? error : new Error(String(error));
      });
    this.#inFlight.add(running);
    void running.finally(() => this.#inFlight.delete(running));
  }

  /** Stops the run for `reason` (the result log cannot be written, say): no new request starts. */
  stop(reason: Error): void {
    this.fatal ??= reason;
  }

  /** Waits for every job under way. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /** After the `failures`-th transient failure of a record: waits the backoff and says yes, or says no once its tries are spent. */
  async #backOff(failures: number): Promise<boolean> {
    const { clock, random, maxAttempts, signal } = this.#options;
    if (failures >= maxAttempts) return false;
    this.stats.retries++;
    await clock.sleep(backoffMs(failures, random), signal);
    return true;
  }

  async #run(job: SendJob): Promise<SendResult> {
    const { client, tokenCache, pace, clock, signal } = this.#options;
    let attempts = 0;
    let failures = 0;
    let renewed = false;
    for (;;) {
      if (signal.aborted || this.fatal) return { status: 'pending', attempts };
      let token: string;
      try {
        // Wait for a valid token before taking a slot (a slot held while a token is fetched would go out late, in
        // a burst), and take it again after the slot: the wait for a slot can outlast a short-lived token.
        await tokenCache.get();
        await pace.acquire(signal);
        token = await tokenCache.get();
      } catch (error) {
        if (signal.aborted) return { status: 'pending', attempts };
        if (error instanceof TransientError) {
          // The token endpoint could not answer: this record waits and tries again like any transient failure.
          if (await this.#backOff(++failures)) continue;
          return { status: 'failed', code: 'TOKEN', msg: error.message, attempts };
        }
        this.fatal ??= error instanceof Error ? error : new Error(String(error));
        return { status: 'pending', attempts };
      }
      attempts++;
      this.stats.requests++;
      const sentAt = clock.now();
      const answer = job.action === 'create' ? await client.createAssessment(job.body, token) : await client.updateAssessment(job.id!, job.body, token);
      this.latencies.record(clock.now() - sentAt);
      const verdict = verdictFor(answer);
      if (verdict === 'rateLimited' && answer.kind === 'error') {
        this.stats.rateLimited++;
        pace.rateLimited(answer.resetSeconds, answer.serverLimit);
        const giveUpMs = this.#options.rateLimitGiveUpMs ?? rateLimitGiveUpMs;
        if (pace.rateLimitedForMs() >= giveUpMs) this.stop(new ServiceUnavailableError(quotaMessage(answer.msg, giveUpMs)));
        continue;
      }
      if (answer.kind !== 'network') pace.answered();
      if (answer.kind === 'ok') return { status: job.action === 'create' ? 'created' : 'updated', id: answer.id, attempts };
      if (verdict === 'renewToken' && !renewed) {
        renewed = true;
        this.stats.tokensRefused++;
        tokenCache.refused(token);
        continue;
      }
      if (verdict === 'transient' && (await this.#backOff(++failures))) continue;
      if (verdict === 'fatal') this.fatal ??= new ConfigError(permissionMessage(answer));
      return failed(answer, attempts);
    }
  }
}

function failed(answer: Answer, attempts: number): SendResult {
  return { status: 'failed', ...describeAnswer(answer), attempts };
}

function quotaMessage(msg: string, giveUpMs: number): string {
  const span = giveUpMs >= 60_000 ? `${Math.round(giveUpMs / 60_000)} minutes` : `${Math.round(giveUpMs / 1000)} seconds`;
  return (
    `Feishu has answered '${msg}' to every request for ${span}: the app's quota may be used up, or another program ` +
    "uses the same app at its limit. Check the app's API usage in the Feishu developer console; the records not sent " +
    'are not failed: run the same command again later to send them'
  );
}

function permissionMessage(answer: Answer): string {
  const { code, msg } = describeAnswer(answer);
  return (
    `Feishu refused the app permission (code ${code}: ${msg}). The app needs the permission hire:external_application ` +
    '(导入外部系统信息) and a published version that includes it; grant it in the developer console and run again'
  );
}
