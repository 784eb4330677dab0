import { describe, expect, it } from 'vitest';
import { decide } from '../../src/import/decide.js';
import { bodyHash, canonicalJson, derivedExternalId } from '../../src/import/identity.js';
import { KnownIds } from '../../src/import/knownIds.js';

const body = { external_id: 'A-1', external_interview_id: '698', conclusion: 2 };

describe('decide', () => {
  it('creates what the log does not know', () => {
    expect(decide('A-1', body, new KnownIds(), false)).toEqual({ action: 'create' });
    const seenOnly = new KnownIds();
    seenOnly.firstLine('A-1', 2); // seen by this run, created by none
    expect(decide('A-1', body, seenOnly, true)).toEqual({ action: 'create' });
  });

  it('skips what an earlier run created, changed or not, unless asked to update changed records', () => {
    const created = new KnownIds();
    created.recordCreated('A-1', '77', 'old');
    expect(decide('A-1', body, created, false)).toEqual({ action: 'skip' });
    expect(decide('A-1', body, created, true)).toEqual({ action: 'update', id: '77' });
    const unchanged = new KnownIds();
    unchanged.recordCreated('A-1', '77', bodyHash(body));
    expect(decide('A-1', body, unchanged, true)).toEqual({ action: 'skip' });
    const keysOnly = new KnownIds();
    keysOnly.recordCreated('A-1'); // read without ids: enough to skip
    expect(decide('A-1', body, keysOnly, false)).toEqual({ action: 'skip' });
  });
});

describe('identity', () => {
  it('hashes bodies independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: 0 } })).toBe('{"a":{"c":0,"d":[1,{"e":2,"f":1}]},"b":1}');
    expect(bodyHash({ a: 1, b: 2 })).toBe(bodyHash({ b: 2, a: 1 }));
    expect(bodyHash({ a: 1 })).not.toBe(bodyHash({ a: 2 }));
  });

  it('derives a stable key from the content of a record that has none (prepare keeps one it has)', () => {
    const anonymous = { external_interview_id: '698', content: 'ok' };
    const first = derivedExternalId(anonymous);
    expect(first).toMatch(/^hi-[0-9a-f]{16}$/);
    expect(derivedExternalId({ content: 'ok', external_interview_id: '698' })).toBe(first);
    expect(derivedExternalId({ ...anonymous, content: 'changed' })).not.toBe(first);
  });
});
