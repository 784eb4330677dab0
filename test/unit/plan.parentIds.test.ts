import { describe, expect, it } from 'vitest';
import { KnownIds } from '../../src/import/knownIds.js';
import { ParentIds, type ParentAnswer } from '../../src/plan/parentIds.js';

/** Ids for a step whose log holds `logged`, on a clock that reads whatever the test sets. */
function parentIds(options: { logged?: Array<[string, string]>; parkLimit?: number; recentMs?: number } = {}) {
  const clock = { now: 1000 };
  const logged = new KnownIds();
  for (const [key, id] of options.logged ?? []) logged.recordCreated(key, id, 'hash');
  const ids = new ParentIds({ step: 'applications', logged, parkLimit: options.parkLimit, recentMs: options.recentMs, now: () => clock.now });
  return { ids, clock };
}

/** What a promise has settled with once pending callbacks have run, or 'pending'. */
async function state<T>(promise: T | Promise<T>): Promise<T | 'pending'> {
  return Promise.race([Promise.resolve(promise), new Promise<'pending'>((done) => setImmediate(() => done('pending')))]);
}

const created = (key: string, id: string) => ({ external_id: key, status: 'created', id });

describe('ParentIds', () => {
  it('answers at once, without a promise, for an id the log already holds', () => {
    const { ids } = parentIds({ logged: [['A-1', '701']] });
    expect(ids.resolve('A-1')).toEqual({ status: 'found', id: '701' });
    expect(ids.parked).toBe(0);
  });

  it('answers a key the parent logs later, with when this run created it', async () => {
    const { ids, clock } = parentIds();
    const answer = ids.resolve('A-2');
    expect(answer).toBeInstanceOf(Promise);
    expect(ids.parked).toBe(1);
    expect(await state(answer)).toBe('pending');
    clock.now = 4200;
    ids.record(created('A-2', '702'));
    expect(await state(answer)).toEqual({ status: 'found', id: '702', createdAt: 4200 });
    expect(ids.parked).toBe(0);
    expect(ids.resolve('A-2')).toEqual({ status: 'found', id: '702', createdAt: 4200 });
  });

  it('keeps the creation time of ids created in the last recentMs only', () => {
    const { ids, clock } = parentIds({ recentMs: 10_000, logged: [['A-1', '701']] });
    ids.record(created('A-1', '801')); // recreated in this run: this run's id wins
    clock.now = 6000;
    ids.record(created('A-2', '802'));
    clock.now = 12_000;
    ids.record(created('A-3', '803'));
    expect([ids.resolve('A-1'), ids.resolve('A-2'), ids.resolve('A-3')]).toEqual([
      { status: 'found', id: '801' },
      { status: 'found', id: '802', createdAt: 6000 },
      { status: 'found', id: '803', createdAt: 12_000 },
    ]);
  });

  it('takes the id of created, updated and matched lines (a talent found by email) alike', () => {
    const { ids } = parentIds();
    ids.record({ external_id: 'A-3', status: 'updated', id: '703' });
    ids.record({ external_id: 'C-1', status: 'matched', id: 't-9' });
    ids.record({ external_id: null, status: 'invalid' });
    expect([ids.resolve('A-3'), ids.resolve('C-1')]).toMatchObject([{ id: '703' }, { id: 't-9' }]);
  });

  it('answers missing only when the parent step has finished, naming the step and the key', async () => {
    const { ids } = parentIds();
    const waiting = ids.resolve('A-99');
    ids.record(created('A-1', '701'));
    expect(await state(waiting)).toBe('pending');
    ids.finish('complete');
    const missing = { status: 'missing', reason: "parent 'A-99' not found in step applications (the step has finished without it)" };
    expect(await state(waiting)).toEqual(missing);
    expect(ids.resolve('A-99')).toEqual(missing);
    expect(ids.parked).toBe(0);
    expect(() => ids.record(created('A-99', '799'))).toThrow('step applications logged A-99 after it finished');
  });

  it('keeps the children of a failed or invalid parent waiting until the step finishes (a rerun may fix it)', async () => {
    const { ids } = parentIds();
    const ofFailed = ids.resolve('A-5');
    const ofInvalid = ids.resolve('A-6');
    ids.record({ external_id: 'A-5', status: 'failed' });
    ids.record({ external_id: 'A-6', status: 'invalid' });
    expect([await state(ofFailed), await state(ofInvalid), ids.parked]).toEqual(['pending', 'pending', 2]);
    ids.finish('complete');
    expect(await ofFailed).toEqual({ status: 'missing', reason: "parent 'A-5' not found in step applications (its record there was logged failed)" });
    expect(await ofInvalid).toEqual({ status: 'missing', reason: "parent 'A-6' not found in step applications (its record there was logged invalid)" });
  });

  it('keeps a parent created by an earlier run when this run fails to update it', () => {
    const { ids } = parentIds({ logged: [['A-7', '707']] });
    ids.record({ external_id: 'A-7', status: 'failed' });
    ids.finish('complete');
    expect(ids.resolve('A-7')).toEqual({ status: 'found', id: '707' });
  });

  it('tells children of a step that stopped early to wait for a rerun instead of blocking them', async () => {
    const { ids } = parentIds();
    const waiting = ids.resolve('A-8');
    ids.finish('stopped');
    expect(await waiting).toEqual({ status: 'stopped', reason: "step applications stopped before parent 'A-8' was known: run the plan again" });
  });

  it('wakes many children waiting on one key with one line', async () => {
    const { ids } = parentIds();
    const answers: Array<ParentAnswer | Promise<ParentAnswer>> = [];
    for (let child = 0; child < 1000; child++) answers.push(ids.resolve('A-1'));
    const other = ids.resolve('A-2');
    expect(ids.parked).toBe(1001);
    ids.record(created('A-1', '701'));
    const settled = await Promise.all(answers);
    expect(new Set(settled.map((answer) => JSON.stringify(answer)))).toEqual(new Set([JSON.stringify({ status: 'found', id: '701', createdAt: 1000 })]));
    expect(ids.parked).toBe(1);
    expect(await state(other)).toBe('pending');
  });

  it('makes a reader wait for room while parkLimit children are parked, and lets it go when one is answered', async () => {
    const { ids } = parentIds({ parkLimit: 3 });
    ids.resolve('A-1');
    ids.resolve('A-1');
    expect(await state(ids.room())).toBeUndefined();
    ids.resolve('A-2');
    const room = ids.room();
    const alsoWaiting = ids.room();
    expect([await state(room), await state(alsoWaiting)]).toEqual(['pending', 'pending']);
    ids.record(created('A-3', '703')); // nobody waits for it: still full
    expect(await state(room)).toBe('pending');
    ids.record(created('A-2', '702'));
    expect([await state(room), await state(alsoWaiting), ids.parked]).toEqual([undefined, undefined, 2]);
  });

  it('lets waiting readers go when the parent finishes', async () => {
    const { ids } = parentIds({ parkLimit: 1 });
    void ids.resolve('A-1');
    const room = ids.room();
    expect(await state(room)).toBe('pending');
    ids.finish('complete');
    expect(await state(room)).toBeUndefined();
  });
});
