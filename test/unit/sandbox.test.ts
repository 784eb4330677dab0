import { mkdtempSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';

const tokenPath = '/open-apis/auth/v3/tenant_access_token/internal';
const assessmentsPath = '/open-apis/hire/v1/external_interview_assessments';
const applicationsPath = '/open-apis/hire/v1/external_applications';
const batchGetIdPath = '/open-apis/hire/v1/talents/batch_get_id';

const started: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sandbox) => sandbox.close()));
});

async function sandboxWith(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox(options);
  started.push(sandbox);
  return sandbox;
}

interface Reply {
  status: number;
  headers: Headers;
  body: { code: number; msg: string; [field: string]: unknown };
}

async function call(sandbox: Sandbox, method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(sandbox.url + path, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function tokenFor(sandbox: Sandbox, credentials = { app_id: 'cli_test', app_secret: 'secret' }): Promise<string> {
  const reply = await call(sandbox, 'POST', tokenPath, { body: credentials });
  return reply.body.tenant_access_token as string;
}

const assessment = (externalId: string) => ({
  external_id: externalId,
  username: 'shaojiale',
  conclusion: 2,
  assessment_dimension_list: [{ assessment_type: 1, title: 'Coding', description: 'desc', score: 4 }],
  content: 'hello world',
  external_interview_id: '6986199832494934316',
});

describe('sandbox tokens', () => {
  it('issues a tenant_access_token and returns the same one while plenty of its life remains', async () => {
    const sandbox = await sandboxWith();
    const first = await call(sandbox, 'POST', tokenPath, { body: { app_id: 'cli_test', app_secret: 'secret' } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ code: 0, msg: 'ok', tenant_access_token: expect.stringMatching(/^t-[0-9a-f]+$/), expire: 7200 });

    const second = await call(sandbox, 'POST', tokenPath, { body: { app_id: 'cli_test', app_secret: 'secret' } });
    expect(second.body.tenant_access_token).toBe(first.body.tenant_access_token);
    expect(second.body.expire).toBeLessThanOrEqual(7200);
    expect(second.body.expire).toBeGreaterThan(7100);
    expect(sandbox.stats().tokensIssued).toBe(2);
  });

  it('refuses wrong or missing credentials with a non-zero code', async () => {
    const sandbox = await sandboxWith({ appId: 'cli_right', appSecret: 'right' });
    const wrongSecret = await call(sandbox, 'POST', tokenPath, { body: { app_id: 'cli_right', app_secret: 'wrong' } });
    expect(wrongSecret.status).toBe(400);
    expect(wrongSecret.body).toEqual({ code: 10014, msg: 'app secret invalid' });
    const wrongApp = await call(sandbox, 'POST', tokenPath, { body: { app_id: 'cli_other', app_secret: 'right' } });
    expect(wrongApp.body.code).toBe(10014);
    const missing = await call(sandbox, 'POST', tokenPath, { body: { app_id: 'cli_right' } });
    expect(missing.status).toBe(400);
    expect(missing.body.code).not.toBe(0);
    expect(missing.body.tenant_access_token).toBeUndefined();
    const right = await call(sandbox, 'POST', tokenPath, { body: { app_id: 'cli_right', app_secret: 'right' } });
    expect(right.body.code).toBe(0);
    expect(sandbox.stats()).toMatchObject({ authFailures: 3, tokensIssued: 1 });
  });

  it('tells a missing token from an unknown or expired one', async () => {
    const sandbox = await sandboxWith({ tokenTtlSeconds: 1 });
    const token = await tokenFor(sandbox);

    const missing = await call(sandbox, 'POST', assessmentsPath, { body: assessment('a1') });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe(99991661);
    const unknown = await call(sandbox, 'POST', assessmentsPath, { token: 't-nonsense', body: assessment('a1') });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe(99991665);
    expect((await call(sandbox, 'POST', assessmentsPath, { token, body: assessment('a1') })).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await call(sandbox, 'POST', assessmentsPath, { token, body: assessment('a2') });
    expect(expired.status).toBe(400);
    expect(expired.body.code).toBe(99991663);
    // With less than 30 minutes left a token is never reused, so asking again gives a fresh, working one.
    const renewed = await tokenFor(sandbox);
    expect(renewed).not.toBe(token);
    expect((await call(sandbox, 'POST', assessmentsPath, { token: renewed, body: assessment('a2') })).status).toBe(200);
    expect(sandbox.stats()).toMatchObject({ authFailures: 3, created: 2 });
  });
});

describe('sandbox create', () => {
  it('answers the documented shape and stores exactly the body sent', async () => {
    const sandbox = await sandboxWith();
    const token = await tokenFor(sandbox);
    const body = assessment('legacy-1');
    const reply = await call(sandbox, 'POST', assessmentsPath, { token, body });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      code: 0,
      msg: 'success',
      data: { external_interview_assessment: { id: '6989181065243969836', ...body } },
    });
    const next = await call(sandbox, 'POST', assessmentsPath, { token, body: { external_interview_id: '1' } });
    const nextId = (next.body.data as { external_interview_assessment: { id: string } }).external_interview_assessment.id;
    expect(nextId).toMatch(/^\d{19}$/);
    expect(BigInt(nextId)).toBeGreaterThan(6989181065243969836n);

    expect(sandbox.assessments()).toEqual([
      { id: '6989181065243969836', body, createdAt: expect.any(Number) },
      { id: nextId, body: { external_interview_id: '1' }, createdAt: expect.any(Number) },
    ]);
  });

  it('replays the stored record for an external_id it has seen, creating nothing', async () => {
    const sandbox = await sandboxWith();
    const token = await tokenFor(sandbox);
    const first = await call(sandbox, 'POST', assessmentsPath, { token, body: assessment('legacy-1') });
    const again = await call(sandbox, 'POST', assessmentsPath, { token, body: { ...assessment('legacy-1'), content: 'changed' } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(sandbox.assessments()).toHaveLength(1);
    expect(sandbox.stats()).toMatchObject({ created: 1, replayed: 1 });
  });

  it('refuses what the wire rules refuse with 1002002 naming the field, and stores nothing', async () => {
    const sandbox = await sandboxWith();
    const token = await tokenFor(sandbox);
    const cases: Array<[unknown, string]> = [
      [{ ...assessment('x'), conclusion: '2' }, 'conclusion'],
      [{ ...assessment('x'), interviewer: 'someone' }, 'unknown field interviewer'],
      [{ ...assessment('x'), assessment_dimension_list: [{ assessment_type: 1, score: '4' }] }, 'assessment_dimension_list[0].score'],
      [{ external_id: 'x' }, 'external_interview_id is required'],
    ];
    for (const [body, field] of cases) {
      const reply = await call(sandbox, 'POST', assessmentsPath, { token, body });
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe(1002002);
      expect(reply.body.msg).toMatch(/^参数错误: /);
      expect(reply.body.msg).toContain(field);
    }
    const badJson = await call(sandbox, 'POST', assessmentsPath, { token, rawBody: '{"external_interview_id": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.code).toBe(1002002);
    expect(sandbox.assessments()).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ invalid: 5, created: 0 });
  });

  it('answers 404 for anything else and serves its counters and records', async () => {
    const sandbox = await sandboxWith();
    const token = await tokenFor(sandbox);
    const unknown = await call(sandbox, 'GET', assessmentsPath, { token });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ code: 404, msg: 'not found' });
    await call(sandbox, 'POST', assessmentsPath, { token, body: assessment('a1') });

    const stats = await fetch(`${sandbox.url}/sandbox/stats`).then((response) => response.json());
    expect(stats).toEqual(sandbox.stats());
    expect(stats).toMatchObject({ requests: 3, tokensIssued: 1, created: 1 });
    const records = await fetch(`${sandbox.url}/sandbox/assessments`).then((response) => response.json());
    expect(records).toEqual(sandbox.assessments());
  });
});

describe('sandbox rate limit', () => {
  it('answers the 21st request within a second with 429 and the gateway headers', async () => {
    const sandbox = await sandboxWith();
    const token = await tokenFor(sandbox);
    const accepted = await Promise.all(
      Array.from({ length: 20 }, (_, index) => call(sandbox, 'POST', assessmentsPath, { token, body: assessment(`r${index}`) })),
    );
    expect(accepted.map((reply) => reply.status)).toEqual(Array(20).fill(200));

    const limited = await call(sandbox, 'POST', assessmentsPath, { token, body: assessment('r20') });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ code: 99991400, msg: 'request trigger frequency limit' });
    expect(limited.headers.get('x-ogw-ratelimit-limit')).toBe('20');
    expect(limited.headers.get('x-ogw-ratelimit-reset')).toBe('1');
    expect(sandbox.stats()).toMatchObject({ created: 20, rateLimited: 1 });

    // PATCH has its own window.
    const id = sandbox.assessments()[0]!.id;
    expect((await call(sandbox, 'PATCH', `${assessmentsPath}/${id}`, { token, body: { conclusion: 3 } })).status).toBe(200);
  });

  it('does not let refused requests hold the window', async () => {
    const sandbox = await sandboxWith({ rateLimit: 2 });
    const token = await tokenFor(sandbox);
    const send = (externalId: string) => call(sandbox, 'POST', assessmentsPath, { token, body: assessment(externalId) });
    expect((await send('a')).status).toBe(200);
    expect((await send('b')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const externalId of ['c', 'd', 'e']) expect((await send(externalId)).status).toBe(429);
    // A second after the two admitted ones, but within a second of the refused ones: had they counted, still 429.
    await new Promise((resolve) => setTimeout(resolve, 550));
    expect((await send('f')).status).toBe(200);
    expect(sandbox.stats()).toMatchObject({ created: 3, rateLimited: 3 });
  });
});

describe('sandbox faults', () => {
  it('answers every request 500 1002001 with errorRate 1, creating nothing', async () => {
    const sandbox = await sandboxWith({ errorRate: 1 });
    const token = await tokenFor(sandbox);
    const reply = await call(sandbox, 'POST', assessmentsPath, { token, body: assessment('a1') });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ code: 1002001, msg: '系统错误' });
    expect(sandbox.assessments()).toEqual([]);
    expect(sandbox.stats().serverErrors).toBe(1);
  });

  it('resets the connection without an answer with resetRate 1, creating nothing', async () => {
    const sandbox = await sandboxWith({ resetRate: 1 });
    const token = await tokenFor(sandbox);
    await expect(call(sandbox, 'POST', assessmentsPath, { token, body: assessment('a1') })).rejects.toThrow();
    expect(sandbox.assessments()).toEqual([]);
    expect(sandbox.stats().resets).toBe(1);
  });

  it('checks the rate limit and the token before drawing a fault', async () => {
    const sandbox = await sandboxWith({ errorRate: 1 });
    const reply = await call(sandbox, 'POST', assessmentsPath, { body: assessment('a1') });
    expect(reply.body.code).toBe(99991661);
  });

  it('keeps failing the external_ids it is told to', async () => {
    const sandbox = await sandboxWith({ failExternalIds: ['doomed'] });
    const token = await tokenFor(sandbox);
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = await call(sandbox, 'POST', assessmentsPath, { token, body: assessment('doomed') });
      expect(reply.status).toBe(500);
      expect(reply.body.code).toBe(1002001);
    }
    expect((await call(sandbox, 'POST', assessmentsPath, { token, body: assessment('fine') })).status).toBe(200);
    expect(sandbox.assessments().map((record) => record.body.external_id)).toEqual(['fine']);
  });

  it('draws the same faults for the same seed', async () => {
    async function statuses(seed: number): Promise<string[]> {
      const sandbox = await sandboxWith({ seed, errorRate: 0.3, resetRate: 0.2, rateLimit: 0 });
      const token = await tokenFor(sandbox);
      const seen: string[] = [];
      for (let index = 0; index < 30; index++) {
        seen.push(
          await call(sandbox, 'POST', assessmentsPath, { token, body: assessment(`s${index}`) }).then(
            (reply) => String(reply.status),
            () => 'reset',
          ),
        );
      }
      return seen;
    }
    const first = await statuses(7);
    expect(await statuses(7)).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['200', '500', 'reset']));
  });
});

describe('sandbox patch', () => {
  it('replaces the fields given, keeps the rest, and answers the merged record', async () => {
    const sandbox = await sandboxWith();
    const token = await tokenFor(sandbox);
    const created = await call(sandbox, 'POST', assessmentsPath, { token, body: assessment('p1') });
    const id = (created.body.data as { external_interview_assessment: { id: string } }).external_interview_assessment.id;

    const reply = await call(sandbox, 'PATCH', `${assessmentsPath}/${id}`, { token, body: { conclusion: 3, content: 'revised' } });
    const merged = { ...assessment('p1'), conclusion: 3, content: 'revised' };
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ code: 0, msg: 'success', data: { external_interview_assessment: { id, ...merged } } });
    expect(sandbox.assessments()).toEqual([{ id, body: merged, createdAt: expect.any(Number), updatedAt: expect.any(Number) }]);
    expect(sandbox.stats().patched).toBe(1);

    const invalid = await call(sandbox, 'PATCH', `${assessmentsPath}/${id}`, { token, body: { conclusion: '1' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe(1002002);
    expect(sandbox.assessments()[0]!.body).toEqual(merged);
  });

  it('refuses an unknown id with 1002002 naming it', async () => {
    const sandbox = await sandboxWith();
    const token = await tokenFor(sandbox);
    const reply = await call(sandbox, 'PATCH', `${assessmentsPath}/1234567890123456789`, { token, body: { conclusion: 1 } });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe(1002002);
    expect(reply.body.msg).toContain('1234567890123456789');
  });
});

describe('sandbox records, seeds and tampering', () => {
  const application = (key: string, talentId: string) => ({ external_id: key, talent_id: talentId, job_title: 'Engineer' });

  it('finds seeded talents, checks parents against them, and lists by parent from the query string', async () => {
    const sandbox = await sandboxWith({ talents: [{ name: '张伟', email: 'zw@example.com', mobile: '13800000001' }, { name: 'Li', email: 'li@example.com' }] });
    const token = await tokenFor(sandbox);
    const found = await call(sandbox, 'POST', batchGetIdPath, { token, body: { email_list: ['li@example.com', 'zw@example.com'] } });
    const [zhang, li] = sandbox.records('talents');
    expect(found.body.data).toEqual({ talent_list: [{ talent_id: zhang!.id, email: 'zw@example.com' }, { talent_id: li!.id, email: 'li@example.com' }] });
    expect(found.headers.get('x-tt-logid')).toMatch(/^\d{14}[0-9A-F]{20}$/);

    // Talents are held, so a talent_id must name one of them.
    const orphan = await call(sandbox, 'POST', applicationsPath, { token, body: application('APP-0', '7000000000000000001') });
    expect(orphan.body.code).toBe(1002102);
    await call(sandbox, 'POST', applicationsPath, { token, body: application('APP-1', li!.id) });
    const listed = await call(sandbox, 'GET', `${applicationsPath}?talent_id=${li!.id}&page_size=20`, { token });
    expect(listed.body.data).toEqual({ has_more: false, items: [{ id: expect.any(String), ...application('APP-1', li!.id) }] });
  });

  it('serves records and counters per resource, and tampers with records over HTTP', async () => {
    const sandbox = await sandboxWith({ records: { applications: [application('APP-1', '7000000000000000001')] } });
    const [stored] = sandbox.records('applications');
    const get = (path: string) => fetch(sandbox.url + path).then(async (response) => ({ status: response.status, body: await response.json() }));
    const tamper = (body: unknown) =>
      fetch(`${sandbox.url}/sandbox/tamper`, { method: 'POST', body: JSON.stringify(body) }).then(async (response) => ({ status: response.status, body: await response.json() }));

    expect((await get('/sandbox/records/applications')).body).toEqual([{ id: stored!.id, body: application('APP-1', '7000000000000000001'), createdAt: expect.any(Number) }]);
    expect((await get('/sandbox/records/candidates')).status).toBe(404);
    expect((await get('/sandbox/stats')).body.byResource.applications).toMatchObject({ requests: 0, created: 0 });

    const changed = await tamper({ resource: 'applications', id: stored!.id, set: { stage: 'hired' } });
    expect(changed).toMatchObject({ status: 200, body: { id: stored!.id, body: { stage: 'hired' } } });
    expect(sandbox.records('applications')[0]!.body.stage).toBe('hired');
    expect(await tamper({ resource: 'applications', id: stored!.id, remove: true })).toEqual({ status: 200, body: { removed: stored!.id } });
    expect(sandbox.records('applications')).toEqual([]);
    expect((await tamper({ resource: 'applications', id: stored!.id, remove: true })).status).toBe(404);
    expect((await tamper({ resource: 'applications', id: stored!.id })).status).toBe(400);
    expect(() => sandbox.records('candidates')).toThrow('no resource named candidates');
  });

  it('refuses a seeded record the wire rules refuse', async () => {
    await expect(startSandbox({ records: { offers: [{ external_application_id: '1', biz_create_time: 1 }] } })).rejects.toThrow('biz_create_time must be a string of digits');
  });
});

describe('sandbox state file', () => {
  it('holds from run to run what earlier runs created, seeding only a fresh state', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'sandbox-state-')), 'sandbox.jsonl');
    const options: SandboxOptions = { stateFile, talents: [{ name: 'Li', email: 'li@example.com' }] };
    const first = await startSandbox(options);
    const token = await tokenFor(first);
    const talentId = first.records('talents')[0]!.id;
    const created = await call(first, 'POST', applicationsPath, { token, body: { external_id: 'APP-1', talent_id: talentId } });
    const held = first.records('applications');
    first.removeRecord('talents', talentId);
    first.changeRecord('applications', held[0]!.id, { stage: 'hired' });
    const expected = { talents: first.records('talents'), applications: first.records('applications') };
    await first.close();

    const second = await sandboxWith(options);
    expect({ talents: second.records('talents'), applications: second.records('applications') }).toEqual(expected);
    const secondToken = await tokenFor(second);
    const replayed = await call(second, 'POST', applicationsPath, { token: secondToken, body: { external_id: 'APP-1', talent_id: talentId } });
    expect(replayed.body.data).toMatchObject({ external_application: { id: (created.body.data as { external_application: { id: string } }).external_application.id, stage: 'hired' } });
    expect(second.stats()).toMatchObject({ created: 0, replayed: 1 });
  });
});

describe('sandbox close', () => {
  it('closes with a keep-alive connection open', async () => {
    const sandbox = await startSandbox();
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest(`${sandbox.url}/sandbox/stats`, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      }).on('error', reject).end();
    });
    expect(status).toBe(200);
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);

    await sandbox.close();
    await sandbox.close(); // a second close is harmless
    agent.destroy();
  }, 3000);

  it('discards answers still waiting on latency', async () => {
    const sandbox = await startSandbox({ latencyMs: 30_000 });
    const pending = fetch(`${sandbox.url}${tokenPath}`, { method: 'POST', body: JSON.stringify({ app_id: 'a', app_secret: 'b' }) });
    // The token request arrives and is decided before the answer is held back.
    while (sandbox.stats().requests === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await sandbox.close();
    await expect(pending).rejects.toThrow();
  }, 3000);
});
