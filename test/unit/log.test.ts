import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResultLog, ResultLog } from '../../src/log/resultLog.js';
import { lockResultLog } from '../../src/log/lock.js';
import { LockedError } from '../../src/errors.js';

const folder = () => mkdtempSync(join(tmpdir(), 'hire-import-log-'));
const at = '2026-11-24T00:00:00.000Z';
const file = 'export.csv';
const resource = 'assessments';

describe('result log', () => {
  it('remembers created and updated records, not failed or invalid ones, and keeps a create a later failure cannot undo', async () => {
    const path = join(folder(), 'r.jsonl');
    const log = ResultLog.open(path);
    log.append({ resource, external_id: 'a', status: 'created', file, id: '1', line: 2, hash: 'h1', at });
    log.append({ resource, external_id: 'b', status: 'failed', file, line: 3, code: 1002001, msg: 'x', at });
    log.append({ resource, external_id: 'c', status: 'invalid', file, line: 4, field: 'conclusion', msg: 'x', at });
    log.append({ resource, external_id: 'a', status: 'updated', file, id: '1', line: 2, hash: 'h2', at });
    log.append({ resource, external_id: 'a', status: 'failed', file, line: 2, at });
    log.close();
    const history = await readResultLog(path);
    expect([...history.created]).toEqual([['a', { id: '1', hash: 'h2' }]]);
    expect(history.unreadable).toBe(0);
  });

  it('survives a torn last line: it is skipped on reading and cut off before appending', async () => {
    const path = join(folder(), 'r.jsonl');
    writeFileSync(path, `${JSON.stringify({ external_id: 'a', status: 'created', id: '1', line: 2, at })}\n{"external_id":"b","sta`);
    const history = await readResultLog(path);
    expect(history.unreadable).toBe(1);
    expect(history.created.has('a')).toBe(true);
    const log = ResultLog.open(path);
    log.append({ resource, external_id: 'b', status: 'created', file, id: '2', line: 3, at });
    log.close();
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    expect(lines.map((line) => JSON.parse(line).external_id)).toEqual(['a', 'b']);
  });

  it('keeps a whole last line that lost only its newline: the record it names exists', async () => {
    const path = join(folder(), 'r.jsonl');
    writeFileSync(path, JSON.stringify({ external_id: 'a', status: 'created', id: '1', line: 2, at }));
    expect((await readResultLog(path)).created.has('a')).toBe(true);
    const log = ResultLog.open(path);
    log.append({ resource, external_id: 'b', status: 'created', file, id: '2', line: 3, at });
    log.close();
    expect([...(await readResultLog(path)).created.keys()]).toEqual(['a', 'b']);
  });

  it('counts a talent matched by lookup as done, with its talent_id', async () => {
    const path = join(folder(), 'r.jsonl');
    const log = ResultLog.open(path);
    log.append({ resource: 'talents', external_id: 'C-1', status: 'matched', file, id: '7001', line: 2, at });
    log.close();
    expect([...(await readResultLog(path)).created]).toEqual([['C-1', { id: '7001' }]]);
  });

  it('reads a missing log as empty history', async () => {
    expect((await readResultLog(join(folder(), 'none.jsonl'))).created.size).toBe(0);
  });
});

describe('log lock', () => {
  it('refuses a second holder while the first lives, and takes over a dead owner\'s lock', () => {
    const path = join(folder(), 'r.jsonl');
    const lock = lockResultLog(path);
    expect(() => lockResultLog(path)).toThrow(LockedError);
    lock.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
    writeFileSync(`${path}.lock`, '2147483646'); // a pid that no process has
    const taken = lockResultLog(path);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(String(process.pid));
    taken.release();
  });
});
