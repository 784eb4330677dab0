import { describe, expect, it } from 'vitest';
import { SeenIds } from '../../src/import/seenIds.js';

describe('SeenIds', () => {
  it('answers the first line of an id seen before, and nothing for a new one', () => {
    const seen = new SeenIds();
    expect(seen.firstLine('A-1', 2)).toBeUndefined();
    expect(seen.firstLine('A-2', 3)).toBeUndefined();
    expect(seen.firstLine('A-1', 9)).toBe(2);
    expect(seen.firstLine('A-1', 12)).toBe(2);
    expect(seen.firstLine('a-1', 13)).toBeUndefined();
    expect(seen.firstLine('', 14)).toBeUndefined();
    expect(seen.firstLine('', 15)).toBe(14);
  });

  it('keeps every id through growth, with no false repeats among 300,000 similar ids', () => {
    const seen = new SeenIds();
    for (let n = 0; n < 300_000; n++) expect(seen.firstLine(`R-${n}`, n + 1)).toBeUndefined();
    for (let n = 0; n < 300_000; n += 997) expect(seen.firstLine(`R-${n}`, 999_999)).toBe(n + 1);
    expect(seen.firstLine('面评-001', 1)).toBeUndefined();
    expect(seen.firstLine('面评-001', 2)).toBe(1);
  });
});
