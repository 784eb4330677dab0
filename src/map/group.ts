/**
 * Long files (one row per dimension): rows sharing a key become one record. With an index of where each key's last
 * row is, rows of a group may be anywhere in the file and memory holds only the groups still open; without one
 * (stdin, a pipe, a FIFO: input read once), a group's rows must be adjacent and a key that comes back is refused
 * row by row.
 */
import type { SourceItem, SourceProblem, SourceRecord } from '../read/source.js';
import { compilePath, keyText } from './path.js';

/** One record made of a group's rows: line and fields are the first row's, raw the rows' texts joined. */
export interface GroupedRecord extends SourceRecord {
  /** The rows, each with its own line and raw text (a rejects file writes the group back row by row). */
  rows: SourceRecord[];
}

export function isGrouped(record: SourceRecord): record is GroupedRecord {
  return Array.isArray((record as Partial<GroupedRecord>).rows);
}

/** First pass over a file: group key -> line of its last row. Stops early (an incomplete index) when `signal` aborts. */
export async function indexGroups(items: AsyncIterable<SourceItem>, by: string, signal?: AbortSignal): Promise<Map<string, number>> {
  const readKey = compilePath(by);
  const lastLineOfKey = new Map<string, number>();
  for await (const item of items) {
    if (signal?.aborted) break;
    if (item.kind !== 'record') continue;
    const key = keyText(readKey(item.fields));
    if (key !== '') lastLineOfKey.set(key, item.line);
  }
  return lastLineOfKey;
}

export function groupRows(items: AsyncIterable<SourceItem>, by: string, lastLineOfKey?: Map<string, number>): AsyncIterable<SourceItem> {
  return lastLineOfKey ? groupIndexed(items, by, lastLineOfKey) : groupAdjacent(items, by);
}

async function* groupIndexed(items: AsyncIterable<SourceItem>, by: string, lastLineOfKey: Map<string, number>): AsyncIterable<SourceItem> {
  /** Groups with rows still to come, in order of their first row. */
  const open = new Map<string, SourceRecord[]>();
  for await (const [item, key] of keyed(items, by)) {
    if (key === undefined) {
      yield item;
      continue;
    }
    const rows = open.get(key) ?? [];
    rows.push(item);
    open.set(key, rows);
    if (lastLineOfKey.get(key) === item.line) {
      open.delete(key);
      yield grouped(rows);
    }
  }
  // Groups the index did not expect to end here: the file changed between the two passes.
  for (const rows of open.values()) yield grouped(rows);
}

async function* groupAdjacent(items: AsyncIterable<SourceItem>, by: string): AsyncIterable<SourceItem> {
  let current: { key: string; rows: SourceRecord[] } | undefined;
  /** Keys whose group was already emitted -> its first line. */
  const closed = new Map<string, number>();
  for await (const [item, key] of keyed(items, by)) {
    if (key === undefined) {
      yield item;
      continue;
    }
    if (current?.key === key) {
      current.rows.push(item);
      continue;
    }
    const firstLine = closed.get(key);
    if (firstLine !== undefined) {
      yield problem(item, by, `group '${key}' (from line ${firstLine}) continues after other groups; sort the file by ${by}, or read it from a regular file rather than stdin or a pipe`);
      continue;
    }
    if (current) {
      closed.set(current.key, current.rows[0]!.line);
      yield grouped(current.rows);
    }
    current = { key, rows: [item] };
  }
  if (current) yield grouped(current.rows);
}

/** Each item with its group key; undefined for items that pass through alone (unreadable rows, rows without a key). */
async function* keyed(items: AsyncIterable<SourceItem>, by: string): AsyncIterable<[SourceRecord, string] | [SourceItem, undefined]> {
  const readKey = compilePath(by);
  for await (const item of items) {
    if (item.kind === 'problem') {
      yield [item, undefined]; // a row that could not be read has no key to group it by
      continue;
    }
    const key = keyText(readKey(item.fields));
    yield key === '' ? [problem(item, by, `no group key in ${by}`), undefined] : [item, key];
  }
}

function grouped(rows: SourceRecord[]): GroupedRecord {
  const first = rows[0]!;
  return { kind: 'record', line: first.line, fields: first.fields, raw: rows.map((row) => row.raw).join('\n'), rows };
}

function problem(row: SourceRecord, field: string, reason: string): SourceProblem {
  return { kind: 'problem', line: row.line, raw: row.raw, field, reason };
}
