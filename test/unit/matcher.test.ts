import { describe, expect, it } from 'vitest';
import { talents } from '../../src/endpoints/talents.js';
import { Matcher, type QueryResult } from '../../src/send/matcher.js';
import { fakeClock } from '../support/fakeClock.js';

const email = (text: string) => ({ kind: 0, text });
const mobile = (text: string, code = '86') => ({ kind: 1, text, code });

/** A matcher over a fake batch_get_id: `answer` sees each request's body; every request is recorded. */
function matcherWith(answer: (body: Record<string, unknown>) => QueryResult, maxKeys = talents.match!.maxKeys) {
  const requests: Array<Record<string, unknown>> = [];
  const matcher = new Matcher({
    match: { ...talents.match!, maxKeys },
    clock: fakeClock(),
    signal: new AbortController().signal,
    query: async (body) => {
      requests.push(body);
      return answer(body);
    },
  });
  return { matcher, requests };
}

const talentList = (items: Array<Record<string, string>>): QueryResult => ({ kind: 'ok', body: { code: 0, data: { talent_list: items } } });

describe('Matcher', () => {
  it('reads the keys of a body in the order they are tried, skipping empty ones', () => {
    const { matcher } = matcherWith(() => talentList([]));
    expect(matcher.keysOf({ basic_info: { name: 'x', email: ' a@x.com ', mobile: '138' } })).toEqual([email('a@x.com'), mobile('138')]);
    expect(matcher.keysOf({ basic_info: { name: 'x', email: '' } })).toEqual([]);
    // The dialling code validation kept beside the body.
    expect(matcher.keysOf({ basic_info: { name: 'x', mobile: '91234567' } }, { 'basic_info.mobile@dialling_code': '852' })).toEqual([mobile('91234567', '852')]);
  });

  it('asks for mobiles one dialling code per request, each under its own code', async () => {
    const { matcher, requests } = matcherWith((body) =>
      talentList(body.mobile_code === '852' ? [{ talent_id: 'T-HK', mobile_code: '852', mobile_number: '91234567' }] : []),
    );
    const found = await Promise.all([mobile('13800138000'), mobile('91234567', '852'), mobile('4155550100', '1'), mobile('91234567')].map((key) => matcher.lookUp([key])));
    expect(found).toEqual([{ kind: 'none' }, { kind: 'found', id: 'T-HK' }, { kind: 'none' }, { kind: 'none' }]);
    expect(requests.sort((a, b) => String(a.mobile_code).localeCompare(String(b.mobile_code)))).toEqual([
      { mobile_code: '1', mobile_number_list: ['4155550100'] },
      { mobile_code: '852', mobile_number_list: ['91234567'] },
      { mobile_code: '86', mobile_number_list: ['13800138000', '91234567'] },
    ]);
  });

  it('asks for the keys of records in flight in one request per kind, and tells each its own match', async () => {
    const { matcher, requests } = matcherWith(() => talentList([{ talent_id: 'T-2', email: 'B@x.com' }]));
    const found = await Promise.all(['a@x.com', 'b@x.com', 'c@x.com', 'b@x.com'].map((text) => matcher.lookUp([email(text)])));
    expect(found).toEqual([{ kind: 'none' }, { kind: 'found', id: 'T-2' }, { kind: 'none' }, { kind: 'found', id: 'T-2' }]);
    expect(requests).toEqual([{ email_list: ['a@x.com', 'b@x.com', 'c@x.com'] }]);
  });

  it('sends a full batch at once and starts another', async () => {
    const { matcher, requests } = matcherWith(() => talentList([]), 2);
    await Promise.all(['a', 'b', 'c'].map((text) => matcher.lookUp([email(text)])));
    expect(requests.map((request) => request.email_list)).toEqual([['a', 'b'], ['c']]);
  });

  it('splits a batch refused for a malformed mobile until the bad one is alone: that record is invalid, never "no match"', async () => {
    const { matcher, requests } = matcherWith((body) => {
      const mobiles = body.mobile_number_list as string[];
      if (mobiles.includes('bad')) return { kind: 'failed', code: 1002009, msg: 'invalid mobile' };
      return talentList(mobiles.includes('13800000001') ? [{ talent_id: 'T-1', mobile_number: '13800000001' }] : []);
    });
    const found = await Promise.all(['13800000001', 'bad', '13800000003'].map((text) => matcher.lookUp([mobile(text)])));
    expect(found).toEqual([
      { kind: 'found', id: 'T-1' },
      { kind: 'failed', code: 1002009, msg: 'Feishu refused +86 bad as malformed (invalid mobile): correct it in the input', invalid: 'basic_info.mobile' },
      { kind: 'none' },
    ]);
    expect(requests.map((request) => request.mobile_number_list)).toEqual([['13800000001', 'bad', '13800000003'], ['13800000001', 'bad'], ['13800000003'], ['13800000001'], ['bad']]);
  });

  it("splits a batch whose match cannot be told apart (the answer writes the key differently), down to one key's own request", async () => {
    const { matcher, requests } = matcherWith((body) => {
      const mobiles = body.mobile_number_list as string[];
      return talentList(mobiles.includes('13800000002') ? [{ talent_id: 'T-2', mobile_number: '+86 138 0000 0002' }] : []);
    });
    const found = await Promise.all(['13800000001', '13800000002'].map((text) => matcher.lookUp([mobile(text)])));
    expect(found).toEqual([{ kind: 'none' }, { kind: 'found', id: 'T-2' }]);
    expect(requests).toHaveLength(3);
  });

  it('passes on a failed lookup to every record of its request', async () => {
    const failed: QueryResult = { kind: 'failed', code: 1002002, msg: 'bad', logId: 'L-1' };
    const { matcher } = matcherWith(() => failed);
    expect(await Promise.all([matcher.lookUp([email('a')]), matcher.lookUp([email('b')])])).toEqual([failed, failed]);
  });

  it('hands a later record with a key of an earlier one that record\'s outcome, without asking the server', async () => {
    const { matcher, requests } = matcherWith(() => talentList([]));
    const first = matcher.claim([email('a@x.com')]);
    // The second has its own mobile (asked for) and the first one's email in another case (not asked for again).
    const second = matcher.claim([mobile('139'), email('A@X.com')]);
    const secondFound = second.find();
    expect(await first.find()).toEqual({ kind: 'none' });
    first.settle('T-new');
    expect(await secondFound).toEqual({ kind: 'found', id: 'T-new' });
    expect(requests.map((request) => request.email_list ?? request.mobile_number_list).sort()).toEqual([['139'], ['a@x.com']]);
  });
});
