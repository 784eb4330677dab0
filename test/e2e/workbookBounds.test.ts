/**
 * Hostile workbooks, end to end through the import into a sandbox (issue 21): a stray value at column XFD in every row, a cell or
 * a record larger than its bound, one huge shared string, and a shared-string table of millions of tiny strings.
 * Each is refused saying which bound it passed: a row by its line into the rejects file, the good rows around it
 * kept; a part as a file error. The workbooks are streamed by bench/workbooks.js, which also makes the benchmark's
 * full-size ones (peak memory in BENCHMARKS.md).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HEADER, hugeCellRows, hugeSharedString, MAPPING, sharedStringRows, strayCellRows, textRow, tinySharedStrings, writeWorkbook } from '../../bench/workbooks.js';
import { characters, MAX_CELL_CHARS, MAX_PART_BYTES, MAX_RECORD_CHARS, MAX_SHARED_STRINGS_BYTES, mib } from '../../src/read/workbookLimits.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, repoRoot, runCli, workspace } from '../support/cli.js';

let sandbox: Sandbox;
let folder: string;
beforeEach(async () => {
  sandbox = await startSandbox(credentials);
  folder = workspace();
  writeFileSync(join(folder, 'export.mapping.yaml'), MAPPING);
});
afterEach(() => sandbox.close());

const importing = (file: string) =>
  runCli(['assessments', file, '-m', 'export.mapping.yaml', '--json'], { cwd: folder, env: credentialEnv(sandbox.url) });
const rejectLines = (file: string) => readFileSync(join(folder, file), 'utf8').split('\r\n').filter(Boolean);

describe('a workbook past a bound', () => {
  it('a stray value at XFD in each of 5,000 rows: each row refused naming the cell, no row widened to 16,384 columns', async () => {
    await writeWorkbook(join(folder, 'stray.xlsx'), { sheet: strayCellRows(5000) });
    const run = await importing('stray.xlsx');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).counts).toMatchObject({ read: 5000, invalid: 5000 });
    const rejects = rejectLines('stray.rejects.csv');
    expect(rejects).toHaveLength(5001);
    // The header's seven cells, the stray value, the reason: not 16,377 empty cells between them (16 KiB a line).
    expect(rejects[1]).toBe('M-1,6986199832494934317,张伟,通过,2,评语 1,,x,(row): cell XFD2 has a value but the header has 7 columns (A to G)');
    expect(statSync(join(folder, 'stray.rejects.csv')).size).toBeLessThan(5001 * 200);
  });

  it('a cell over the cell bound: its row refused by line, the row after it kept', async () => {
    await writeWorkbook(join(folder, 'cell.xlsx'), { sheet: hugeCellRows(MAX_CELL_CHARS + 1) });
    const run = await importing('cell.xlsx');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).counts).toMatchObject({ read: 2, created: 1, invalid: 1 });
    const [, refused] = rejectLines('cell.rejects.csv');
    const over = characters(MAX_CELL_CHARS + 1);
    expect(refused).toBe(`M-1,6986199832494934317,张伟,通过,2,"[${over} not copied]",,"column 评语: the cell holds ${over}, more than the ${characters(MAX_CELL_CHARS)} a cell may hold"`);
  });

  it('a record over the record bound: refused by line, though each of its cells is within the cell bound', async () => {
    const cells = Math.ceil(MAX_RECORD_CHARS / MAX_CELL_CHARS) + 1;
    const header = [...HEADER, ...Array.from({ length: cells - HEADER.length }, (_, index) => `extra ${index}`)];
    const cell = 'x'.repeat(MAX_CELL_CHARS);
    await writeWorkbook(join(folder, 'record.xlsx'), { sheet: [textRow(1, header), textRow(2, Array.from({ length: cells }, () => cell))] });
    const run = await runCli(['preview', 'record.xlsx', '-m', 'export.mapping.yaml'], { cwd: folder });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`line 2: invalid\n  (row): the row holds ${characters(cells * MAX_CELL_CHARS)}, more than the ${characters(MAX_RECORD_CHARS)} a record may hold\n`);
  });

  it('one shared string over the cell bound: the rows using it are refused, the table is not', async () => {
    await writeWorkbook(join(folder, 'string.xlsx'), { sheet: sharedStringRows(), strings: hugeSharedString(MAX_CELL_CHARS * 2) });
    const run = await importing('string.xlsx');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).counts).toMatchObject({ read: 1, invalid: 1 });
    expect(rejectLines('string.rejects.csv')[1]).toContain(`,"column 评语: the cell holds ${characters(MAX_CELL_CHARS * 2)}, more than the ${characters(MAX_CELL_CHARS)} a cell may hold"`);
  });

  it('a shared-string table that inflates past its bound: a file error naming the part and the bound, before any record', async () => {
    const count = Math.ceil(MAX_SHARED_STRINGS_BYTES / '<si><t>a</t></si>'.length) + 1000;
    await writeWorkbook(join(folder, 'bomb.xlsx'), { sheet: sharedStringRows(), strings: tinySharedStrings(count) });
    expect(statSync(join(folder, 'bomb.xlsx')).size).toBeLessThan(1024 * 1024);
    const run = await importing('bomb.xlsx');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.message).toMatch(
      new RegExp(`^bomb\\.xlsx: the shared-string table \\(xl/sharedStrings\\.xml\\) inflates to [\\d.]+ MiB, more than the ${mib(MAX_SHARED_STRINGS_BYTES)} this tool reads; `),
    );
  });
});

describe("the README's bounds", () => {
  it('are the bounds the reader applies', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`a cell up to ${characters(MAX_CELL_CHARS)} and a row up to ${characters(MAX_RECORD_CHARS)}`);
    expect(readme).toContain(`a shared-string table up to ${mib(MAX_SHARED_STRINGS_BYTES)} and any other part it holds whole up to ${mib(MAX_PART_BYTES)} once inflated`);
  });
});
