/** The README's table of bounds is the one src/limits.ts states, row for row: no prose drifts from a number. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boundsTable } from '../../src/limits.js';

describe("the README's bounds", () => {
  it('are the table boundsTable() builds from the constants', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('<!-- bounds:');
    expect(start).toBeGreaterThan(-1);
    const rows = readme
      .slice(start)
      .split('\n')
      .slice(3)
      .filter((_, index, lines) => lines.slice(0, index + 1).every((line) => line.startsWith('|')))
      .map((line) => line.slice(2, -2).split(' | '));
    expect(rows).toEqual(boundsTable());
  });
});
