import { describe, expect, it } from 'vitest';
import { TransientError, type Answer } from '../../src/send/answer.js';
import { Pace } from '../../src/send/pace.js';
import { Sender, type SendResult } from '../../src/send/sender.js';
import { TokenCache } from '../../src/send/tokenCache.js';
import { fakeClock } from '../support/fakeClock.js';

const ok = (id = '698'): Answer => ({ kind: 'ok', status: 200, id });
const error = (status: number, code: number, extra: Partial<Extract<Answer, { kind: 'error' }>> = {}): Answer => ({ kind: 'error', status, code, msg: `code ${code}`, ...extra });

/** A sender whose client answers from a script, one answer per request, and records the tokens it was given. */
function scripted(
  answers: Answer[],
  options: { maxAttempts?: number; signal?: AbortSignal; onRequest?: () => void; tokenOutages?: number; rateLimitGiveUpMs?: number } = {},
) {
  const clock = fakeClock();
  const tokensSeen: string[] = [];
  let issued = 0;
  let outages = options.tokenOutages ?? 0;
  const tokenCache = new TokenCache(async () => {
    if (outages-- > 0) throw new TransientError('the token endpoint answered HTTP 503');
    return { token: `t-${++issued}`, expire: 7200 };
  }, clock);
  const pace = new Pace({ rate: 20, clock });
  const answer = async (_body: unknown, token: string) => {
    tokensSeen.push(token);
    options.onRequest?.();
    const next = answers.shift();
    if (!next) throw new Error('the client was asked more often than the script says');
    return next;
  };
  const sender = new Sender({
    client: { createAssessment: answer, updateAssessment: (_id, body, token) => answer(body, token) },
    tokenCache,
    pace,
    clock,
    random: () => 0.5,
    maxAttempts: options.maxAttempts ?? 3,
    concurrency: 4,
    signal: options.signal ?? new AbortController().signal,
    rateLimitGiveUpMs: options.rateLimitGiveUpMs,
  });
  const send = async (action: 'create' | 'update' = 'create'): Promise<SendResult> => {
    let result: SendResult | undefined;
    await sender.submit({ action, id: '698', body: { external_id: 'A' } }, (outcome) => (result = outcome));
    await sender.drain();
    return result!;
  };
  return { sender, send, tokensSeen, pace, clock, answersLeft: () => answers.length };
}

describe('Sender', () => {
  it('creates and updates', async () => {
    expect(await scripted([ok('1')]).send()).toEqual({ status: 'created', id: '1', attempts: 1 });
    expect(await scripted([ok('2')]).send('update')).toEqual({ status: 'updated', id: '2', attempts: 1 });
  });

  it('retries server errors and resets with backoff, then gives up with the last code', async () => {
    const recovering = scripted([error(500, 1002001), { kind: 'network', code: 'ECONNRESET', msg: 'reset' }, ok()]);
    expect(await recovering.send()).toMatchObject({ status: 'created', attempts: 3 });
    expect(recovering.sender.stats.retries).toBe(2);
    const failing = scripted([error(500, 1002001), error(502, 502), error(500, 1002001)]);
    expect(await failing.send()).toEqual({ status: 'failed', code: 1002001, msg: 'code 1002001', attempts: 3 });
  });

  it('renews a refused token once and sends again with the new one; a second refusal fails the record', async () => {
    const renewing = scripted([error(400, 99991663), ok()]);
    expect(await renewing.send()).toMatchObject({ status: 'created', attempts: 2 });
    expect(renewing.tokensSeen).toEqual(['t-1', 't-2']);
    const refused = scripted([error(400, 99991663), error(400, 99991671)]);
    expect(await refused.send()).toMatchObject({ status: 'failed', code: 99991671 });
  });

  it('waits out a 429 and slows down without spending the record\'s tries', async () => {
    const limited = scripted([error(429, 99991400, { resetSeconds: 1, serverLimit: 10 }), error(400, 99991400), ok()], { maxAttempts: 1 });
    expect(await limited.send()).toMatchObject({ status: 'created', attempts: 3 });
    expect(limited.sender.stats.rateLimited).toBe(2);
    expect(limited.pace.state.ceiling).toBe(10);
  });

  it('never fails a record for 429s: a hundred in a row, then it is created', async () => {
    const limited = scripted([...Array.from({ length: 100 }, () => error(429, 99991400, { resetSeconds: 1 })), ok()], { maxAttempts: 1 });
    expect(await limited.send()).toMatchObject({ status: 'created', attempts: 101 });
    expect(limited.sender.fatal).toBeUndefined();
  });

  it('stops the run after five minutes of nothing but 429s, leaving the record pending, not failed', async () => {
    const quota = { msg: 'request trigger frequency limit', resetSeconds: 86_400 };
    const endless = scripted(Array.from({ length: 1000 }, () => error(429, 99991400, quota)));
    expect(await endless.send()).toEqual({ status: 'pending', attempts: expect.any(Number) });
    expect(endless.sender.fatal?.name).toBe('ServiceUnavailableError');
    expect(endless.sender.fatal?.message).toMatch(/^Feishu has answered 'request trigger frequency limit' to every request for 5 minutes: the app's quota may be used up/);
    // Stopped within a probe interval of the five minutes, after probing at most once a minute.
    expect(endless.clock.now()).toBeGreaterThanOrEqual(5 * 60_000);
    expect(endless.clock.now()).toBeLessThan(6 * 60_000 + 1000);
    expect(endless.sender.stats.rateLimited).toBeLessThan(20);
  });

  it('counts the five minutes from the last answer that was not a 429', async () => {
    const limited = (count: number) => Array.from({ length: count }, () => error(429, 99991400, { resetSeconds: 60 }));
    // Four minutes of 429s, one refusal (the gateway let it through), four more minutes: never five in a row.
    const run = scripted([...limited(4), error(400, 1002002), ...limited(4), ok()]);
    expect(await run.send()).toMatchObject({ status: 'failed', code: 1002002 });
    expect(await run.send()).toMatchObject({ status: 'created' });
    expect(run.sender.fatal).toBeUndefined();
  });

  it('rides out a token endpoint that cannot answer for a while, and gives up after the record\'s tries', async () => {
    const recovering = scripted([ok()], { tokenOutages: 2 });
    expect(await recovering.send()).toMatchObject({ status: 'created', attempts: 1 });
    expect(recovering.sender.fatal).toBeUndefined();
    const down = scripted([], { tokenOutages: 10, maxAttempts: 3 });
    expect(await down.send()).toEqual({ status: 'failed', code: 'TOKEN', msg: 'the token endpoint answered HTTP 503', attempts: 0 });
    expect(down.sender.fatal).toBeUndefined();
  });

  it('fails a record the server refuses, at once', async () => {
    const refused = scripted([error(400, 1002002)]);
    expect(await refused.send()).toEqual({ status: 'failed', code: 1002002, msg: 'code 1002002', attempts: 1 });
  });

  it('stops everything on a missing permission', async () => {
    const forbidden = scripted([error(400, 99991672)]);
    expect(await forbidden.send()).toMatchObject({ status: 'failed', code: 99991672 });
    expect(forbidden.sender.fatal?.message).toMatch(/hire:external_application/);
    expect(await forbidden.send()).toEqual({ status: 'pending', attempts: 0 });
  });

  it('after an interrupt starts nothing new and leaves a retry pending', async () => {
    const controller = new AbortController();
    // Ctrl-C while the first request is under way; its answer is a server error.
    const interrupted = scripted([error(500, 1002001)], { signal: controller.signal, onRequest: () => controller.abort() });
    expect(await interrupted.send()).toEqual({ status: 'pending', attempts: 1 });
    expect(await interrupted.send()).toEqual({ status: 'pending', attempts: 0 });
    expect(interrupted.answersLeft()).toBe(0);
  });
});
