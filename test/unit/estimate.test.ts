import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { estimateRecords } from '../../src/report/estimate.js';

const file = (content: string | Buffer) => {
  const path = join(mkdtempSync(join(tmpdir(), 'hire-import-estimate-')), 'f');
  writeFileSync(path, content);
  return path;
};

describe('estimateRecords', () => {
  it('counts CSV records, not lines: a quoted newline is inside a record', async () => {
    expect(await estimateRecords(file('a,b\n1,"x\ny"\n2,"say ""hi""\n"\n3,z'), 'utf-8', 'csv')).toBe(3);
    expect(await estimateRecords(file('a,b\r\n1,2\r\n'), 'utf-8', 'csv')).toBe(1);
    expect(await estimateRecords(file('a,b\n\n1,2\r\n\r\n2,3\n'), 'utf-8', 'csv')).toBe(2); // blank lines are no records
  });

  it('counts GB18030 records and JSONL lines, and declines encodings where bytes can mislead', async () => {
    expect(await estimateRecords(file(iconv.encode('编号,评语\n1,"上\n下"\n2,好\n', 'gb18030')), 'gb18030', 'csv')).toBe(2);
    expect(await estimateRecords(file('{"a":"x\\ny"}\n{"a":2}\n'), 'utf-8', 'jsonl')).toBe(2);
    expect(await estimateRecords(file(iconv.encode('a\n上\n', 'utf-16le')), 'utf-16le', 'csv')).toBeUndefined();
  });

  it('gives up when interrupted', async () => {
    expect(await estimateRecords(file('a\n1\n'), 'utf-8', 'csv', AbortSignal.abort())).toBeUndefined();
  });
});
