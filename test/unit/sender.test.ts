import { describe, expect, it } from 'vitest';
import { assessments } from '../../src/endpoints/assessments.js';
import { offers } from '../../src/endpoints/offers.js';
import { talents } from '../../src/endpoints/talents.js';
import type { EndpointDescription } from '../../src/endpoints/types.js';
import { TransientError, type Answer, type Failure, type Reply } from '../../src/send/answer.js';
import { Sender, type DeleteResult, type SenderOptions, type SendJob, type SendResult } from '../../src/send/sender.js';
import { applications } from '../../src/endpoints/applications.js';
import { interviews } from '../../src/endpoints/interviews.js';
import { TokenCache } from '../../src/send/tokenCache.js';
import { fakeClock } from '../support/fakeClock.js';

const ok = (id = '698'): Answer => ({ kind: 'ok', status: 200, id });
const error = (status: number, code: number, extra: Partial<Extract<Answer, { kind: 'error' }>> = {}): Answer => ({ kind: 'error', status, code, msg: `code ${code}`, ...extra });
const reset: Failure = { kind: 'network', code: 'ECONNRESET', msg: 'reset' };

interface Script {
  endpoint?: EndpointDescription;
  maxAttempts?: number;
  signal?: AbortSignal;
  onRequest?: () => void;
  tokenOutages?: number;
  rate?: number;
  rateLimitGiveUpMs?: number;
  /** Answers a lookup (talents/batch_get_id) body. */
  lookup?: (body: Record<string, unknown>) => Reply;
}

/** A sender whose client answers creates and updates from a script, one answer per request, and lookups by a rule. */
function scripted(answers: Answer[], options: Script = {}) {
  const clock = fakeClock();
  const tokensSeen: string[] = [];
  const sent: Array<{ what: string; body: unknown }> = [];
  let issued = 0;
  let outages = options.tokenOutages ?? 0;
  const tokenCache = new TokenCache(async () => {
    if (outages-- > 0) throw new TransientError('the token endpoint answered HTTP 503');
    return { token: `t-${++issued}`, expire: 7200 };
  }, clock);
  const answer = async (what: string, body: unknown, token: string) => {
    tokensSeen.push(token);
    sent.push({ what, body });
    options.onRequest?.();
    const next = answers.shift();
    if (!next) throw new Error('the client was asked more often than the script says');
    return next;
  };
  const sender = new Sender({
    endpoint: options.endpoint ?? assessments,
    client: {
      create: (_endpoint, body, token) => answer('create', body, token),
      update: (_endpoint, id, body, token) => answer(`update ${id}`, body, token),
      delete: (_endpoint, id, token) => answer(`delete ${id}`, undefined, token),
      request: async (method, path, body, token) => {
        tokensSeen.push(token);
        sent.push({ what: `${method} ${path}`, body });
        return options.lookup!(body as Record<string, unknown>);
      },
    },
    tokenCache,
    clock,
    random: () => 0.5,
    rate: options.rate,
    maxAttempts: options.maxAttempts ?? 3,
    concurrency: 4,
    signal: options.signal ?? new AbortController().signal,
    rateLimitGiveUpMs: options.rateLimitGiveUpMs,
  });
  const send = async (job: Partial<SendJob> = {}): Promise<SendResult> => {
    let result: SendResult | undefined;
    await sender.submit({ action: 'create', body: { external_id: 'A' }, ...job }, (outcome) => (result = outcome));
    await sender.drain();
    return result!;
  };
  const remove = async (id: string): Promise<DeleteResult> => {
    let result: DeleteResult | undefined;
    await sender.submitDelete(id, (outcome) => (result = outcome));
    await sender.drain();
    return result!;
  };
  return { sender, send, remove, sent, tokensSeen, clock, answersLeft: () => answers.length };
}

describe('Sender', () => {
  it('creates and updates', async () => {
    expect(await scripted([ok('1')]).send()).toEqual({ status: 'created', id: '1', attempts: 1 });
    const updating = scripted([ok('2')]);
    expect(await updating.send({ action: 'update', id: '2' })).toEqual({ status: 'updated', id: '2', attempts: 1 });
    expect(updating.sent.map((request) => request.what)).toEqual(['update 2']);
  });

  it('looks for a create an earlier run may have made before sending it: found, it is not sent; not found, it is', async () => {
    const found = scripted([]);
    expect(await found.send({ recover: async () => ({ kind: 'found', id: '9' }) })).toEqual({ status: 'created', id: '9', attempts: 0, recovered: true });
    expect(found.sent).toEqual([]);
    const none = scripted([ok('1')]);
    expect(await none.send({ recover: async () => ({ kind: 'none' }) })).toEqual({ status: 'created', id: '1', attempts: 1 });
    const unknown = scripted([]);
    expect(await unknown.send({ recover: async () => ({ kind: 'failed', code: 'RECOVERY', msg: 'cannot tell' }) })).toEqual({ status: 'failed', code: 'RECOVERY', msg: 'cannot tell', attempts: 0 });
    expect(unknown.sent).toEqual([]);
  });

  it('retries server errors and resets with backoff, then gives up with the last code and its request log id, retryable by a rerun', async () => {
    const recovering = scripted([error(500, 1002001), reset, ok()]);
    expect(await recovering.send()).toMatchObject({ status: 'created', attempts: 3 });
    expect(recovering.sender.stats.retries).toBe(2);
    const failing = scripted([error(500, 1002001), error(502, 502), error(500, 1002001, { logId: '20260101abc' })]);
    expect(await failing.send()).toEqual({ status: 'failed', code: 1002001, msg: 'code 1002001', attempts: 3, logId: '20260101abc', retryable: true });
  });

  it('renews a refused token once and sends again with the new one; a second refusal fails the record', async () => {
    const renewing = scripted([error(400, 99991663), ok()]);
    expect(await renewing.send()).toMatchObject({ status: 'created', attempts: 2 });
    expect(renewing.tokensSeen).toEqual(['t-1', 't-2']);
    const refused = scripted([error(400, 99991663), error(400, 99991671)]);
    expect(await refused.send()).toMatchObject({ status: 'failed', code: 99991671 });
  });

  it("waits out a 429 and slows down without spending the record's tries", async () => {
    const limited = scripted([error(429, 99991400, { resetSeconds: 1, serverLimit: 10 }), error(400, 99991400), ok()], { maxAttempts: 1 });
    expect(await limited.send()).toMatchObject({ status: 'created', attempts: 3 });
    expect(limited.sender.stats.rateLimited).toBe(2);
    expect(limited.sender.paces.create.state.ceiling).toBe(10);
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

  it("rides out a token endpoint that cannot answer for a while, and gives up after the record's tries", async () => {
    const recovering = scripted([ok()], { tokenOutages: 2 });
    expect(await recovering.send()).toMatchObject({ status: 'created', attempts: 1 });
    expect(recovering.sender.fatal).toBeUndefined();
    const down = scripted([], { tokenOutages: 10, maxAttempts: 3 });
    expect(await down.send()).toEqual({ status: 'failed', code: 'TOKEN', msg: 'the token endpoint answered HTTP 503', attempts: 0, retryable: true });
    expect(down.sender.fatal).toBeUndefined();
  });

  it('fails a record the server refuses, at once', async () => {
    const refused = scripted([error(400, 1002002)]);
    expect(await refused.send()).toEqual({ status: 'failed', code: 1002002, msg: 'code 1002002', attempts: 1 });
  });

  it("stops everything on a missing permission, naming the endpoint's permissions", async () => {
    const forbidden = scripted([error(400, 99991672)]);
    expect(await forbidden.send()).toMatchObject({ status: 'pending' }); // not the record's fault: the rerun sends it
    expect(forbidden.sender.fatal?.message).toMatch(/the app needs the permission hire:external_application: grant the permission in the developer console, publish a version/);
    expect(await forbidden.send()).toEqual({ status: 'pending', attempts: 0 });
    const offersForbidden = scripted([error(400, 99991672)], { endpoint: offers });
    await offersForbidden.send();
    expect(offersForbidden.sender.fatal?.message).toMatch(/importing external offers .* needs the permissions hire:external_offer and hire:external_application/);
  });

  it('after an interrupt starts nothing new and leaves a retry pending', async () => {
    const controller = new AbortController();
    // Ctrl-C while the first request is under way; its answer is a server error.
    const interrupted = scripted([error(500, 1002001)], { signal: controller.signal, onRequest: () => controller.abort() });
    expect(await interrupted.send()).toEqual({ status: 'pending', attempts: 1 });
    expect(await interrupted.send()).toEqual({ status: 'pending', attempts: 0 });
    expect(interrupted.answersLeft()).toBe(0);
  });

  it('a child whose parent this run just created waits for the parent to show, over about half a minute; others fail at once', async () => {
    const missingParent = () => error(400, 1002002);
    const waiting = scripted([missingParent(), missingParent(), ok('9')]);
    const started = waiting.clock.now();
    expect(await waiting.send({ parentCreatedRecently: true })).toEqual({ status: 'created', id: '9', attempts: 3 });
    expect(waiting.clock.now() - started).toBe(750 + 1500); // 1 s and 2 s ceilings, jitter at the middle
    const givingUp = scripted(Array.from({ length: 6 }, missingParent));
    expect(await givingUp.send({ parentCreatedRecently: true })).toMatchObject({ status: 'failed', code: 1002002, attempts: 6 });
    expect(givingUp.clock.now()).toBeGreaterThan(20_000);
    expect(givingUp.clock.now()).toBeLessThan(30_000);
    expect(await scripted([missingParent()]).send()).toMatchObject({ status: 'failed', attempts: 1 });
    // A talent's missing parent has its own code; a plain bad body is not a missing parent.
    const application = scripted([error(400, 1002102), ok('10')], { endpoint: { ...assessments, parent: { field: 'talent_id', resource: 'talents', missingCode: 1002102 } } });
    expect(await application.send({ parentCreatedRecently: true })).toMatchObject({ status: 'created', attempts: 2 });
  });

  it('paces each API at its own documented limits, on both periods, unless --rate overrides the per-second one', () => {
    const talentSender = scripted([], { endpoint: talents, lookup: () => ({ kind: 'ok', status: 200, body: {} }) }).sender;
    expect(talentSender.paces.create.state).toMatchObject({ rate: 50, perMinute: 1000 });
    expect(talentSender.paces.match?.state).toMatchObject({ rate: 50, perMinute: 1000 });
    const checks = scripted([], { endpoint: endpointWith({ create: 20, update: 10 }) }).sender;
    expect(checks.paces.create.state.rate).toBe(20);
    expect(checks.paces.update?.state.rate).toBe(10);
    expect(scripted([], { endpoint: talents, rate: 5, lookup: () => ({ kind: 'ok', status: 200, body: {} }) }).sender.paces.create.state).toMatchObject({ rate: 5, perMinute: 1000 });
  });
});

describe('Sender, deleting (undo)', () => {
  it('deletes at the delete API\'s own limits, retrying server errors and resets like any request', async () => {
    const deleting = scripted([error(500, 1002001), reset, ok('77')], { endpoint: interviews });
    expect(await deleting.remove('77')).toEqual({ status: 'deleted', id: '77', notFound: false, attempts: 3 });
    expect(deleting.sent.map((request) => request.what)).toEqual(['delete 77', 'delete 77', 'delete 77']);
    expect(deleting.sender.paces.delete?.state).toMatchObject({ rate: 10, perMinute: undefined });
    expect(scripted([], { endpoint: applications }).sender.paces.delete?.state).toMatchObject({ rate: 20, perMinute: 20 });
  });

  it('fails every refused delete, a parameter error and a 404 too: Feishu documents no "not found" (the undo reads back)', async () => {
    expect(await scripted([error(400, 1002002)], { endpoint: interviews }).remove('5')).toEqual({ status: 'failed', code: 1002002, msg: 'code 1002002', attempts: 1 });
    expect(await scripted([error(404, 404)], { endpoint: interviews }).remove('5')).toMatchObject({ status: 'failed', code: 404 });
    expect(await scripted([reset, error(400, 1002002)], { endpoint: interviews }).remove('5')).toMatchObject({ status: 'failed', code: 1002002, attempts: 2 });
    expect(await scripted([error(400, 1002201)], { endpoint: interviews }).remove('5')).toEqual({ status: 'failed', code: 1002201, msg: 'code 1002201', attempts: 1 });
  });

  it('leaves a delete pending when interrupted, and refuses an endpoint without a delete', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await scripted([], { endpoint: interviews, signal: controller.signal }).remove('5')).toEqual({ status: 'pending', attempts: 0 });
    const assessmentSender = scripted([]).sender;
    expect(assessmentSender.paces.delete).toBeUndefined();
    await assessmentSender.submitDelete('5', () => undefined);
    await assessmentSender.drain();
    expect(assessmentSender.fatal?.message).toBe('assessments cannot be deleted');
  });
});

/** A sender of assessments whose server answers creates with `create` and resets every other request. */
function creating(clock: SenderOptions['clock'], create: (body: Record<string, unknown>) => Promise<Answer>, options: Pick<SenderOptions, 'maxAttempts' | 'concurrency'> & Partial<SenderOptions>): Sender {
  return new Sender({
    endpoint: assessments,
    client: { create: (_endpoint, body) => create(body), update: async () => reset, delete: async () => reset, request: async () => reset },
    tokenCache: new TokenCache(async () => ({ token: 't-1', expire: 7200 }), clock),
    clock,
    random: () => 0.5,
    signal: new AbortController().signal,
    ...options,
  });
}

function endpointWith(limits: { create: number; update: number }): EndpointDescription {
  return { ...assessments, create: { ...assessments.create, limit: { perSecond: limits.create } }, update: { method: 'PUT', limit: { perSecond: limits.update } } };
}

/**
 * A server that is down (every request reset) until `upAt` on the fake clock, or for good without it, and a sender
 * with `count` records in flight at once.
 */
function outage(options: { upAt?: number; count: number; concurrency: number; maxAttempts: number; maxOutageMs?: number }) {
  const clock = fakeClock();
  let requests = 0;
  const create = async () => {
    requests++;
    return options.upAt !== undefined && clock.now() >= options.upAt ? ok(`id-${requests}`) : reset;
  };
  const sender = creating(clock, create, { maxAttempts: options.maxAttempts, concurrency: options.concurrency, maxOutageMs: options.maxOutageMs });
  const run = async () => {
    const results: SendResult[] = [];
    for (let n = 0; n < options.count; n++) await sender.submit({ action: 'create', body: { external_id: `R-${n}` } }, (result) => results.push(result));
    await sender.drain();
    return results;
  };
  return { sender, run, clock, requests: () => requests };
}

describe('Sender, when nothing answers (an outage)', () => {
  it('pauses and probes instead of spending tries: a 10-minute outage fails no record, though each has only 2 tries', async () => {
    const down = outage({ upAt: 10 * 60_000, count: 30, concurrency: 10, maxAttempts: 2 });
    const results = await down.run();
    expect(results.map((result) => result.status)).toEqual(Array(30).fill('created'));
    expect(down.sender.fatal).toBeUndefined();
    expect(down.sender.stats).toMatchObject({ outages: 1 });
    expect(down.sender.stats.outageMs).toBeGreaterThan(9 * 60_000);
    // Ten minutes of probing took some 20 requests, not thousands: one at a time, at most a minute apart.
    expect(down.requests()).toBeLessThan(30 + 10 + 25);
  });

  it('stops the run after --max-outage, leaving every record not created pending, not failed', async () => {
    const dead = outage({ count: 20, concurrency: 10, maxAttempts: 3, maxOutageMs: 3 * 60_000 });
    const results = await dead.run();
    expect(new Set(results.map((result) => result.status))).toEqual(new Set(['pending']));
    expect(dead.sender.fatal?.name).toBe('ServiceUnavailableError');
    expect(dead.sender.fatal?.message).toBe(
      'Feishu could not be reached for 3m: every request failed (the last: reset), and probes at growing intervals found no answer. ' +
        "The records not sent are not failed: check the network and Feishu's status, then run the same command again to continue",
    );
    expect(dead.clock.now()).toBeGreaterThanOrEqual(3 * 60_000);
    expect(dead.clock.now()).toBeLessThan(3 * 60_000 + 2000);
  });

  it('with one record in flight, lets that one fail (retryable) and takes the next one failing for an outage', async () => {
    const down = outage({ upAt: 5 * 60_000, count: 4, concurrency: 1, maxAttempts: 3 });
    const results = await down.run();
    expect(results).toEqual([
      { status: 'failed', code: 'ECONNRESET', msg: 'reset', attempts: 3, retryable: true },
      ...Array(3).fill(expect.objectContaining({ status: 'created' })),
    ]);
    expect(down.sender.stats.outages).toBe(1);
  });
});

describe('Sender, for an endpoint that matches before it creates (talents)', () => {
  const talent = (external_id: string, basic_info: Record<string, string>) => ({ external_id, basic_info: { name: external_id, ...basic_info } });
  /** batch_get_id over existing talents: answers the items whose email (in any case) or mobile was asked for. */
  const directory = (existing: Array<{ talent_id: string; email?: string; mobile_number?: string }>) => (body: Record<string, unknown>): Reply => {
    const emails = ((body.email_list as string[] | undefined) ?? []).map((email) => email.toLowerCase());
    const mobiles = (body.mobile_number_list as string[] | undefined) ?? [];
    const talent_list = existing.filter((entry) => emails.includes(entry.email!) || mobiles.includes(entry.mobile_number!));
    return { kind: 'ok', status: 200, body: { code: 0, data: { talent_list } } };
  };

  it('reuses a talent found by email, then one found by mobile, and creates only when neither matches', async () => {
    const lookup = directory([{ talent_id: 'T-mail', email: 'a@example.com' }, { talent_id: 'T-phone', mobile_number: '13800000002' }]);
    const byEmail = scripted([], { endpoint: talents, lookup });
    expect(await byEmail.send({ body: talent('C-1', { email: 'A@example.com' }) })).toEqual({ status: 'matched', id: 'T-mail', attempts: 0 });
    const byMobile = scripted([], { endpoint: talents, lookup });
    expect(await byMobile.send({ body: talent('C-2', { email: 'b@example.com', mobile: '13800000002' }) })).toEqual({ status: 'matched', id: 'T-phone', attempts: 0 });
    expect(byMobile.sent.map((request) => request.body)).toEqual([
      { email_list: ['b@example.com'] },
      { mobile_code: '86', mobile_number_list: ['13800000002'] },
    ]);
    const fresh = scripted([ok('T-new')], { endpoint: talents, lookup });
    expect(await fresh.send({ body: talent('C-3', { email: 'c@example.com' }) })).toEqual({ status: 'created', id: 'T-new', attempts: 1 });
    expect(fresh.sent.map((request) => request.what)).toEqual(['POST /open-apis/hire/v1/talents/batch_get_id', 'create']);
  });

  it('makes a record whose mobile Feishu refuses as malformed (1002009) invalid, naming the field: never "no match", never created', async () => {
    const lookup = (body: Record<string, unknown>): Reply =>
      body.mobile_number_list ? { kind: 'error', status: 400, code: 1002009, msg: '手机号格式错误' } : { kind: 'ok', status: 200, body: { code: 0, data: { talent_list: [] } } };
    const refused = scripted([ok('T-never')], { endpoint: talents, lookup });
    expect(await refused.send({ body: talent('C-9', { mobile: '13800000009' }) })).toEqual({
      status: 'invalid',
      field: 'basic_info.mobile',
      code: 1002009,
      msg: 'Feishu refused +86 13800000009 as malformed (手机号格式错误): correct it in the input',
      attempts: 0,
    });
    expect(refused.sent.map((request) => request.what)).toEqual(['POST /open-apis/hire/v1/talents/batch_get_id']);
  });

  it('looks a lost create up again instead of sending it twice', async () => {
    const existing: Array<{ talent_id: string; email?: string }> = [];
    // The create arrived and made a talent, but the connection reset before the answer came back.
    const lost = scripted([reset], { endpoint: talents, lookup: directory(existing), onRequest: () => existing.push({ talent_id: 'T-7', email: 'd@example.com' }) });
    expect(await lost.send({ body: talent('C-4', { email: 'd@example.com' }) })).toEqual({ status: 'created', id: 'T-7', attempts: 1 });
    expect(lost.sent.map((request) => request.what)).toEqual(['POST /open-apis/hire/v1/talents/batch_get_id', 'create', 'POST /open-apis/hire/v1/talents/batch_get_id']);
    // A create that did not arrive is sent again once the lookup shows nothing.
    const retried = scripted([error(500, 1002001), ok('T-8')], { endpoint: talents, lookup: directory([]) });
    expect(await retried.send({ body: talent('C-5', { email: 'e@example.com' }) })).toEqual({ status: 'created', id: 'T-8', attempts: 2 });
  });

  it('fails a lost create that has no email or mobile to look it up by, rather than risk a second talent', async () => {
    const blind = scripted([reset], { endpoint: talents, lookup: directory([]) });
    expect(await blind.send({ body: talent('C-6', {}) })).toEqual({
      status: 'failed',
      code: 'ECONNRESET',
      msg: 'answer lost and no email or mobile to look it up by; check Feishu before rerunning',
      attempts: 1,
    });
    expect(blind.answersLeft()).toBe(0);
  });

  it('settles records that share a key one after another: the second reuses the first one\'s new talent', async () => {
    const pair = scripted([ok('T-9')], { endpoint: talents, lookup: directory([]) });
    const results: SendResult[] = [];
    await pair.sender.submit({ action: 'create', body: talent('C-7', { email: 'f@example.com' }) }, (result) => results.push(result));
    await pair.sender.submit({ action: 'create', body: talent('C-8', { email: 'F@example.com ' }) }, (result) => results.push(result));
    await pair.sender.drain();
    expect(results).toEqual([
      { status: 'created', id: 'T-9', attempts: 1 },
      { status: 'matched', id: 'T-9', attempts: 0 },
    ]);
  });
});

/** A sender whose server holds every create until the test answers it, and counts the creates under way. */
function held(concurrency: number) {
  const clock = fakeClock();
  const waiting: Array<{ externalId: string; settle: (answer: Answer) => void }> = [];
  let underWay = 0;
  let most = 0;
  const create = (body: Record<string, unknown>) => {
    most = Math.max(most, ++underWay);
    return new Promise<Answer>((settle) => waiting.push({ externalId: String(body.external_id), settle: (answer) => (underWay--, settle(answer)) }));
  };
  const sender = creating(clock, create, { rate: 1000, maxAttempts: 1, concurrency });
  const results: string[] = [];
  const submit = (n: number) => sender.submit({ action: 'create', body: { external_id: `R-${n}` } }, (result) => results.push(`R-${n} ${result.status}`));
  /** Answers the oldest create held (its record is created); returns that record's external_id. */
  const answer = (): string => {
    const { externalId, settle } = waiting.shift()!;
    settle(ok(`id-${externalId}`));
    return externalId;
  };
  return { sender, submit, answer, results, held: () => waiting.length, most: () => most };
}

/** Lets every request that can start reach the server (the fake clock's sleeps end at once). */
async function quiet(): Promise<void> {
  for (let turn = 0; turn < 50; turn++) await new Promise((next) => setImmediate(next));
}

describe('Sender, records in flight', () => {
  it('has at most --concurrency records in flight: submit resolves only once one of them is answered', async () => {
    const run = held(3);
    for (let n = 0; n < 3; n++) await run.submit(n);
    let fourthStarted = false;
    const fourth = run.submit(3).then(() => (fourthStarted = true));
    await quiet();
    expect(run.held()).toBe(3);
    expect(fourthStarted).toBe(false);
    run.answer();
    await fourth;
    await quiet();
    expect(run.held()).toBe(3);
    for (let n = 4; n < 8; n++) {
      run.answer();
      await run.submit(n);
    }
    await quiet();
    while (run.held() > 0) run.answer();
    await run.sender.drain();
    expect(run.results).toHaveLength(8);
    expect(run.results.every((result) => result.endsWith(' created'))).toBe(true);
    expect(run.most()).toBe(3);
  });

  it('after a stop, starts the record waiting for a slot as pending, and drain waits for the answers under way', async () => {
    const run = held(2);
    await run.submit(0);
    await run.submit(1);
    const third = run.submit(2);
    await quiet();
    run.sender.stop(new Error('the result log cannot be written'));
    let drained = false;
    const draining = run.sender.drain().then(() => (drained = true));
    await quiet();
    expect(drained).toBe(false);
    expect(run.results).toEqual([]);
    const first = run.answer();
    await third;
    await quiet();
    // The third record took the freed slot and settled pending without a request; the other is still under way.
    expect(run.results).toEqual([`${first} created`, 'R-2 pending']);
    expect(run.held()).toBe(1);
    expect(drained).toBe(false);
    const second = run.answer();
    await draining;
    expect(run.results).toEqual([`${first} created`, 'R-2 pending', `${second} created`]);
    expect([first, second].sort()).toEqual(['R-0', 'R-1']);
    expect(run.most()).toBe(2);
  });
});
