/** `hire-import sandbox`: serves the local Feishu emulator until interrupted, then reports what it saw. */
import { endpoints } from '../endpoints/registry.js';
import type { Limit } from '../endpoints/types.js';
import { UsageError } from '../errors.js';
import {
  readings,
  sandboxCredentials,
  sandboxSettings,
  startSandbox,
  type ParentChecks,
  type SandboxOptions,
  type SandboxSettings,
  type SandboxStats,
} from '../sandbox/server.js';

/** What the sandbox serves with; the credentials are always the fixed sandbox pair. */
export type SandboxCommandOptions = Omit<SandboxOptions, 'appId' | 'appSecret'>;

export const parentCheckModes: readonly ParentChecks[] = ['always', 'whenHeld', 'never'];

export interface SandboxCommandIo {
  stderr: (text: string) => void;
  /** Aborting it stops the sandbox. */
  signal: AbortSignal;
}

function requireInteger(flag: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

function requireNumber(flag: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= min && value <= max)) {
    throw new UsageError(`${flag} must be a number from ${min} to ${max}, got ${value}`);
  }
}

export function validateSandboxOptions(options: SandboxCommandOptions): void {
  requireInteger('--port', options.port, 0, 65535);
  requireInteger('--rate-limit', options.rateLimit, 0, Number.MAX_SAFE_INTEGER);
  requireNumber('--latency', options.latencyMs, 0, Number.MAX_SAFE_INTEGER);
  requireNumber('--jitter', options.jitterMs, 0, Number.MAX_SAFE_INTEGER);
  requireNumber('--error-rate', options.errorRate, 0, 1);
  requireNumber('--reset-rate', options.resetRate, 0, 1);
  // The two shares are drawn from one roll, so together they cannot exceed every request.
  if ((options.errorRate ?? 0) + (options.resetRate ?? 0) > 1) {
    throw new UsageError(`--error-rate and --reset-rate together must not exceed 1, got ${options.errorRate} + ${options.resetRate}`);
  }
  requireInteger('--token-ttl', options.tokenTtlSeconds, 1, Number.MAX_SAFE_INTEGER);
  requireInteger('--seed', options.seed, 0, 2 ** 32 - 1);
  requireNumber('--visibility-delay', options.visibilityDelayMs, 0, Number.MAX_SAFE_INTEGER);
  if (options.reading !== undefined && !readings.includes(options.reading)) {
    throw new UsageError(`--reading must be one of ${readings.join(', ')}, got ${options.reading}`);
  }
  if (options.parentChecks !== undefined && !parentCheckModes.includes(options.parentChecks)) {
    throw new UsageError(`--parent-checks must be one of ${parentCheckModes.join(', ')}, got ${options.parentChecks}`);
  }
}

function describeLimit(limit: Limit): string {
  return limit.perMinute === undefined ? `${limit.perSecond}/s` : `${limit.perSecond}/s and ${limit.perMinute}/min`;
}

/** The limits in force: the descriptions' (creates shown; every operation has its own), or the override. */
function describeLimits(settings: SandboxSettings): string {
  if (settings.rateLimit === 0) return 'no rate limits';
  if (settings.rateLimit !== undefined) return `${settings.rateLimit} requests/s per endpoint and operation`;
  return `each endpoint's own, per operation; creates: ${endpoints.map((endpoint) => `${endpoint.resource} ${describeLimit(endpoint.create.limit)}`).join(', ')}`;
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export async function sandbox(options: SandboxCommandOptions, io: SandboxCommandIo): Promise<SandboxStats> {
  validateSandboxOptions(options);
  // Settled here rather than inside the sandbox so the seed can be printed and the run reproduced.
  const settings = sandboxSettings({ ...options, ...sandboxCredentials });
  const started = await startSandbox(settings).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${settings.port} is already in use`);
    throw error;
  });

  const { url } = started;
  const held = endpoints.map((endpoint) => started.records(endpoint.resource).length).reduce((sum, count) => sum + count, 0);
  io.stderr(
    [
      `Feishu Hire sandbox listening on ${url}`,
      `  limits: ${describeLimits(settings)}`,
      `  latency ${settings.latencyMs} ± ${settings.jitterMs} ms, error rate ${settings.errorRate}, reset rate ${settings.resetRate}, ` +
        `token TTL ${settings.tokenTtlSeconds} s, seed ${settings.seed}`,
      `  idempotency by external_id ${settings.idempotency ? 'on' : 'off'}, parent checks ${settings.parentChecks}, ` +
        `visibility delay ${settings.visibilityDelayMs} ms, the ${settings.reading === 'docs' ? "docs'" : "SDK's"} reading, state ${settings.stateFile ?? 'in memory only'} (${held} records held)`,
      'Point the CLI at it (these credentials only open this sandbox):',
      `  hire-import RESOURCE FILE --base-url ${url} --app-id ${sandboxCredentials.appId} --app-secret ${sandboxCredentials.appSecret}`,
      `Counters: ${url}/sandbox/stats   Records: ${url}/sandbox/records/RESOURCE`,
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );

  await untilAborted(io.signal);
  await started.close();
  const stats = started.stats();
  io.stderr(
    `Sandbox stopped after ${stats.requests} requests: ${stats.created} created, ${stats.replayed} replayed, ${stats.updated} updated, ` +
      `${stats.deleted} deleted, ${stats.read} read-backs, ${stats.lookups} look-ups, ${stats.rateLimited} rate-limited, ` +
      `${stats.serverErrors} server errors, ${stats.resets} resets, ${stats.invalid} invalid, ${stats.missingParent} missing parents, ` +
      `${stats.authFailures} auth failures.\n`,
  );
  return stats;
}
