import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimRejectsPath, recordWritten } from '../../src/read/rejectsWritten.js';

const root = mkdtempSync(join(tmpdir(), 'hire-import-rejects-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;

/** A folder of rejects files: `written` ones have the record a run leaves, the others have none. */
function folderWith(files: Record<string, { text: string; written: boolean }>): string {
  const folder = join(root, String(++folders));
  mkdirSync(folder);
  for (const [name, { text, written }] of Object.entries(files)) {
    const path = join(folder, name);
    writeFileSync(path, text);
    if (written) recordWritten(path, { size: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') });
  }
  return folder;
}

describe('claimRejectsPath', () => {
  it('takes the name when it is free', async () => {
    const folder = folderWith({});
    expect(await claimRejectsPath(join(folder, 'export.rejects.csv'))).toEqual({ path: join(folder, 'export.rejects.csv'), kept: [] });
  });

  it('replaces a rejects file unchanged since written: deleted now, with its record', async () => {
    const folder = folderWith({ 'export.rejects.csv': { text: 'a\n1\n', written: true } });
    const base = join(folder, 'export.rejects.csv');
    expect(await claimRejectsPath(base)).toEqual({ path: base, kept: [] });
    expect(existsSync(base)).toBe(false);
    expect(existsSync(`${base}.written`)).toBe(false);
  });

  it('keeps one edited since written (even to the same size) or with no record, and takes the next free name', async () => {
    const folder = folderWith({ 'export.rejects.csv': { text: 'a\n1\n', written: true } });
    const base = join(folder, 'export.rejects.csv');
    writeFileSync(base, 'a\n2\n');
    expect(await claimRejectsPath(base)).toEqual({ path: join(folder, 'export.rejects-2.csv'), kept: [base] });
    expect(readFileSync(base, 'utf8')).toBe('a\n2\n');

    const unknown = folderWith({ 'x.rejects.jsonl': { text: '{}\n', written: false } });
    expect(await claimRejectsPath(join(unknown, 'x.rejects.jsonl'))).toEqual({ path: join(unknown, 'x.rejects-2.jsonl'), kept: [join(unknown, 'x.rejects.jsonl')] });
  });

  it('replaces a numbered one still as written, after the kept ones', async () => {
    const folder = folderWith({
      'export.rejects.csv': { text: 'mine\n', written: false },
      'export.rejects-2.csv': { text: 'a\n1\n', written: true },
    });
    const second = join(folder, 'export.rejects-2.csv');
    expect(await claimRejectsPath(join(folder, 'export.rejects.csv'))).toEqual({ path: second, kept: [join(folder, 'export.rejects.csv')] });
    expect(existsSync(second)).toBe(false);
  });

  it('forgets the record of a rejects file the user deleted', async () => {
    const folder = folderWith({ 'export.rejects.csv': { text: 'a\n1\n', written: true } });
    const base = join(folder, 'export.rejects.csv');
    rmSync(base);
    expect(await claimRejectsPath(base)).toEqual({ path: base, kept: [] });
    expect(existsSync(`${base}.written`)).toBe(false);
  });
});
