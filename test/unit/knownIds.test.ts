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
    expect([...known.createdRecords()]).toEqual([
      ['A-1', { id: '6989181065243969836', hash: 'aaaaaaaaaaaaaaaa' }],
      ['A-2', { id: '6989181065243969837' }],
    ]);
    expect(known.size).toBe(3);
  });

  it('is exact through growth: 400,000 similar ids (dozens share a 32-bit hash) are never taken for each other', () => {
    const known = new KnownIds();
    const count = 400_000;
    for (let n = 0; n < count; n++) known.recordCreated(`R-${n}`, String(6989181065243969836n + BigInt(n)));
    // Collected and compared once: an expect() per id cost twenty seconds of the suite, the structure under a second.
    const takenForAnother: string[] = [];
    for (let n = 0; n < count; n++) if (known.firstLine(`R-${n}`, n + 1) !== undefined) takenForAnother.push(`R-${n}`);
    expect(takenForAnother).toEqual([]);
    for (let n = 0; n < count; n += 997) {
      expect(known.firstLine(`R-${n}`, 999_999)).toBe(n + 1);
      expect(known.created(`R-${n}`)?.id).toBe(String(6989181065243969836n + BigInt(n)));
    }
    expect(known.firstLine(`R-${count}`, 1)).toBeUndefined();
    expect(known.size).toBe(count + 1);
  });

  it('gives back every id and hash exactly as recorded, however it is held', () => {
    const known = new KnownIds();
    const records: Array<[string, string, string?]> = [
      ['A-1', '0'],
      ['A-2', '18446744073709551615', 'ffffffffffffffff'], // 2^64 - 1 and the largest hash: as numbers
      ['A-3', '18446744073709551616', '0000000000000000'], // 2^64: as text
      ['A-4', '00123', 'FFFFFFFFFFFFFFFF'], // not canonical, upper case: as text
      ['A-5', 'ou_7d8a6e6df7621556ce0d21922b676706ccs', 'short'],
      ['A-6', '-1'],
    ];
    for (const [key, id, hash] of records) known.recordCreated(key, id, hash);
    for (const [key, id, hash] of records) expect(known.created(key)).toEqual(hash === undefined ? { id } : { id, hash });
  });

  it('tells apart keys that UTF-8 cannot hold exactly (lone surrogates), and keys of any length', () => {
    const known = new KnownIds();
    expect(known.firstLine('x\ud800', 1)).toBeUndefined();
    expect(known.firstLine('x\ud801', 2)).toBeUndefined();
    expect(known.firstLine('x\ufffd', 3)).toBeUndefined();
    expect(known.firstLine('x\ud800', 4)).toBe(1);
    known.recordCreated('x\ud801', '5');
    expect(known.created('x\ud801')).toEqual({ id: '5' });
    expect(known.has('x\ud800')).toBe(false);
    const long = 'k'.repeat(3 * 1024 * 1024); // longer than a chunk of the arena
    known.recordCreated(long, '6');
    known.recordCreated('after-the-long-one', '7');
    expect(known.created(long)).toEqual({ id: '6' });
    expect(known.firstLine(`${long}k`, 8)).toBeUndefined();
    expect([...known.createdRecords()].map(([key, { id }]) => [key.length, id])).toEqual([
      [2, '5'],
      [long.length, '6'],
      [18, '7'],
    ]);
  });

  it('keeps the intents no line settled, with their tokens, until the key is created or this run sees it', () => {
    const known = new KnownIds();
    known.recordIntent('K-1', 500);
    known.recordIntent('K-2', 2 ** 40); // a token past 2^32 (a log of more than 4 GB)
    known.recordIntent('K-3', 900);
    known.recordCreated('K-3', '3'); // settled
    known.recordIntent('K-3', 950); // a created key takes no intent
    expect([...known.pendingIntents()]).toEqual([
      ['K-1', 500],
      ['K-2', 2 ** 40],
    ]);
    expect(known.firstLine('K-1', 3)).toBeUndefined(); // the token is no line of this run's
    expect(known.firstLine('K-1', 9)).toBe(3);
    expect([...known.pendingIntents()]).toEqual([['K-2', 2 ** 40]]);
    expect(known.has('K-1')).toBe(false);
  });
});
