import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { talents } from '../../src/endpoints/talents.js';
import { drawDelayMs, drawFault } from '../../src/sandbox/faults.js';
import { seededRandom } from '../../src/sandbox/random.js';
import { RateLimiter, RateWindow } from '../../src/sandbox/rateWindow.js';
import { seedBody } from '../../src/sandbox/seed.js';
import { openStateFile } from '../../src/sandbox/stateFile.js';
import { TokenIssuer } from '../../src/sandbox/tokens.js';
import { assessments } from '../../src/endpoints/assessments.js';
import { checkWireBody } from '../../src/sandbox/validateWire.js';

describe('seededRandom', () => {
  it('repeats its sequence for the same seed and stays within [0, 1)', () => {
    const first = seededRandom(42);
    const second = seededRandom(42);
    const drawn = Array.from({ length: 1000 }, () => first());
    expect(Array.from({ length: 1000 }, () => second())).toEqual(drawn);
    expect(drawn.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(new Set(drawn).size).toBeGreaterThan(990);
    expect(seededRandom(43)()).not.toBe(drawn[0]);
  });
});

describe('RateWindow', () => {
  it('admits `limit` requests per sliding second and says when a slot frees', () => {
    const window = new RateWindow(2);
    expect(window.admit(0)).toEqual({ admitted: true });
    expect(window.admit(400)).toEqual({ admitted: true });
    expect(window.admit(500)).toEqual({ admitted: false, resetSeconds: 1, limit: 2 });
    expect(window.admit(999)).toEqual({ admitted: false, resetSeconds: 1, limit: 2 });
    // The request at 0 leaves the window at 1000; the one at 400 is still in it.
    expect(window.admit(1000)).toEqual({ admitted: true });
    expect(window.admit(1001)).toEqual({ admitted: false, resetSeconds: 1, limit: 2 });
  });

  it('does not count refused requests', () => {
    const window = new RateWindow(1);
    window.admit(0);
    for (let at = 100; at < 1000; at += 100) expect(window.admit(at).admitted).toBe(false);
    expect(window.admit(1000).admitted).toBe(true);
  });

  it('reports whole seconds, at least 1, for longer windows', () => {
    const window = new RateWindow(1, 60_000);
    window.admit(0);
    expect(window.admit(1000)).toEqual({ admitted: false, resetSeconds: 59, limit: 1 });
    expect(window.admit(59_999)).toEqual({ admitted: false, resetSeconds: 1, limit: 1 });
  });

  it('admits everything with limit 0', () => {
    const window = new RateWindow(0);
    for (let index = 0; index < 1000; index++) expect(window.admit(0).admitted).toBe(true);
  });
});

describe('RateLimiter', () => {
  it('refuses when either period is full, and counts a request in both only when both admit it', () => {
    const limiter = new RateLimiter({ perSecond: 2, perMinute: 3 });
    expect(limiter.admit(0).admitted).toBe(true);
    expect(limiter.admit(1).admitted).toBe(true);
    expect(limiter.admit(2)).toEqual({ admitted: false, resetSeconds: 1, limit: 2 });
    expect(limiter.admit(1000).admitted).toBe(true);
    // The minute is full: refused by it, until the request at 0 leaves it.
    expect(limiter.admit(2500)).toEqual({ admitted: false, resetSeconds: 58, limit: 3 });
    expect(limiter.admit(60_000).admitted).toBe(true);
    // The refusal at 2 did not take a slot of the minute: one more fits at 60 001 (the request at 1 has left).
    expect(limiter.admit(60_001).admitted).toBe(true);
  });

  it('admits everything without a limit', () => {
    const limiter = new RateLimiter(undefined);
    for (let index = 0; index < 100; index++) expect(limiter.admit(0).admitted).toBe(true);
  });
});

describe('seedBody', () => {
  it('puts each plain key in the one talents field its name ends', () => {
    expect(seedBody(talents.fields, { name: '张伟', email: 'zw@example.com', mobile: '13800000001' })).toEqual({
      basic_info: { name: '张伟', email: 'zw@example.com', mobile: '13800000001' },
    });
    expect(seedBody(talents.fields, { name: 'x', email: undefined })).toEqual({ basic_info: { name: 'x' } });
    expect(() => seedBody(talents.fields, { name: 'x', nickname: 'y' })).toThrow('"nickname" names no field');
  });
});

describe('openStateFile', () => {
  const resources = ['offers'];
  const change = (id: string) => ({ op: 'create', resource: 'offers', id, body: { external_application_id: '1' }, at: 5 });
  const folder = () => mkdtempSync(join(tmpdir(), 'sandbox-state-'));

  it('starts empty without a file, appends each change as a line, and reads them back', () => {
    const path = join(folder(), 'state.jsonl');
    const first = openStateFile(path, resources);
    expect(first.changes).toEqual([]);
    first.append(change('1') as never);
    first.append({ op: 'delete', resource: 'offers', id: '1', at: 6 });
    first.close();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    const second = openStateFile(path, resources);
    expect(second.changes).toEqual([change('1'), { op: 'delete', resource: 'offers', id: '1', at: 6 }]);
    second.close();
  });

  it('drops a last line cut short by a crash and cuts it off, so the next line starts clean', () => {
    const path = join(folder(), 'state.jsonl');
    writeFileSync(path, `${JSON.stringify(change('1'))}\n{"op":"create","reso`);
    const state = openStateFile(path, resources);
    expect(state.changes).toEqual([change('1')]);
    state.append(change('2') as never);
    state.close();
    expect(openStateFile(path, resources).changes).toEqual([change('1'), change('2')]);
  });

  it('reads a state file many reads long a piece at a time, lines cut across the pieces, 0600', () => {
    const path = join(folder(), 'state.jsonl');
    const big = (id: string) => ({ ...change(id), body: { external_application_id: '1', offer_status: 'x'.repeat(1000 + Number(id)) } });
    const ids = Array.from({ length: 5000 }, (_, n) => String(n + 1));
    writeFileSync(path, ids.map((id) => `${JSON.stringify(big(id))}\n`).join(''));
    const state = openStateFile(path, resources);
    expect(state.changes).toHaveLength(5000);
    expect(state.changes.at(-1)).toEqual(big('5000'));
    state.close();
    const fresh = join(folder(), 'fresh.jsonl');
    openStateFile(fresh, resources).close();
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });

  it('refuses any other bad line, naming the file and line', () => {
    const path = join(folder(), 'state.jsonl');
    writeFileSync(path, `${JSON.stringify(change('1'))}\n`);
    appendFileSync(path, `${JSON.stringify({ ...change('2'), resource: 'candidates' })}\n`);
    expect(() => openStateFile(path, resources)).toThrow(`${path}:2: not a sandbox state line`);
  });
});

describe('TokenIssuer', () => {
  const minute = 60_000;
  function issuer() {
    let counter = 0;
    return new TokenIssuer(7200, () => `t-${++counter}`);
  }

  it('reuses the current token while more than 30 minutes remain, then issues a new one', () => {
    const tokens = issuer();
    expect(tokens.issue('cli_a', 0)).toEqual({ token: 't-1', expireSeconds: 7200 });
    expect(tokens.issue('cli_a', 89 * minute)).toEqual({ token: 't-1', expireSeconds: 31 * 60 });
    expect(tokens.issue('cli_a', 91 * minute)).toEqual({ token: 't-2', expireSeconds: 7200 });
    // Each app has its own current token.
    expect(tokens.issue('cli_b', 91 * minute).token).toBe('t-3');
  });

  it('keeps older tokens valid until their own expiry', () => {
    const tokens = issuer();
    tokens.issue('cli_a', 0);
    tokens.issue('cli_a', 100 * minute);
    expect(tokens.check('t-1', 119 * minute)).toBe('valid');
    expect(tokens.check('t-1', 120 * minute)).toBe('expired');
    expect(tokens.check('t-2', 120 * minute)).toBe('valid');
    expect(tokens.check('t-unknown', 0)).toBe('unknown');
  });
});

describe('drawFault and drawDelayMs', () => {
  const fixed = (value: number) => () => value;

  it('stacks the reset band before the error band', () => {
    const rates = { resetRate: 0.1, errorRate: 0.2 };
    expect(drawFault(fixed(0.05), rates)).toBe('reset');
    expect(drawFault(fixed(0.2), rates)).toBe('serverError');
    expect(drawFault(fixed(0.5), rates)).toBeUndefined();
  });

  it('draws nothing when no fault is configured', () => {
    let draws = 0;
    expect(drawFault(() => ++draws, { resetRate: 0, errorRate: 0 })).toBeUndefined();
    expect(draws).toBe(0);
  });

  it('spreads latency by the jitter and never goes below 0', () => {
    expect(drawDelayMs(fixed(0), 100, 30)).toBe(70);
    expect(drawDelayMs(fixed(0.5), 100, 30)).toBe(100);
    expect(drawDelayMs(fixed(0), 10, 30)).toBe(0);
    expect(drawDelayMs(fixed(0.99), 0, 0)).toBe(0);
  });
});

describe('checkWireBody', () => {
  const valid = {
    external_id: '123',
    username: 'shaojiale',
    conclusion: 1,
    assessment_dimension_list: [
      { score: 99, option: 'opt', options: ['opt'], content: 'content', assessment_type: 1, title: 'title', description: 'desc' },
    ],
    content: 'hello world',
    external_interview_id: '6986199832494934316',
  };
  const problem = (body: unknown, completeness: 'whole' | 'partial' = 'whole') => {
    const checked = checkWireBody(body, assessments.fields, completeness);
    return checked.ok ? undefined : checked.problem;
  };

  it('accepts the documented example and hands it back unchanged', () => {
    expect(checkWireBody(valid, assessments.fields, 'whole')).toEqual({ ok: true, body: valid });
  });

  it.each([
    [{ ...valid, conclusion: '2' }, 'conclusion must be an integer 1..3, got "2"'],
    [{ ...valid, conclusion: 4 }, 'conclusion must be an integer 1..3, got 4'],
    [{ ...valid, conclusion: 1.5 }, 'conclusion must be an integer 1..3, got 1.5'],
    [{ ...valid, interviewer: 'x' }, 'unknown field interviewer'],
    [{ ...valid, external_interview_id: '' }, 'external_interview_id must be a non-empty string, got ""'],
    [{ ...valid, external_interview_id: 6986199832494934316 }, 'external_interview_id must be a non-empty string'],
    [{ ...valid, external_interview_id: undefined }, 'external_interview_id is required'],
    [{ ...valid, username: null }, 'username must be a string, got null'],
    [{ ...valid, assessment_dimension_list: {} }, 'assessment_dimension_list must be an array, got {}'],
    [{ ...valid, assessment_dimension_list: [{ assessment_type: 5 }] }, 'assessment_dimension_list[0].assessment_type must be an integer 1..4, got 5'],
    [{ ...valid, assessment_dimension_list: [{ assessment_type: 1, score: '5' }] }, 'assessment_dimension_list[0].score must be an integer, got "5"'],
    [{ ...valid, assessment_dimension_list: [{ assessment_type: 4, options: ['a', 1] }] }, 'assessment_dimension_list[0].options[1] must be a string, got 1'],
    [{ ...valid, assessment_dimension_list: [{ assessment_type: 1, weight: 2 }] }, 'unknown field assessment_dimension_list[0].weight'],
    [{ ...valid, assessment_dimension_list: ['x'] }, 'assessment_dimension_list[0] must be a JSON object, got "x"'],
    [[valid], 'body must be a JSON object'],
    [JSON.parse('{"__proto__": {}, "external_interview_id": "1"}'), 'unknown field __proto__'],
  ])('refuses %j', (body, expected) => {
    expect(problem(body)).toContain(expected);
  });

  it('lets a patch leave external_interview_id out but applies the same rules to what it gives', () => {
    expect(problem({ conclusion: 3 }, 'partial')).toBeUndefined();
    expect(problem({ conclusion: 3 }, 'whole')).toBe('external_interview_id is required');
    expect(problem({ conclusion: '3' }, 'partial')).toContain('conclusion must be an integer 1..3');
    expect(problem({ external_interview_id: '' }, 'partial')).toContain('external_interview_id must be a non-empty string');
  });
});
