/**
 * The emulator's answers for every endpoint of the family, decided with a fake `now`: limits per endpoint and
 * operation on two periods, parent checks, idempotency on and off, look-ups, read-back, updates, deletes, tampering
 * and reloading its changes. Paths come from the descriptions, as the emulator's own do.
 */
import { describe, expect, it } from 'vitest';
import { endpointFor, endpoints, tokenPath } from '../../src/endpoints/registry.js';
import type { EndpointDescription } from '../../src/endpoints/types.js';
import { FeishuEmulator, type Answer, type EmulatorOptions } from '../../src/sandbox/emulator.js';
import type { Change } from '../../src/sandbox/store.js';

type Body = Record<string, unknown>;
interface Reply {
  status: number;
  body: Body & { code: number; msg: string; data?: Body };
  headers?: Record<string, string>;
}

const talents = endpointFor('talents')!;
const applications = endpointFor('applications')!;
const interviews = endpointFor('interviews')!;
const assessments = endpointFor('assessments')!;
const offers = endpointFor('offers')!;
const checks = endpointFor('background-checks')!;

function pathOf(readBack: EndpointDescription['readBack']): string {
  if (!readBack || readBack.kind === 'insideParent') throw new Error('no read-back path');
  return readBack.path;
}

/** An emulator whose clock the test moves, with a token already issued. */
function emulatorWith(options: Partial<EmulatorOptions> = {}) {
  const changes: Change[] = [];
  const emulator = new FeishuEmulator({
    endpoints,
    idempotency: true,
    parentChecks: 'always',
    reading: 'docs',
    visibilityDelayMs: 0,
    tokenTtlSeconds: 7200,
    failExternalIds: [],
    errorRate: 0,
    resetRate: 0,
    random: () => 0.5,
    newToken: () => 't-test',
    onChange: (change) => changes.push(change),
    ...options,
  });
  const clock = { now: 0 };
  emulator.answer({ method: 'POST', path: tokenPath, authorization: undefined, body: JSON.stringify({ app_id: 'cli_a', app_secret: 's' }) }, 0);

  function call(method: string, path: string, body?: unknown, query: Record<string, string> = {}): Reply {
    const answer: Answer = emulator.answer(
      {
        method,
        path,
        query: new URLSearchParams(query),
        authorization: 'Bearer t-test',
        body: body === undefined ? '' : JSON.stringify(body),
      },
      clock.now,
    );
    if (answer.kind !== 'json') throw new Error('connection reset');
    return { status: answer.status, body: answer.body as Reply['body'], headers: answer.headers };
  }
  /** Creates and returns the new id, failing the test when the create is refused. */
  function create(endpoint: EndpointDescription, body: Body): string {
    const reply = call('POST', endpoint.create.path, body);
    if (reply.status !== 200) throw new Error(`create ${endpoint.resource} refused: ${JSON.stringify(reply.body)}`);
    return idIn(endpoint, reply);
  }
  return { emulator, clock, call, create, changes };
}

function idIn(endpoint: EndpointDescription, reply: Reply): string {
  return endpoint.create.idAt.split('.').reduce<any>((value, step) => value?.[step], reply.body) as string;
}

const talentBody = (n: number) => ({ basic_info: { name: `候选人${n}`, email: `c${n}@example.com`, mobile: `1380000${String(n).padStart(4, '0')}` } });
const applicationBody = (key: string, talentId: string) => ({ external_id: key, talent_id: talentId, job_title: 'Engineer', delivery_type: 2, create_time: 1_700_000_000_000 });
const interviewBody = (key: string, applicationId: string) => ({
  external_id: key,
  external_application_id: applicationId,
  participate_status: 2,
  begin_time: 1_700_000_000_000,
  interview_assessments: [{ username: 'li', conclusion: 2, assessment_dimension_list: [{ assessment_type: 1, title: 'Coding', score: 4 }] }],
});
const assessmentBody = (key: string, interviewId: string) => ({ external_id: key, external_interview_id: interviewId, username: 'wang', conclusion: 1 });
const offerBody = (key: string, applicationId: string) => ({ external_id: key, external_application_id: applicationId, biz_create_time: '1700000000000', offer_status: 'accepted' });
const checkBody = (key: string, applicationId: string) => ({ external_id: key, external_application_id: applicationId, date: 1_700_000_000_000, result: 'clear' });

/** A talent, an application, an interview: the ids children need. */
function chain(sandbox: ReturnType<typeof emulatorWith>, n = 1) {
  const talentId = sandbox.create(talents, talentBody(n));
  const applicationId = sandbox.create(applications, applicationBody(`APP-${n}`, talentId));
  const interviewId = sandbox.create(interviews, interviewBody(`INT-${n}`, applicationId));
  return { talentId, applicationId, interviewId };
}

describe('create, for every endpoint', () => {
  it('answers each where its description says the id sits, echoing the body as Feishu does', () => {
    const sandbox = emulatorWith();
    const talentReply = sandbox.call('POST', talents.create.path, talentBody(1));
    // The id directly under data is answered alone.
    expect(talentReply).toMatchObject({ status: 200, body: { code: 0, msg: 'success', data: { talent_id: '6989181065243969836' } } });
    expect(Object.keys(talentReply.body.data!)).toEqual(['talent_id']);
    const talentId = '6989181065243969836';

    const application = applicationBody('APP-1', talentId);
    const applicationReply = sandbox.call('POST', applications.create.path, application);
    expect(applicationReply.body).toEqual({ code: 0, msg: 'success', data: { external_application: { id: '6989181065243969837', ...application } } });

    const interviewReply = sandbox.call('POST', interviews.create.path, interviewBody('INT-1', '6989181065243969837'));
    // The assessments written with the interview get ids of their own.
    expect(interviewReply.body.data).toEqual({
      external_interview: {
        ...interviewBody('INT-1', '6989181065243969837'),
        id: '6989181065243969838',
        interview_assessments: [{ id: '6989181065243969839', ...interviewBody('', '').interview_assessments[0] }],
      },
    });
    const interviewId = '6989181065243969838';
    for (const [endpoint, body] of [
      [assessments, assessmentBody('AS-1', interviewId)],
      [offers, offerBody('OF-1', '6989181065243969837')],
      [checks, checkBody('BC-1', '6989181065243969837')],
    ] as const) {
      const reply = sandbox.call('POST', endpoint.create.path, body);
      expect(reply.status).toBe(200);
      const [, holder] = endpoint.create.idAt.split('.');
      expect(reply.body.data![holder!]).toEqual({ id: idIn(endpoint, reply), ...body });
    }
    expect(sandbox.emulator.stats()).toMatchObject({ created: 6, byResource: { talents: { created: 1 }, offers: { created: 1, requests: 1 } } });
  });

  it('refuses what the wire rules refuse, naming the field, for any endpoint', () => {
    const sandbox = emulatorWith({ parentChecks: 'never' });
    const cases: Array<[EndpointDescription, Body, string]> = [
      [applications, { ...applicationBody('A', '1'), delivery_type: '2' }, 'delivery_type must be an integer 1..4, got "2"'],
      [applications, { ...applicationBody('A', '1'), create_time: 1.5 }, 'create_time must be an integer of epoch milliseconds, got 1.5'],
      [applications, { ...applicationBody('A', '1'), create_time: '1700000000000' }, 'create_time must be an integer of epoch milliseconds'],
      [applications, { ...applicationBody('A', '1'), job: 'x' }, 'unknown field job'],
      [applications, { external_id: 'A' }, 'talent_id is required'],
      [offers, { ...offerBody('O', '1'), biz_create_time: 1_700_000_000_000 }, 'biz_create_time must be a string of digits (epoch milliseconds), got 1700000000000'],
      [offers, { ...offerBody('O', '1'), biz_create_time: '2024-03-01' }, 'biz_create_time must be a string of digits'],
      [offers, { ...offerBody('O', '1'), attachment_id_list: Array(21).fill('a') }, 'attachment_id_list must have at most 20 items, got 21'],
      [checks, { ...checkBody('B', '1'), attachment_id_list: ['a', 7] }, 'attachment_id_list[1] must be a string, got 7'],
      [interviews, { ...interviewBody('I', '1'), interview_assessments: [{ conclusion: 2, external_id: 'x' }] }, 'unknown field interview_assessments[0].external_id'],
      [interviews, { ...interviewBody('I', '1'), interview_assessments: [{ assessment_dimension_list: [{ title: 't' }] }] }, 'interview_assessments[0].assessment_dimension_list[0].assessment_type is required'],
      // Talents: the legacy key is ours alone, and basic_info is an object with its own rules.
      [talents, { ...talentBody(1), external_id: 'C-1' }, 'unknown field external_id'],
      [talents, { basic_info: { email: 'a@b.c' } }, 'basic_info.name is required'],
      [talents, { basic_info: { name: 'x', birthday: '-100' } }, 'basic_info.birthday must be a string of digits'],
      [talents, { basic_info: { name: 'x', nickname: 'y' } }, 'unknown field basic_info.nickname'],
      [talents, { ...talentBody(1), education_list: [{ school: 'PKU', start_time: 1 }] }, 'education_list[0].start_time must be a string of digits'],
    ];
    for (const [endpoint, body, problem] of cases) {
      const reply = sandbox.call('POST', endpoint.create.path, body);
      expect(reply.status, problem).toBe(400);
      expect(reply.body).toEqual({ code: 1002002, msg: expect.stringContaining(problem) });
    }
    expect(sandbox.emulator.stats()).toMatchObject({ invalid: cases.length, created: 0 });
    expect(sandbox.changes).toEqual([]);
  });
});

describe('limits', () => {
  it('refuses on either period: 50 per second and 1000 per minute for talents, naming the limit that refused', () => {
    const sandbox = emulatorWith();
    for (let second = 0; second < 20; second++) {
      sandbox.clock.now = second * 1000;
      for (let n = 0; n < 50; n++) expect(sandbox.call('POST', talents.create.path, talentBody(n)).status).toBe(200);
      const over = sandbox.call('POST', talents.create.path, talentBody(99));
      expect(over.status).toBe(429);
      expect(over.body).toEqual({ code: 99991400, msg: 'request trigger frequency limit' });
      if (second === 0) expect(over.headers).toEqual({ 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '1' });
    }
    // 1000 in the minute: the next second is refused by the minute, until the first second leaves it.
    sandbox.clock.now = 20_000;
    expect(sandbox.call('POST', talents.create.path, talentBody(1)).headers).toEqual({ 'x-ogw-ratelimit-limit': '1000', 'x-ogw-ratelimit-reset': '40' });
    // batch_get_id is another API with its own windows.
    expect(sandbox.call('POST', talents.match!.path, { email_list: ['c1@example.com'] }).status).toBe(200);
    sandbox.clock.now = 60_000;
    expect(sandbox.call('POST', talents.create.path, talentBody(1)).status).toBe(200);
    expect(sandbox.emulator.stats()).toMatchObject({ created: 1001, rateLimited: 21, byResource: { talents: { rateLimited: 21, lookups: 1 } } });
  });

  it('counts each endpoint and each operation separately', () => {
    const sandbox = emulatorWith();
    const { applicationId, interviewId } = chain(sandbox);
    sandbox.clock.now = 1000;
    for (let n = 0; n < 20; n++) sandbox.create(assessments, assessmentBody(`AS-${n}`, interviewId));
    expect(sandbox.call('POST', assessments.create.path, assessmentBody('AS-over', interviewId)).status).toBe(429);
    // Same second: another endpoint, and another operation of the same endpoint, are still free.
    expect(sandbox.call('POST', offers.create.path, offerBody('OF-1', applicationId)).status).toBe(200);
    const assessmentId = sandbox.emulator.records('assessments')![0]!.id;
    expect(sandbox.call('PATCH', `${assessments.create.path}/${assessmentId}`, { conclusion: 3 }).status).toBe(200);
    expect(sandbox.call('POST', pathOf(interviews.readBack), { external_interview_id_list: [interviewId] }).status).toBe(200);
  });

  it('holds deletes of applications to 20 a minute', () => {
    const sandbox = emulatorWith();
    const talentId = sandbox.create(talents, talentBody(1));
    const ids: string[] = [];
    for (let n = 0; n < 21; n++) {
      sandbox.clock.now = n * 100;
      ids.push(sandbox.create(applications, applicationBody(`APP-${n}`, talentId)));
    }
    sandbox.clock.now = 5000;
    for (const id of ids.slice(0, 20)) {
      sandbox.clock.now += 1000;
      expect(sandbox.call('DELETE', `${applications.create.path}/${id}`).status).toBe(200);
    }
    const refused = sandbox.call('DELETE', `${applications.create.path}/${ids[20]}`);
    expect(refused.status).toBe(429);
    // The first delete was at 6 s, so the minute frees at 66 s; it is now 25 s.
    expect(refused.headers).toEqual({ 'x-ogw-ratelimit-limit': '20', 'x-ogw-ratelimit-reset': '41' });
  });

  it('takes rateLimit as every per-second limit, and 0 as none', () => {
    const limited = emulatorWith({ rateLimit: 2 });
    expect([1, 2, 3].map((n) => limited.call('POST', talents.create.path, talentBody(n)).status)).toEqual([200, 200, 429]);
    const unlimited = emulatorWith({ rateLimit: 0, parentChecks: 'never' });
    for (let n = 0; n < 100; n++) expect(unlimited.call('POST', assessments.create.path, assessmentBody(`A-${n}`, '1')).status).toBe(200);
  });
});

describe('parents', () => {
  it('answers a missing talent with 1002102 and other missing parents with 1002002, storing nothing', () => {
    const sandbox = emulatorWith();
    const { applicationId } = chain(sandbox);
    const cases: Array<[EndpointDescription, Body, number, string]> = [
      [applications, applicationBody('APP-x', '7000000000000000001'), 1002102, 'talent_id: no talent with id 7000000000000000001'],
      [interviews, interviewBody('INT-x', '7000000000000000002'), 1002002, 'external_application_id: no external application with id 7000000000000000002'],
      [assessments, assessmentBody('AS-x', applicationId), 1002002, `external_interview_id: no external interview with id ${applicationId}`],
      [offers, offerBody('OF-x', '7000000000000000003'), 1002002, 'external_application_id'],
      [checks, checkBody('BC-x', '7000000000000000004'), 1002002, 'external_application_id'],
    ];
    for (const [endpoint, body, code, message] of cases) {
      const reply = sandbox.call('POST', endpoint.create.path, body);
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe(code);
      expect(reply.body.msg).toContain(message);
    }
    expect(sandbox.emulator.stats()).toMatchObject({ created: 3, missingParent: 5, invalid: 0 });
  });

  it('checks parents only once it holds records of their resource with whenHeld, never with never', () => {
    const whenHeld = emulatorWith({ parentChecks: 'whenHeld' });
    expect(whenHeld.call('POST', assessments.create.path, assessmentBody('AS-1', '7000000000000000001')).status).toBe(200);
    const { interviewId } = chain(whenHeld);
    expect(whenHeld.call('POST', assessments.create.path, assessmentBody('AS-2', '7000000000000000001')).body.code).toBe(1002002);
    expect(whenHeld.call('POST', assessments.create.path, assessmentBody('AS-3', interviewId)).status).toBe(200);

    const never = emulatorWith({ parentChecks: 'never' });
    chain(never);
    expect(never.call('POST', assessments.create.path, assessmentBody('AS-1', '7000000000000000001')).status).toBe(200);
  });

  it('keeps a just-created parent invisible to its children for the visibility delay', () => {
    const sandbox = emulatorWith({ visibilityDelayMs: 500 });
    sandbox.clock.now = 1000;
    const talentId = sandbox.create(talents, talentBody(1));
    sandbox.clock.now = 1499;
    expect(sandbox.call('POST', applications.create.path, applicationBody('APP-1', talentId)).body.code).toBe(1002102);
    sandbox.clock.now = 1500;
    expect(sandbox.call('POST', applications.create.path, applicationBody('APP-1', talentId)).status).toBe(200);
  });
});

describe('idempotency', () => {
  it('answers a repeated external_id with the record it made, per resource', () => {
    const sandbox = emulatorWith();
    const { talentId, applicationId } = chain(sandbox);
    const first = sandbox.call('POST', applications.create.path, applicationBody('APP-9', talentId));
    const again = sandbox.call('POST', applications.create.path, { ...applicationBody('APP-9', talentId), job_title: 'changed' });
    expect(again.body).toEqual(first.body);
    // The same key in another resource is another record.
    expect(sandbox.call('POST', offers.create.path, offerBody('APP-9', applicationId)).body.data).toHaveProperty('external_offer.external_id', 'APP-9');
    expect(sandbox.emulator.stats()).toMatchObject({ replayed: 1, byResource: { applications: { created: 2, replayed: 1 }, offers: { created: 1 } } });
  });

  it('switched off, makes a new record for every create', () => {
    const sandbox = emulatorWith({ idempotency: false });
    const { interviewId } = chain(sandbox);
    const ids = [1, 2].map(() => sandbox.create(assessments, assessmentBody('AS-1', interviewId)));
    expect(ids[0]).not.toBe(ids[1]);
    expect(sandbox.emulator.records('assessments')).toHaveLength(2);
    expect(sandbox.emulator.stats().replayed).toBe(0);
  });

  it('never applies to talents: combined_create makes a new talent each time', () => {
    const sandbox = emulatorWith();
    const ids = [1, 2].map(() => sandbox.create(talents, talentBody(1)));
    expect(new Set(ids).size).toBe(2);
  });
});

describe('talents/batch_get_id', () => {
  const match = talents.match!;

  it('ANDs the kinds sent and answers each match with its id and keys', () => {
    const sandbox = emulatorWith();
    const first = sandbox.create(talents, talentBody(1));
    const second = sandbox.create(talents, talentBody(2));
    const lookUp = (body: Body) => sandbox.call('POST', match.path, { mobile_code: '86', ...body }).body;

    expect(lookUp({ email_list: ['c1@example.com', 'c2@example.com', 'nobody@example.com'] })).toEqual({
      code: 0,
      msg: 'success',
      data: { talent_list: [{ talent_id: first, email: 'c1@example.com' }, { talent_id: second, email: 'c2@example.com' }] },
    });
    expect(lookUp({ mobile_number_list: ['13800000002'] }).data).toEqual({ talent_list: [{ talent_id: second, mobile_number: '13800000002', mobile_code: '86' }] });
    // Email of one, mobile of the other: no talent matches both.
    expect(lookUp({ email_list: ['c1@example.com'], mobile_number_list: ['13800000002'] }).data).toEqual({ talent_list: [] });
    expect(lookUp({ email_list: ['c2@example.com'], mobile_number_list: ['13800000002'] }).data).toEqual({
      talent_list: [{ talent_id: second, email: 'c2@example.com', mobile_number: '13800000002', mobile_code: '86' }],
    });
    expect(lookUp({}).data).toEqual({ talent_list: [] });
  });

  it("matches a mobile only under the talent's own dialling code (its location code's region), 86 by default", () => {
    const sandbox = emulatorWith();
    const hongKong = sandbox.create(talents, { basic_info: { name: 'HK', mobile: '91234567', mobile_country_code: 'HK_1' } });
    const mainland = sandbox.create(talents, { basic_info: { name: 'CN', mobile: '13800138000' } });
    const lookUp = (body: Body) => sandbox.call('POST', match.path, body).body as unknown as { data: { talent_list: unknown[] } };
    expect(lookUp({ mobile_code: '852', mobile_number_list: ['91234567', '13800138000'] }).data.talent_list).toEqual([{ talent_id: hongKong, mobile_number: '91234567', mobile_code: '852' }]);
    expect(lookUp({ mobile_code: '86', mobile_number_list: ['91234567'] }).data.talent_list).toEqual([]);
    expect(lookUp({ mobile_number_list: ['13800138000'] }).data.talent_list).toEqual([{ talent_id: mainland, mobile_number: '13800138000', mobile_code: '86' }]);
  });

  it('answers a malformed mobile number with 1002009 and a bad request with 1002002', () => {
    const sandbox = emulatorWith();
    const malformed = sandbox.call('POST', match.path, { mobile_number_list: ['13800000001', '138-0000'] });
    expect(malformed).toMatchObject({ status: 400, body: { code: 1002009, msg: expect.stringContaining('"138-0000"') } });
    for (const written of ['+86 13800000001', '138 0000 0001']) {
      expect(sandbox.call('POST', match.path, { mobile_code: '86', mobile_number_list: [written] }).body).toMatchObject({ code: 1002009 });
    }
    expect(sandbox.call('POST', match.path, { mobile_code: '+86', mobile_number_list: ['13800000001'] }).body).toMatchObject({ code: 1002009 });
    const tooMany = sandbox.call('POST', match.path, { email_list: Array.from({ length: match.maxKeys + 1 }, (_, n) => `${n}@x.cn`) });
    expect(tooMany.body).toMatchObject({ code: 1002002, msg: expect.stringContaining(`email_list must have at most ${match.maxKeys} items`) });
    expect(sandbox.call('POST', match.path, { name_list: ['x'] }).body).toMatchObject({ code: 1002002, msg: expect.stringContaining('unknown field name_list') });
  });
});

describe('read-back', () => {
  it("batch_query answers the ids asked, up to maxIds, paged by page_token; interviews carry all their assessments, without external_id in the docs' reading", () => {
    const sandbox = emulatorWith({ rateLimit: 0 });
    const { applicationId, interviewId } = chain(sandbox);
    const later = sandbox.create(assessments, assessmentBody('AS-later', interviewId));
    const readBack = interviews.readBack as Extract<EndpointDescription['readBack'], { kind: 'batchQuery' }>;

    const one = sandbox.call('POST', readBack.path, { [readBack.idList]: [interviewId, '7000000000000000001'] });
    const written = sandbox.emulator.records('interviews')![0]!.body.interview_assessments as Body[];
    const { external_id: _key, ...interviewAnswered } = interviewBody('INT-1', applicationId);
    expect(one.body).toEqual({
      code: 0,
      msg: 'success',
      data: {
        has_more: false,
        items: [{ id: interviewId, ...interviewAnswered, interview_assessments: [written[0], { id: later, username: 'wang', conclusion: 1 }] }],
      },
    });
    expect(written[0]).toEqual({ id: expect.stringMatching(/^\d{19}$/), ...interviewBody('', '').interview_assessments[0] });

    const ids = [interviewId];
    for (let n = 2; n <= 25; n++) ids.push(sandbox.create(interviews, { external_id: `INT-${n}`, external_application_id: applicationId }));
    const tooMany = sandbox.call('POST', readBack.path, { [readBack.idList]: ids });
    expect(tooMany.body).toMatchObject({ code: 1002002, msg: expect.stringContaining(`${readBack.idList} must have at most 20 items, got 25`) });

    // By parent, 25 interviews: 20 then 5.
    const page1 = sandbox.call('POST', readBack.path, {}, { external_application_id: applicationId });
    expect(page1.body.data).toMatchObject({ has_more: true, page_token: '20' });
    expect((page1.body.data!.items as Body[]).map((item) => item.id)).toEqual(ids.slice(0, 20));
    const page2 = sandbox.call('POST', readBack.path, {}, { external_application_id: applicationId, page_token: '20' });
    expect(page2.body.data).toMatchObject({ has_more: false });
    expect((page2.body.data!.items as Body[]).map((item) => item.id)).toEqual(ids.slice(20));
    const small = sandbox.call('POST', readBack.path, { [readBack.idList]: ids.slice(0, 3) }, { page_size: '2' });
    expect(small.body.data).toMatchObject({ has_more: true, page_token: '2', items: [{ id: ids[0] }, { id: ids[1] }] });

    for (const [query, problem] of [
      [{ page_size: '21' }, 'page_size must be an integer 1..20'],
      [{ page_token: 'abc' }, 'page_token "abc"'],
      [{ talent_id: '1' }, 'unknown query parameter talent_id'],
    ] as const) {
      expect(sandbox.call('POST', readBack.path, {}, query).body).toMatchObject({ code: 1002002, msg: expect.stringContaining(problem) });
    }
    expect(sandbox.emulator.stats().byResource.interviews).toMatchObject({ read: 4, invalid: 4 });
  });

  it("in the SDK's reading, echoes every field sent: external_id on interviews and on every assessment", () => {
    const sandbox = emulatorWith({ reading: 'sdk' });
    const { applicationId, interviewId } = chain(sandbox);
    const later = sandbox.create(assessments, assessmentBody('AS-later', interviewId));
    const readBack = interviews.readBack as Extract<EndpointDescription['readBack'], { kind: 'batchQuery' }>;
    const written = sandbox.emulator.records('interviews')![0]!.body.interview_assessments as Body[];
    expect(sandbox.call('POST', readBack.path, { [readBack.idList]: [interviewId] }).body.data!.items).toEqual([
      { id: interviewId, ...interviewBody('INT-1', applicationId), interview_assessments: [written[0], { id: later, ...assessmentBody('AS-later', interviewId) }] },
    ]);
  });

  it("serves offers and background checks the same way, from their own descriptions: attachment_list in the docs' reading, attachment_id_list in the SDK's", () => {
    for (const reading of ['docs', 'sdk'] as const) {
      const sandbox = emulatorWith({ reading });
      const { applicationId } = chain(sandbox);
      for (const [endpoint, body] of [[offers, offerBody('OF-1', applicationId)], [checks, checkBody('BC-1', applicationId)]] as const) {
        const sent = { ...body, attachment_id_list: ['7100000000000000001', '7100000000000000002'] };
        const id = sandbox.create(endpoint, sent);
        const readBack = endpoint.readBack as Extract<EndpointDescription['readBack'], { kind: 'batchQuery' }>;
        const { external_id: _key, attachment_id_list: ids, ...rest } = sent;
        const answered =
          reading === 'sdk' ? { id, ...sent } : { id, ...rest, attachment_list: ids.map((attachment) => ({ id: attachment, name: expect.any(String), size: expect.any(Number) })) };
        expect(sandbox.call('POST', readBack.path, { [readBack.idList]: [id] }).body.data).toEqual({ has_more: false, items: [answered] });
      }
    }
  });

  it('lists applications by talent, 20 a page at most', () => {
    const sandbox = emulatorWith({ rateLimit: 0 });
    const talentId = sandbox.create(talents, talentBody(1));
    const otherTalent = sandbox.create(talents, talentBody(2));
    const ids = Array.from({ length: 22 }, (_, n) => sandbox.create(applications, applicationBody(`APP-${n}`, talentId)));
    sandbox.create(applications, applicationBody('APP-other', otherTalent));
    const path = pathOf(applications.readBack);

    const first = sandbox.call('GET', path, undefined, { talent_id: talentId });
    expect((first.body.data!.items as Body[]).map((item) => item.id)).toEqual(ids.slice(0, 20));
    expect(first.body.data!.items as Body[]).toContainEqual({ id: ids[0], ...applicationBody('APP-0', talentId) });
    const second = sandbox.call('GET', path, undefined, { talent_id: talentId, page_size: '20', page_token: first.body.data!.page_token as string });
    expect(second.body.data).toEqual({ has_more: false, items: ids.slice(20).map((id, n) => ({ id, ...applicationBody(`APP-${20 + n}`, talentId) })) });

    expect(sandbox.call('GET', path, undefined, { talent_id: talentId, page_size: '50' }).body.code).toBe(1002002);
    expect(sandbox.call('GET', path).body).toMatchObject({ code: 1002002, msg: expect.stringContaining('talent_id is required') });
  });
});

describe('update and delete', () => {
  it('PUT overwrites the whole record, PATCH changes the fields given', () => {
    const sandbox = emulatorWith();
    const { talentId, applicationId, interviewId } = chain(sandbox);
    const put = sandbox.call('PUT', `${applications.create.path}/${applicationId}`, { talent_id: talentId, stage: 'offer' });
    expect(put.body).toEqual({ code: 0, msg: 'success', data: { external_application: { id: applicationId, talent_id: talentId, stage: 'offer' } } });
    expect(sandbox.emulator.records('applications')![0]!.body).toEqual({ talent_id: talentId, stage: 'offer' });
    // PUT needs the whole record, required fields included.
    expect(sandbox.call('PUT', `${applications.create.path}/${applicationId}`, { stage: 'x' }).body).toMatchObject({ code: 1002002, msg: expect.stringContaining('talent_id is required') });

    const assessmentId = sandbox.create(assessments, assessmentBody('AS-1', interviewId));
    sandbox.call('PATCH', `${assessments.create.path}/${assessmentId}`, { content: 'notes' });
    expect(sandbox.emulator.records('assessments')![0]!.body).toEqual({ ...assessmentBody('AS-1', interviewId), content: 'notes' });
    // Each endpoint answers only its own update method.
    expect(sandbox.call('PATCH', `${applications.create.path}/${applicationId}`, { stage: 'y' }).status).toBe(404);
    expect(sandbox.call('PUT', `${offers.create.path}/7000000000000000001`, offerBody('OF', applicationId)).body).toMatchObject({
      code: 1002002,
      msg: expect.stringContaining('no external offer with id 7000000000000000001'),
    });
    expect(sandbox.emulator.stats()).toMatchObject({ updated: 2, patched: 1 });
  });

  it('an assessment PATCH takes only username, conclusion, assessment_dimension_list and content, in either reading', () => {
    for (const reading of ['docs', 'sdk'] as const) {
      const sandbox = emulatorWith({ reading });
      const { interviewId } = chain(sandbox);
      const assessmentId = sandbox.create(assessments, assessmentBody('AS-1', interviewId));
      for (const field of ['external_id', 'external_interview_id']) {
        const refused = sandbox.call('PATCH', `${assessments.create.path}/${assessmentId}`, { content: 'notes', [field]: 'x' });
        expect(refused).toMatchObject({ status: 400, body: { code: 1002002, msg: expect.stringContaining(`unknown field ${field}`) } });
      }
      expect(sandbox.emulator.records('assessments')![0]!.body).toEqual(assessmentBody('AS-1', interviewId));
    }
  });

  it("an interview PUT replaces all its assessments in the docs' reading, and keeps those created on their own in the SDK's", () => {
    for (const reading of ['docs', 'sdk'] as const) {
      const sandbox = emulatorWith({ reading });
      const { applicationId, interviewId } = chain(sandbox);
      const alone = sandbox.create(assessments, assessmentBody('AS-1', interviewId));
      const put = sandbox.call('PUT', `${interviews.create.path}/${interviewId}`, { ...interviewBody('INT-1', applicationId), interview_assessments: [{ username: 'zhao', conclusion: 3 }] });
      expect(put.status).toBe(200);
      const readBack = interviews.readBack as Extract<EndpointDescription['readBack'], { kind: 'batchQuery' }>;
      const listed = sandbox.call('POST', readBack.path, { [readBack.idList]: [interviewId] }).body.data!.items as Body[];
      const assessmentsListed = listed[0]!.interview_assessments as Body[];
      expect(assessmentsListed[0]).toEqual({ id: expect.stringMatching(/^\d{19}$/), username: 'zhao', conclusion: 3 });
      if (reading === 'docs') {
        expect(assessmentsListed).toHaveLength(1);
        expect(sandbox.emulator.records('assessments')).toEqual([]);
      } else {
        expect(assessmentsListed.map((element) => element.id)).toEqual([assessmentsListed[0]!.id, alone]);
        expect(sandbox.emulator.records('assessments')!.map((record) => record.id)).toEqual([alone]);
      }
    }
  });

  it("an offer PUT takes at most 10 attachment ids in the docs' reading (20 on create), any number up to 20 in the SDK's", () => {
    const ids = Array.from({ length: 11 }, (_, n) => `71000000000000000${String(n).padStart(2, '0')}`);
    for (const reading of ['docs', 'sdk'] as const) {
      const sandbox = emulatorWith({ reading });
      const { applicationId } = chain(sandbox);
      const offerId = sandbox.create(offers, { ...offerBody('OF-1', applicationId), attachment_id_list: ids });
      const put = sandbox.call('PUT', `${offers.create.path}/${offerId}`, { ...offerBody('OF-1', applicationId), attachment_id_list: ids });
      if (reading === 'docs') expect(put.body).toMatchObject({ code: 1002002, msg: expect.stringContaining('attachment_id_list must have at most 10 items, got 11') });
      else expect(put.body.code).toBe(0);
      const ten = sandbox.call('PUT', `${offers.create.path}/${offerId}`, { ...offerBody('OF-1', applicationId), attachment_id_list: ids.slice(0, 10) });
      expect(ten.body.code).toBe(0);
    }
  });

  it('deletes a record, an interview with its assessments, and lets its external_id create again', () => {
    const sandbox = emulatorWith();
    const { applicationId, interviewId } = chain(sandbox);
    const offerId = sandbox.create(offers, offerBody('OF-1', applicationId));
    sandbox.create(assessments, assessmentBody('AS-1', interviewId));

    expect(sandbox.call('DELETE', `${offers.create.path}/${offerId}`).body).toEqual({ code: 0, msg: 'success', data: {} });
    expect(sandbox.call('DELETE', `${offers.create.path}/${offerId}`).body.code).toBe(1002002);
    expect(sandbox.call('DELETE', `${interviews.create.path}/${interviewId}`).status).toBe(200);
    expect(sandbox.emulator.records('interviews')).toEqual([]);
    expect(sandbox.emulator.records('assessments')).toEqual([]);
    // Assessments have no delete of their own.
    expect(sandbox.call('DELETE', `${assessments.create.path}/1`).status).toBe(404);

    const recreated = sandbox.create(offers, offerBody('OF-1', applicationId));
    expect(recreated).not.toBe(offerId);
    expect(sandbox.emulator.stats()).toMatchObject({ deleted: 3, byResource: { offers: { deleted: 1, created: 2 }, assessments: { deleted: 1 } } });
  });
});

describe('tampering and persistence', () => {
  it('removes and changes records behind the client back, uncounted', () => {
    const sandbox = emulatorWith();
    const { applicationId } = chain(sandbox);
    const offerId = sandbox.create(offers, offerBody('OF-1', applicationId));
    expect(sandbox.emulator.changeRecord('offers', offerId, { offer_status: 'declined' }, 5)).toMatchObject({ body: { offer_status: 'declined' }, updatedAt: 5 });
    const readBack = offers.readBack as Extract<EndpointDescription['readBack'], { kind: 'batchQuery' }>;
    expect(sandbox.call('POST', readBack.path, { [readBack.idList]: [offerId] }).body.data).toMatchObject({ items: [{ offer_status: 'declined' }] });
    expect(sandbox.emulator.removeRecord('applications', applicationId, 6)).toBe(true);
    expect(sandbox.emulator.removeRecord('applications', applicationId, 6)).toBe(false);
    expect(sandbox.emulator.changeRecord('offers', '1', {}, 6)).toBeUndefined();
    expect(() => sandbox.emulator.removeRecord('candidates', '1', 6)).toThrow('no resource named candidates');
    expect(sandbox.emulator.stats()).toMatchObject({ updated: 0, deleted: 0 });
  });

  it('rebuilds the same records from its changes, and issues no id twice', () => {
    const sandbox = emulatorWith();
    const { applicationId, interviewId } = chain(sandbox);
    sandbox.create(offers, offerBody('OF-1', applicationId));
    sandbox.call('PUT', `${interviews.create.path}/${interviewId}`, interviewBody('INT-1', applicationId));
    sandbox.emulator.removeRecord('offers', sandbox.emulator.records('offers')![0]!.id, 1);

    const reloaded = emulatorWith();
    reloaded.emulator.restore(sandbox.changes);
    for (const endpoint of endpoints) expect(reloaded.emulator.records(endpoint.resource)).toEqual(sandbox.emulator.records(endpoint.resource));
    expect(reloaded.changes).toEqual([]);
    // The PUT gave the interview's assessment the highest id so far; the next id comes after it.
    const newest = (reloaded.emulator.records('interviews')![0]!.body.interview_assessments as Body[])[0]!.id as string;
    const next = reloaded.create(assessments, assessmentBody('AS-1', interviewId));
    expect(BigInt(next)).toBe(BigInt(newest) + 1n);
    // Idempotency survives the reload.
    expect(reloaded.call('POST', applications.create.path, applicationBody('APP-1', '1')).body.data).toHaveProperty('external_application.id', applicationId);
  });
});

describe('faults', () => {
  it('injects them on every endpoint and operation, after the limit and the token', () => {
    const sandbox = emulatorWith({ errorRate: 1, random: () => 0 });
    expect(sandbox.call('POST', talents.match!.path, { email_list: ['a@b.c'] })).toMatchObject({ status: 500, body: { code: 1002001 } });
    expect(sandbox.call('GET', pathOf(applications.readBack), undefined, { talent_id: '1' }).status).toBe(500);
    expect(sandbox.call('DELETE', `${offers.create.path}/1`).status).toBe(500);
    expect(sandbox.emulator.stats()).toMatchObject({ serverErrors: 3, byResource: { talents: { serverErrors: 1 }, applications: { serverErrors: 1 } } });
  });
});

describe('order', () => {
  it('reads back in creation order, whatever was updated since', () => {
    const sandbox = emulatorWith();
    const { talentId, interviewId } = chain(sandbox);
    const first = sandbox.create(applications, applicationBody('APP-a', talentId));
    const second = sandbox.create(applications, applicationBody('APP-b', talentId));
    sandbox.call('PUT', `${applications.create.path}/${first}`, applicationBody('APP-a', talentId));
    const listed = sandbox.call('GET', pathOf(applications.readBack), undefined, { talent_id: talentId }).body.data!.items as Body[];
    expect(listed.map((item) => item.id).slice(1)).toEqual([first, second]);

    const assessmentIds = ['AS-1', 'AS-2'].map((key) => sandbox.create(assessments, assessmentBody(key, interviewId)));
    sandbox.call('PATCH', `${assessments.create.path}/${assessmentIds[0]}`, { content: 'later' });
    const readBack = interviews.readBack as Extract<EndpointDescription['readBack'], { kind: 'batchQuery' }>;
    const item = (sandbox.call('POST', readBack.path, { [readBack.idList]: [interviewId] }).body.data!.items as Body[])[0]!;
    expect((item.interview_assessments as Body[]).map((assessment) => assessment.id).slice(1)).toEqual(assessmentIds);
  });
});
