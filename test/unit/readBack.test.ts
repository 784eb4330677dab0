/**
 * Reading back in-process, through real senders (pacing, retries) and a fake client that answers read-back requests
 * from a table of records, on a fake clock.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { endpointFor } from '../../src/endpoints/registry.js';
import type { EndpointDescription } from '../../src/endpoints/types.js';
import { ReadBack, readRequests, type Item } from '../../src/readBack/readBack.js';
import { contentKey, findLost, recoverable, Recovery, resendWithinMs } from '../../src/readBack/recovery.js';
import type { Reply } from '../../src/send/answer.js';
import { Sender } from '../../src/send/sender.js';
import { TokenCache } from '../../src/send/tokenCache.js';
import { fakeClock } from '../support/fakeClock.js';
import { virtualClock } from '../support/virtualClock.js';

interface Request {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/**
 * A read-back over `records` (per resource, each with `id` and fields). Batch queries answer the ids asked for (or
 * a parent's records), lists a parent's records, both paged as asked; `fail` answers matching requests HTTP 400.
 */
function reading(records: Record<string, Item[]>, fail?: (request: Request) => boolean, clock: Clock = fakeClock({ start: 1_000_000 })) {
  const requests: Request[] = [];
  const tokenCache = new TokenCache(async () => ({ token: 't-1', expire: 7200 }), clock);
  const answer = (endpoint: EndpointDescription, request: Request): Reply => {
    if (fail?.(request)) return { kind: 'error', status: 400, code: 1002002, msg: 'bad' };
    const readBack = endpoint.readBack!;
    let items = records[endpoint.resource] ?? [];
    const listed = (body: unknown) => (body as Record<string, string[]> | undefined)?.[readBack.kind === 'batchQuery' ? readBack.idList : ''];
    const ids = listed(request.body);
    if (ids) items = items.filter((item) => ids.includes(item.id as string));
    else items = items.filter((item) => item[endpoint.parent!.field] === request.query[readBack.kind === 'listByParent' ? readBack.parentParam : endpoint.parent!.field]);
    const size = Number(request.query.page_size);
    const from = Number(request.query.page_token ?? 0);
    const more = from + size < items.length;
    return { kind: 'ok', status: 200, body: { code: 0, data: { items: items.slice(from, from + size), has_more: more, ...(more ? { page_token: String(from + size) } : {}) } } };
  };
  const senders: Sender[] = [];
  const readBack = new ReadBack(
    readRequests((endpoint) => {
      const sender = new Sender({
        endpoint,
        client: {
          create: async () => Promise.reject(new Error('no creates here')),
          update: async () => Promise.reject(new Error('no updates here')),
          delete: async () => Promise.reject(new Error('no deletes here')),
          request: async (method, path, body) => {
            const url = new URL(path, 'http://feishu');
            const request = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), body };
            requests.push(request);
            return answer(endpoint, request);
          },
        },
        tokenCache,
        clock,
        random: () => 0.5,
        maxAttempts: 3,
        concurrency: 50,
        signal: new AbortController().signal,
      });
      senders.push(sender);
      return sender;
    }),
  );
  return { readBack, requests, senders };
}

const interviews = endpointFor('interviews')!;
const assessments = endpointFor('assessments')!;
const applications = endpointFor('applications')!;
const ids = (count: number, from = 1) => Array.from({ length: count }, (_, index) => String(7000 + from + index));

describe('read-back', () => {
  it('asks for as many ids per request as the endpoint takes (45 ids: 20, 20, 5), paced at its own limit', async () => {
    const stored = ids(44).map((id) => ({ id, external_id: `I-${id}`, external_application_id: '1' }));
    // Virtual time: each caller's wait is its own (a fake clock's sleep would move every caller's time at once).
    const clock = virtualClock();
    const { readBack, requests, senders } = reading({ interviews: stored }, undefined, clock);
    const result = await clock.run(readBack.byIds(interviews, ids(45).map((id) => ({ id }))));
    expect(requests.map((request) => (request.body as { external_interview_id_list: string[] }).external_interview_id_list.length)).toEqual([20, 20, 5]);
    expect(requests.every((request) => request.method === 'POST' && request.path === '/open-apis/hire/v1/external_interviews/batch_query')).toBe(true);
    // Paced by the interviews' read-back limit (10/s): each request started at least 100 ms after the one before.
    const pace = senders[0]!.paces.read!;
    expect(pace.state.rate).toBe(10);
    expect(senders[0]!.paces.create.state.started).toBe(0);
    const starts = pace.state.starts;
    expect(starts).toHaveLength(3);
    expect(starts.slice(1).every((start, index) => start - starts[index]! >= 100)).toBe(true);
    expect([...result.found.keys()].sort()).toEqual(ids(44));
    expect(result.found.has('7045')).toBe(false);
    expect(result.unread.size).toBe(0);
  });

  it('reads assessments inside their interviews, each interview once, with its id in their parent field', async () => {
    const { readBack, requests } = reading({
      interviews: [
        { id: '10', external_application_id: '1', interview_assessments: [{ id: '11', external_id: 'A-1', username: 'a' }, { id: '12', external_id: 'A-2' }] },
        { id: '20', external_application_id: '1', interview_assessments: [{ id: '21', external_id: 'A-3' }] },
      ],
    });
    const wanted = [
      { id: '11', parent: '10' },
      { id: '12', parent: '10' },
      { id: '21', parent: '20' },
      { id: '22', parent: '20' },
      { id: '31', parent: '30' },
    ];
    const result = await readBack.byIds(assessments, wanted);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body).toEqual({ external_interview_id_list: ['10', '20', '30'] });
    expect(result.found.get('11')).toEqual({ id: '11', external_id: 'A-1', username: 'a', external_interview_id: '10' });
    expect([...result.found.keys()]).toEqual(['11', '12', '21']);
    expect(result.unread.size).toBe(0);
  });

  it("lists each talent's applications once, page by page, at the list's largest page", async () => {
    const stored = ids(25).map((id) => ({ id, talent_id: 't1', job_title: 'SRE' }));
    const { readBack, requests } = reading({ applications: [...stored, { id: '1', talent_id: 't2' }] });
    const result = await readBack.byIds(applications, [...ids(25).map((id) => ({ id, parent: 't1' })), { id: '1', parent: 't2' }]);
    expect(requests.map((request) => [request.method, request.query])).toEqual([
      ['GET', { talent_id: 't1', page_size: '20' }],
      ['GET', { talent_id: 't2', page_size: '20' }],
      ['GET', { talent_id: 't1', page_size: '20', page_token: '20' }],
    ]);
    expect(result.found.size).toBe(26);
  });

  it('leaves the ids of a failed request unread, never missing, and reads the others', async () => {
    const stored = ids(25).map((id) => ({ id, external_application_id: '1' }));
    const { readBack } = reading({ interviews: stored }, (request) => (request.body as { external_interview_id_list: string[] }).external_interview_id_list.includes('7021'));
    const result = await readBack.byIds(interviews, ids(25).map((id) => ({ id })));
    expect(result.found.size).toBe(20);
    expect([...result.unread.keys()]).toEqual(ids(5, 21));
    expect(result.unread.get('7021')).toBe('reading back failed: 1002002: bad');
  });

  it("reads a parent's records by the parent's id when recovering", async () => {
    const { readBack, requests } = reading({ interviews: [{ id: '10', external_id: 'I-1', external_application_id: 'p1' }, { id: '20', external_application_id: 'p2' }] });
    expect(await readBack.children(interviews, 'p1')).toEqual([{ id: '10', external_id: 'I-1', external_application_id: 'p1' }]);
    expect(requests).toEqual([expect.objectContaining({ method: 'POST', query: { external_application_id: 'p1', page_size: '20' }, body: {} })]);
  });
});

describe('recovery', () => {
  it('is possible for every resource read back under a parent with an external id of its own', () => {
    const names = ['talents', 'applications', 'interviews', 'assessments', 'offers', 'background-checks'];
    expect(names.filter((name) => recoverable(endpointFor(name)!))).toEqual(['applications', 'interviews', 'assessments', 'offers', 'background-checks']);
  });

  const none = () => false;
  const sent = (externalId: string, username: string) => ({ externalId, body: { external_id: externalId, external_interview_id: '10', username, conclusion: 2 } });

  it('findLost: by external_id where the answer carries one (the SDK), else by content (the docs), never a claimed record', () => {
    const sdk = [{ id: '11', external_id: 'A-1', external_interview_id: '10', username: 'li', conclusion: 2 }];
    expect(findLost(assessments, sent('A-1', 'li'), sdk, none)).toEqual({ kind: 'found', id: '11' });
    expect(findLost(assessments, sent('A-2', 'li'), sdk, none)).toEqual({ kind: 'none' }); // another record's key
    const docs = [{ id: '11', external_interview_id: '10', username: 'li', conclusion: 2 }, { id: '12', external_interview_id: '10', username: 'wang', conclusion: 2 }];
    expect(findLost(assessments, sent('A-1', 'li'), docs, none)).toEqual({ kind: 'found', id: '11' });
    expect(findLost(assessments, sent('A-1', 'li'), docs, (id) => id === '11')).toEqual({ kind: 'none' });
    expect(findLost(assessments, sent('A-1', 'zhao'), docs, none)).toEqual({ kind: 'none' });
  });

  it('findLost: several of the same content stop the record, unless as many lost creates of that content are unsettled', () => {
    const twins = ['11', '12'].map((id) => ({ id, external_interview_id: '10', username: 'li', conclusion: 2 }));
    expect(findLost(assessments, sent('A-1', 'li'), twins, none)).toEqual({ kind: 'several', count: 2 });
    expect(findLost(assessments, sent('A-1', 'li'), twins, none, 2)).toEqual({ kind: 'found', id: '11' });
    expect(findLost(assessments, sent('A-1', 'li'), twins, (id) => id === '11', 1)).toEqual({ kind: 'found', id: '12' });
  });

  const intent = (external_id: string, content?: string) => ({ external_id, status: 'sending' as const, resource: 'assessments', parent: '10', ...(content ? { content } : {}) });
  const options = (intents: ReturnType<typeof intent>[], claimed: string[] = []) => ({ pending: new Map(intents.map((one) => [one.external_id, one])), claimed: async () => new Set(claimed), now: () => Date.now() });

  it("finds an intent's record among its parent's, reading each parent once, taking no record twice", async () => {
    const { readBack, requests } = reading({ interviews: [{ id: '10', external_application_id: '1', interview_assessments: [{ id: '11', username: 'li', conclusion: 2 }, { id: '12', username: 'li', conclusion: 2 }] }] });
    const twins = [intent('A-1', contentKey(assessments, sent('A-1', 'li').body)), intent('A-2', contentKey(assessments, sent('A-2', 'li').body)), intent('A-3')];
    const recovery = new Recovery(assessments, readBack, options(twins));
    expect(contentKey(assessments, sent('A-1', 'li').body)).toBe(contentKey(assessments, sent('A-2', 'li').body));
    const found = await Promise.all([recovery.find(twins[0]!, sent('A-1', 'li').body), recovery.find(twins[1]!, sent('A-2', 'li').body), recovery.find(twins[2]!, sent('A-3', 'wang').body)]);
    expect(found).toEqual([{ kind: 'found', id: '11' }, { kind: 'found', id: '12' }, { kind: 'none' }]);
    expect(requests).toHaveLength(1);
  });

  it('stops a record whose content several unclaimed records share, with a reason', async () => {
    const { readBack } = reading({ interviews: [{ id: '10', external_application_id: '1', interview_assessments: [{ id: '11', username: 'li', conclusion: 2 }, { id: '12', username: 'li', conclusion: 2 }, { id: '13', username: 'li', conclusion: 2 }] }] });
    const found = await new Recovery(assessments, readBack, options([intent('A-1')], ['13'])).find(intent('A-1'), sent('A-1', 'li').body);
    expect(found).toMatchObject({ kind: 'failed', code: 'RECOVERY', msg: expect.stringContaining('its parent holds 2 records with its content that no log line names') });
  });

  it('sends again a record whose parent cannot be read while idempotency covers its intent; fails it once the window is near its end, or when its time is not logged', async () => {
    const { readBack } = reading({}, () => true);
    const now = Date.parse('2026-12-08T12:00:00Z');
    const recovery = new Recovery(assessments, readBack, { pending: new Map(), claimed: async () => new Set<string>(), now: () => now });
    const intent = (hoursAgo?: number) => ({
      external_id: 'A-1',
      status: 'sending' as const,
      resource: 'assessments',
      parent: '10',
      ...(hoursAgo === undefined ? {} : { at: new Date(now - hoursAgo * 3_600_000).toISOString() }),
    });
    expect(await recovery.find(intent(1), sent('A-1', 'li').body)).toEqual({ kind: 'none' });
    expect(await recovery.find(intent(resendWithinMs / 3_600_000 - 0.01), sent('A-1', 'li').body)).toEqual({ kind: 'none' });
    for (const old of [resendWithinMs / 3_600_000, 30, undefined]) {
      const found = await recovery.find(intent(old), sent('A-1', 'li').body);
      expect(found).toMatchObject({ kind: 'failed', code: 'RECOVERY' });
      expect((found as { msg: string }).msg).toMatch(/whether Feishu made it cannot be checked \(reading back failed: 1002002: bad\), and Feishu's idempotency covers a resend for 23h only, so it is not sent again/);
    }
  });
});
