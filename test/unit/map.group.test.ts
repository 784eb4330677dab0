import { describe, expect, it } from 'vitest';
import { groupRows, indexGroups, isGrouped } from '../../src/map/group.js';
import type { SourceItem } from '../../src/read/source.js';
import { row } from './map.helpers.js';

async function* stream(items: SourceItem[]): AsyncIterable<SourceItem> {
  yield* items;
}

async function collect(items: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const all: SourceItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Each output item as `line:key(lines...)` for records, `line:!reason` for problems. */
function summary(items: SourceItem[]): string[] {
  return items.map((item) =>
    item.kind === 'problem'
      ? `${item.line}:!${item.reason}`
      : `${item.line}:${String(item.fields.id)}(${isGrouped(item) ? item.rows.map((r) => r.line).join(',') : '-'})`,
  );
}

const rows = (...spec: Array<[line: number, id: string]>) => spec.map(([line, id]) => row({ id, n: String(line) }, line));

describe('groupRows', () => {
  it('groups adjacent rows, keeping every row and its raw text', async () => {
    const items = await collect(groupRows(stream(rows([2, 'A'], [3, 'A'], [4, 'B'], [5, 'C'], [6, 'C'])), 'id'));
    expect(summary(items)).toEqual(['2:A(2,3)', '4:B(4)', '5:C(5,6)']);
    const first = items[0]!;
    if (first.kind !== 'record' || !isGrouped(first)) throw new Error('expected a group');
    expect(first.rows.map((row) => row.line)).toEqual([2, 3]);
    expect(first.raw).toBe(`${first.rows[0]!.raw}\n${first.rows[1]!.raw}`);
    expect(first.fields).toBe(first.rows[0]!.fields);
  });

  it('with an index, groups rows that are apart, each group as soon as its last row is read', async () => {
    const input = rows([2, 'A'], [3, 'B'], [4, 'A'], [5, 'C'], [6, 'B'], [7, 'A']);
    const index = await indexGroups(stream(input), 'id');
    expect([...index]).toEqual([['A', 7], ['B', 6], ['C', 5]]);
    expect(summary(await collect(groupRows(stream(input), 'id', index)))).toEqual(['5:C(5)', '3:B(3,6)', '2:A(2,4,7)']);
  });

  it('stops indexing when interrupted', async () => {
    const index = await indexGroups(stream(rows([2, 'A'], [3, 'B'])), 'id', AbortSignal.abort());
    expect(index.size).toBe(0);
  });

  it('without an index, refuses rows of a group that comes back after others', async () => {
    const items = await collect(groupRows(stream(rows([2, 'A'], [3, 'B'], [4, 'A'])), 'id'));
    expect(summary(items)).toEqual([
      '2:A(2)',
      "4:!group 'A' (from line 2) continues after other groups; sort the file by id, or read it from a regular file rather than stdin or a pipe",
      '3:B(3)',
    ]);
  });

  it('passes unreadable rows through and refuses rows without a key', async () => {
    const broken: SourceItem = { kind: 'problem', line: 3, raw: 'x,"', reason: 'unclosed quote' };
    const items = await collect(groupRows(stream([row({ id: 'A' }, 2), broken, row({ id: ' ' }, 4), row({ id: 'A' }, 5)]), 'id'));
    expect(summary(items)).toEqual(['3:!unclosed quote', '4:!no group key in id', '2:A(2,5)']);
    expect(items[1]).toMatchObject({ kind: 'problem', field: 'id' });
  });

  it('flushes groups the index did not see end (the file changed between passes)', async () => {
    const index = new Map([['A', 99]]);
    expect(summary(await collect(groupRows(stream(rows([2, 'A'], [3, 'Z'])), 'id', index)))).toEqual(['2:A(2)', '3:Z(3)']);
  });
});
