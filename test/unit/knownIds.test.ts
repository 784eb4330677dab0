import { describe, expect, it } from 'vitest';
import { KnownIds } from '../../src/import/knownIds.js';

describe('KnownIds', () => {
  it('answers the first line of an id seen before, and nothing for a new one', () => {
    const known = new KnownIds();
    expect(known.firstLine('A-1', 2)).toBeUndefined();
    expect(known.firstLine('A-2', 3)).toBeUndefined();
    expect(known.firstLine('A-1', 9)).toBe(2);
    expect(known.firstLine('A-1', 12)).toBe(2);
    expect(known.firstLine('a-1', 13)).toBeUndefined();
    expect(known.firstLine('', 14)).toBeUndefined();
    expect(known.firstLine('', 15)).toBe(14);
    expect(known.firstLine('面评-001', 16)).toBeUndefined();
    expect(known.firstLine('面评-001', 17)).toBe(16);
  });

  it('keeps what earlier runs created, the last line winning, apart from what this run saw', () => {
    const known = new KnownIds();
    known.recordCreated('A-1', '6989181065243969836', '3f1c0e2a9b7d4c11');
    known.recordCreated('A-2', '6989181065243969837');
    known.recordCreated('A-1', '6989181065243969836', 'aaaaaaaaaaaaaaaa');
    expect(known.created('A-1')).toEqual({ id: '6989181065243969836', hash: 'aaaaaaaaaaaaaaaa' });
    expect(known.created('A-2')).toEqual({ id: '6989181065243969837' });
    expect(known.created('A-3')).toBeUndefined();
    // Seen in this run but never created: a key, not a created record.
    expect(known.firstLine('A-3', 5)).toBeUndefined();
    expect(known.created('A-3')).toBeUndefined();
    expect(known.firstLine('A-1', 6)).toBeUndefined();
    expect([...known.createdIds()]).toEqual([
      ['A-1', '6989181065243969836'],
      ['A-2', '6989181065243969837'],
    ]);
    expect(known.size).toBe(3);
  });

  it('is exact through growth: 400,000 similar ids (dozens share a 32-bit hash) are never taken for each other', () => {
    const known = new KnownIds();
    const count = 400_000;
    for (let n = 0; n < count; n++) known.recordCreated(`R-${n}`, String(6989181065243969836n + BigInt(n)));
    for (let n = 0; n < count; n++) expect(known.firstLine(`R-${n}`, n + 1)).toBeUndefined();
    for (let n = 0; n < count; n += 997) {
      expect(known.firstLine(`R-${n}`, 999_999)).toBe(n + 1);
      expect(known.created(`R-${n}`)?.id).toBe(String(6989181065243969836n + BigInt(n)));
    }
    expect(known.firstLine(`R-${count}`, 1)).toBeUndefined();
    expect(known.size).toBe(count + 1);
  });
});
