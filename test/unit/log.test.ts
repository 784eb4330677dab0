import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DamagedLogError, LockedError, LogWriteError } from '../../src/errors.js';
import { lockResultLog } from '../../src/log/lock.js';
import { readResultLog, ResultLog, type DeletedEntry, type LogEntry } from '../../src/log/resultLog.js';

const folder = () => mkdtempSync(join(tmpdir(), 'hire-import-log-'));
const at = '2026-11-24T00:00:00.000Z';
const file = 'export.csv';
const resource = 'assessments';
const line = (externalId: string, id = '1') => `${JSON.stringify({ resource, external_id: externalId, status: 'created', id, file, line: 2, at })}\n`;
const entry = (externalId: string): LogEntry => ({ resource, external_id: externalId, status: 'created', id: '1', file, line: 2, at });

/** Reads the log, then opens it for appending the way an import does (cutting a damaged tail), and appends. */
async function reopenAndAppend(path: string, ...entries: LogEntry[]) {
  const history = await readResultLog(path);
  const log = ResultLog.open(path, history.end);
  for (const one of entries) log.append(one);
  log.close();
  return history;
}

async function damage(content: string | Buffer): Promise<string> {
  const path = join(folder(), 'r.jsonl');
  writeFileSync(path, content);
  const error = await readResultLog(path).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(DamagedLogError);
  return (error as Error).message.replaceAll(path, 'LOG');
}

describe('result log', () => {
  it('remembers created and updated records, not failed or invalid ones, and keeps a create a later failure cannot undo', async () => {
    const path = join(folder(), 'r.jsonl');
    await reopenAndAppend(
      path,
      { resource, external_id: 'a', status: 'created', file, id: '1', line: 2, hash: 'h1', at },
      { resource, external_id: 'b', status: 'failed', file, line: 3, code: 1002001, msg: 'x', at },
      { resource, external_id: null, status: 'invalid', file, line: 4, field: 'conclusion', msg: 'x', at },
      { resource, external_id: 'a', status: 'updated', file, id: '1', line: 2, hash: 'h2', at },
      { resource, external_id: 'a', status: 'failed', file, line: 2, at },
    );
    const history = await readResultLog(path);
    expect([...history.created]).toEqual([['a', { id: '1', hash: 'h2' }]]);
    expect(history.damagedTail).toBeUndefined();
  });

  it('cuts off a torn last line before appending, and says so', async () => {
    const path = join(folder(), 'r.jsonl');
    writeFileSync(path, `${line('a')}{"external_id":"b","sta`);
    const history = await reopenAndAppend(path, entry('c'));
    expect(history.damagedTail).toEqual({ afterLine: 1, bytes: 23 });
    expect([...history.created.keys()]).toEqual(['a']);
    expect(readFileSync(path, 'utf8')).toBe(line('a') + line('c'));
  });

  it('keeps a whole last line that lost only its newline: the record it names exists', async () => {
    const path = join(folder(), 'r.jsonl');
    writeFileSync(path, line('a').trimEnd());
    await reopenAndAppend(path, entry('b'));
    expect([...(await readResultLog(path)).created.keys()]).toEqual(['a', 'b']);
  });

  it('repairs a zero-filled tail of any length (a megabyte of NULs after a power loss), keeping every whole line', async () => {
    const path = join(folder(), 'r.jsonl');
    writeFileSync(path, Buffer.concat([Buffer.from(line('a') + line('b')), Buffer.alloc(1024 * 1024)]));
    const history = await reopenAndAppend(path, entry('c'));
    expect(history.damagedTail).toEqual({ afterLine: 2, bytes: 1024 * 1024 });
    expect(readFileSync(path, 'utf8')).toBe(line('a') + line('b') + line('c'));
  });

  it('keeps a whole line followed by zeros instead of its newline, and a torn line followed by zeros is cut', async () => {
    const whole = join(folder(), 'r.jsonl');
    writeFileSync(whole, Buffer.concat([Buffer.from(line('a') + line('b').trimEnd()), Buffer.alloc(70_000)]));
    await reopenAndAppend(whole, entry('c'));
    expect(readFileSync(whole, 'utf8')).toBe(line('a') + line('b') + line('c'));
    const torn = join(folder(), 'r.jsonl');
    writeFileSync(torn, Buffer.concat([Buffer.from(`${line('a')}{"exter`), Buffer.alloc(100)]));
    expect((await reopenAndAppend(torn)).damagedTail).toEqual({ afterLine: 1, bytes: 107 });
    expect(readFileSync(torn, 'utf8')).toBe(line('a'));
  });

  it('accepts an editor\'s UTF-8 BOM and CRLF line ends', async () => {
    const path = join(folder(), 'r.jsonl');
    writeFileSync(path, `\uFEFF${line('a').trimEnd()}\r\n${line('b').trimEnd()}\r\n`);
    expect([...(await readResultLog(path)).created.keys()]).toEqual(['a', 'b']);
  });

  it('refuses damage that is not a tail, naming the line, what is wrong and how to repair it', async () => {
    expect(await damage(Buffer.concat([Buffer.from(line('a')), Buffer.alloc(4096), Buffer.from(`\n${line('b')}`)]))).toBe(
      "LOG line 2 holds NUL bytes (zeros left by a crash or a power loss) and is not the unfinished last line, so the file cannot be read as hire-import's result log; nothing was sent. " +
        "To repair it, remove the zeros: tr -d '\\000' < LOG > LOG.fixed && mv LOG.fixed LOG; then run again",
    );
    expect(await damage(Buffer.concat([Buffer.from(line('a')), Buffer.alloc(10), Buffer.from(line('b'))]))).toMatch(/^LOG line 2 holds NUL bytes/);
    expect(await damage(Buffer.from(`\uFEFF${line('a')}${line('b')}`, 'utf16le'))).toMatch(
      /^LOG line 1 is UTF-16 text .* iconv -f UTF-16 -t UTF-8 LOG > LOG.utf8 && mv LOG.utf8 LOG; then run again$/,
    );
    expect(await damage(`${JSON.stringify(JSON.parse(line('a')), null, 2)}\n`)).toMatch(
      /^LOG line 1 starts a JSON document spread over several lines \(pretty-printed, by jq say\).* jq -c 'if type == "array" then \.\[\] else \. end' LOG > LOG.lines/,
    );
    expect(await damage(`${line('a')}{"external_id":"b","sta\n${line('c')}`)).toMatch(
      /^LOG line 2 is not JSON and is not the unfinished last line, .*\(sed -i '2d' LOG; a deleted 'created' line makes its record be created again\); then run again$/,
    );
    expect(await damage(`${line('a')}{"external_id":"b","sta\n`)).toMatch(/^LOG line 2 is not JSON and is not the unfinished last line/);
    expect(await damage(`${line('a')}${line('b')}{"id":"3","external":"c"}\n`)).toMatch(/^LOG line 3 is JSON but not a hire-import result/);
    // No write cut short leaves these, so not even the last line is cut off for them.
    expect(await damage(`${line('a')}{"id":"3","external":"c"}`)).toMatch(/^LOG line 2 is JSON but not a hire-import result/);
    expect(await damage(Buffer.from(line('a').trimEnd(), 'utf16le'))).toMatch(/^LOG line 1 is UTF-16 text/);
    expect(await damage(Buffer.concat([Buffer.from(line('a')), Buffer.from('{"external_id":"Jos\xe9","status":"created","id":"2"}\n', 'latin1')]))).toMatch(
      /^LOG line 2 is not UTF-8 text/,
    );
  });

  it('counts a talent matched by lookup as done, with its talent_id', async () => {
    const path = join(folder(), 'r.jsonl');
    await reopenAndAppend(path, { resource: 'talents', external_id: 'C-1', status: 'matched', file, id: '7001', line: 2, at });
    expect([...(await readResultLog(path)).created]).toEqual([['C-1', { id: '7001', matched: true }]]);
  });

  it('forgets a record a later deleted line names, counts it again after a later create, and names the resources', async () => {
    const path = join(folder(), 'r.jsonl');
    await reopenAndAppend(path, entry('a'), entry('b'), { resource: 'talents', external_id: 'C-1', status: 'matched', file, id: '7001', line: 2, at });
    const log = ResultLog.open<DeletedEntry>(path, (await readResultLog(path)).end);
    log.append({ resource, external_id: 'a', status: 'deleted', id: '1', how: 'deleted', at });
    log.append({ resource, external_id: 'b', status: 'deleted', id: '1', how: 'notFound', at });
    log.close();
    let history = await readResultLog(path);
    expect([...history.created]).toEqual([['C-1', { id: '7001', matched: true }]]);
    expect([...history.resources]).toEqual(['assessments', 'talents']);
    await reopenAndAppend(path, { ...entry('a'), id: '2' });
    history = await readResultLog(path);
    expect([...history.created]).toEqual([['C-1', { id: '7001', matched: true }], ['a', { id: '2' }]]);
  });

  it('keeps the intents no created record answers, and a failed create keeps its intent', async () => {
    const path = join(folder(), 'r.jsonl');
    const intent = (external_id: string) => ({ external_id, status: 'sending' as const, resource, parent: '10' });
    const log = ResultLog.open(path, { bytes: 0, missingNewline: false });
    for (const one of [intent('a'), intent('b'), intent('c'), intent('d')]) log.append(one);
    log.append({ resource, external_id: 'a', status: 'created', file, id: '1', line: 2, at });
    log.append({ resource, external_id: 'b', status: 'failed', file, line: 3, code: 'ECONNRESET', msg: 'reset', at });
    log.append({ resource, external_id: 'd', status: 'created', file, id: '4', line: 5, recovered: true, at });
    log.close();
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe('{"external_id":"a","status":"sending","resource":"assessments","parent":"10"}');
    const history = await readResultLog(path);
    expect([...history.intents.keys()]).toEqual(['b', 'c']);
    expect(history.intents.get('c')).toEqual(intent('c'));
    expect([...history.created.keys()]).toEqual(['a', 'd']);
  });

  it("forgets the hash of a record verify found differing, so that --update-changed sends it again", async () => {
    const path = join(folder(), 'r.jsonl');
    await reopenAndAppend(
      path,
      { resource, external_id: 'a', status: 'created', file, id: '1', line: 2, hash: 'h1', at },
      { resource, external_id: 'a', status: 'differs', file, id: '1', line: 2, field: 'conclusion', msg: 'verify: ...', at },
      { resource, external_id: 'b', status: 'differs', file, id: '2', line: 3, at },
    );
    expect([...(await readResultLog(path)).created]).toEqual([['a', { id: '1' }]]);
  });

  it('refuses an intent line without its resource', async () => {
    expect(await damage('{"external_id":"a","status":"sending"}\n')).toMatch(/^LOG line 1 is an intent \(status sending\) without its external_id and resource/);
  });

  it('reads a missing log as empty history', async () => {
    expect((await readResultLog(join(folder(), 'none.jsonl'))).created.size).toBe(0);
  });

  it('stops writing at the first failed write and keeps that entry and every later one', () => {
    const log = ResultLog.open('/dev/full', { bytes: 0, missingNewline: false }); // every write: ENOSPC
    log.append(entry('a'));
    log.append(entry('b'));
    expect(log.failure).toBeInstanceOf(LogWriteError);
    expect(log.failure?.message).toMatch(/^cannot write the result log \/dev\/full: the disk is full \(ENOSPC/);
    expect(log.unwritten.map((one) => one.external_id)).toEqual(['a', 'b']);
    log.close();
  });
});

describe('log lock', () => {
  const quiet = () => undefined;

  it('is one lock for the log\'s real path, however it is named, and says who holds it', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'sub'));
    const path = join(dir, 'r.jsonl');
    symlinkSync(path, join(dir, 'sub', 'link.jsonl'));
    const lock = await lockResultLog(join(dir, 'sub', 'link.jsonl'), quiet); // creates the log it points at
    expect(existsSync(path)).toBe(true);
    const second = await lockResultLog(relative(process.cwd(), join(dir, 'sub', '..', 'r.jsonl')), quiet).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(LockedError);
    expect((second as Error).message).toMatch(new RegExp(`^another import \\(pid ${process.pid} on host ${hostname()}, since \\d\\d:\\d\\d\\) is writing .*r\\.jsonl; wait for it to finish`));
    expect((second as Error).message).not.toMatch(/--log/);
    await lock.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(existsSync(`${path}.lock.owner`)).toBe(false);
    await (await lockResultLog(path, quiet)).release();
  });

  it('takes over a lock nobody has refreshed for the stale period (its owner died), whatever pid it names', async () => {
    const path = join(folder(), 'r.jsonl');
    mkdirSync(`${path}.lock`);
    writeFileSync(`${path}.lock.owner`, JSON.stringify({ host: hostname(), pid: process.pid + 1, since: at }));
    await expect(lockResultLog(path, quiet)).rejects.toBeInstanceOf(LockedError);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, minuteAgo, minuteAgo);
    const lock = await lockResultLog(path, quiet);
    expect(JSON.parse(readFileSync(`${path}.lock.owner`, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await lock.release();
  });

  it('takes at once a fresh lock of an earlier process with this host and pid (a restarted container), not one of this process', async () => {
    const path = join(folder(), 'r.jsonl');
    mkdirSync(`${path}.lock`);
    writeFileSync(`${path}.lock.owner`, JSON.stringify({ host: hostname(), pid: process.pid, since: at }));
    const lock = await lockResultLog(path, quiet);
    const owner = JSON.parse(readFileSync(`${path}.lock.owner`, 'utf8')) as { since: string };
    expect(Date.parse(owner.since)).toBeGreaterThan(Date.parse(at));
    // The same process asking again is refused: its own lock is live.
    await expect(lockResultLog(path, quiet)).rejects.toBeInstanceOf(LockedError);
    await lock.release();
  });
});
