import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/duration.js';
import { ErrorBudget, errorKey, parseMaxErrors } from '../../src/import/errorBudget.js';

describe('durations', () => {
  it('reads a number and a unit, or several', () => {
    expect(['30s', '15m', '2h', '1h30m', '500ms', '1.5s', ' 6H '].map(parseDuration)).toEqual([30_000, 900_000, 7_200_000, 5_400_000, 500, 1500, 21_600_000]);
  });

  it('refuses a bare number, zero, a negative and words', () => {
    expect(['6', '0s', '-5m', '15 minutes', '', 'm', '1d'].map(parseDuration)).toEqual(Array(7).fill(undefined));
  });

  it('writes a duration back as it would be given', () => {
    expect([900_000, 21_600_000, 5_400_000, 3000, 1500, 500, 0, 3_661_000].map(formatDuration)).toEqual(['15m', '6h', '1h30m', '3s', '1.5s', '500ms', '0s', '1h1m1s']);
  });
});

describe('--max-errors', () => {
  it('takes a count or a share', () => {
    expect(['10', '1', '5%', '0.5%', '100%'].map(parseMaxErrors)).toEqual([{ count: 10 }, { count: 1 }, { share: 0.05 }, { share: 0.005 }, { share: 1 }]);
    expect(['0', '-1', '2.5', '0%', '101%', 'ten', ''].map(parseMaxErrors)).toEqual(Array(7).fill(undefined));
  });

  it('counts only errors no earlier run logged for the same record', () => {
    const budget = new ErrorBudget({ count: 2 }, new Set(['A-1', 'A-2', errorKey(null, 'export.csv', 7)]));
    for (const key of ['A-1', 'A-2', errorKey(null, 'export.csv', 7), 'A-9']) budget.note(key);
    expect(budget.exceeded(10)).toBeNull();
    budget.note(errorKey(null, 'export.csv', 8));
    expect(budget.exceeded(11)).toBe('reached --max-errors 2: 2 of 11 records read were invalid or failed anew; 3 more were already in the log from earlier runs');
  });

  it('judges a share over at least 100 records, so the first error of a run is not all of it', () => {
    const budget = new ErrorBudget({ share: 0.05 }, new Set());
    for (let n = 0; n < 5; n++) budget.note(`B-${n}`);
    expect(budget.exceeded(5)).toBeNull(); // 5 of 5, but 5% of the first 100 is allowed
    budget.note('B-5');
    expect(budget.exceeded(100)).toBe('reached --max-errors 5%: 6 of 100 records read were invalid or failed anew');
    expect(budget.exceeded(200)).toBeNull();
  });

  it('never stops without a limit', () => {
    const budget = new ErrorBudget(undefined, new Set());
    for (let n = 0; n < 1000; n++) budget.note(`C-${n}`);
    expect(budget.exceeded(1000)).toBeNull();
  });
});
