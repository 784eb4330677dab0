import { describe, expect, it } from 'vitest';
import { sandbox, type SandboxCommandOptions } from '../../src/commands/sandbox.js';
import { UsageError } from '../../src/errors.js';
import { sandboxCredentials } from '../../src/sandbox/server.js';

const tokenPath = '/open-apis/auth/v3/tenant_access_token/internal';

describe('sandbox command', () => {
  it.each<[SandboxCommandOptions, string]>([
    [{ errorRate: 1.5 }, '--error-rate'],
    [{ resetRate: -0.1 }, '--reset-rate'],
    [{ errorRate: 0.6, resetRate: 0.6 }, 'together'],
    [{ latencyMs: -1 }, '--latency'],
    [{ jitterMs: Number.NaN }, '--jitter'],
    [{ port: 70000 }, '--port'],
    [{ rateLimit: 2.5 }, '--rate-limit'],
    [{ tokenTtlSeconds: 0 }, '--token-ttl'],
    [{ seed: -3 }, '--seed'],
    [{ visibilityDelayMs: -1 }, '--visibility-delay'],
    [{ parentChecks: 'sometimes' as never }, '--parent-checks must be one of always, whenHeld, never'],
    [{ reading: 'blog' as never }, '--reading must be one of docs, sdk'],
  ])('refuses %j with a UsageError naming the option', async (options, flag) => {
    const run = sandbox(options, { stderr: () => {}, signal: AbortSignal.abort() });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(flag);
  });

  it('serves until the signal aborts, tells how to point the CLI at it, and returns the counters', async () => {
    const stopper = new AbortController();
    let printed = '';
    let announce: (text: string) => void = () => {};
    const announced = new Promise<string>((resolve) => (announce = resolve));
    const running = sandbox({ rateLimit: 5, seed: 11, idempotency: false, parentChecks: 'never', reading: 'sdk', visibilityDelayMs: 250 }, {
      stderr: (text) => {
        printed += text;
        announce(text);
      },
      signal: stopper.signal,
    });

    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(await announced)?.[1];
    expect(url).toBeDefined();
    expect(printed).toContain(`--base-url ${url} --app-id ${sandboxCredentials.appId} --app-secret ${sandboxCredentials.appSecret}`);
    expect(printed).toContain('seed 11');
    expect(printed).toContain('limits: 5 requests/s per endpoint and operation');
    expect(printed).toContain("idempotency by external_id off, parent checks never, visibility delay 250 ms, the SDK's reading, state in memory only (0 records held)");

    const askToken = (app_secret: string) =>
      fetch(url + tokenPath, { method: 'POST', body: JSON.stringify({ app_id: sandboxCredentials.appId, app_secret }) }).then((response) => response.json());
    expect(await askToken(sandboxCredentials.appSecret)).toMatchObject({ code: 0 });
    expect(await askToken('guess')).toMatchObject({ code: 10014 });

    stopper.abort();
    const stats = await running;
    expect(stats).toMatchObject({ requests: 2, tokensIssued: 1, authFailures: 1 });
    expect(printed).toContain('Sandbox stopped after 2 requests');
    await expect(fetch(url + tokenPath, { method: 'POST' })).rejects.toThrow();
  });

  it('names each endpoint\'s own limits when none is given', async () => {
    let printed = '';
    await sandbox({}, { stderr: (text) => (printed += text), signal: AbortSignal.abort() });
    expect(printed).toContain("limits: each endpoint's own, per operation; creates: talents 50/s and 1000/min, applications 20/s, interviews 10/s,");
    expect(printed).toContain('idempotency by external_id on, parent checks whenHeld, visibility delay 0 ms');
  });

  it('turns a port in use into a UsageError', async () => {
    const first = new AbortController();
    let announce: (text: string) => void = () => {};
    const announced = new Promise<string>((resolve) => (announce = resolve));
    const running = sandbox({}, { stderr: (text) => announce(text), signal: first.signal });
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await announced)?.[1]);

    await expect(sandbox({ port }, { stderr: () => {}, signal: AbortSignal.abort() })).rejects.toThrow(`port ${port} is already in use`);
    first.abort();
    await running;
  });
});
