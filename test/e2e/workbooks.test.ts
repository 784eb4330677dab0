/**
 * Every workbook, end to end: the committed workbooks of each writer (openpyxl, pandas, XlsxWriter with shared and
 * with inline strings, LibreOffice; made by test/fixtures-src/workbooks.py) imported into a strict sandbox exactly
 * as Excel shows them, their sheets found by workbook.xml's names whatever the ZIP's order, each read 30 times in
 * one run with the same answer; a Job ID column Excel turned into numbers refuses nothing when no mapping reads it;
 * and files from SheetJS's public test_files, which no one here wrote, drafted by `init` with their cells as shown.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { assessmentBody } from '../support/assessmentBody.js';
import { credentialEnv, credentials, runCli, workspace } from '../support/cli.js';

const dir = 'fixtures/workbooks';
const mapping = `${dir}/assessments.mapping.yaml`;

/** How each writer's fixture shows the interview dates (pandas writes its own datetime format) and the 备注 cells. */
const slash = ['2024/3/1', '2024/3/15 14:30', '2024/3/2'];
const writers = [
  { file: 'openpyxl.xlsx', sheet: 'Sheet1', dates: slash, notes: ['#N/A', '#DIV/0!', 'ok'] },
  { file: 'pandas.xlsx', sheet: 'Applications', dates: ['2024-03-01 00:00:00', '2024-03-15 14:30:00', '2024-03-02 00:00:00'], notes: ['', '', 'ok'] },
  { file: 'xlsxwriter.xlsx', sheet: 'Sheet1', dates: slash, notes: ['#N/A', '#DIV/0!', 'ok'] },
  { file: 'xlsxwriter-constant-memory.xlsx', sheet: 'Sheet1', dates: slash, notes: ['#N/A', '#DIV/0!', 'ok'] },
  { file: 'libreoffice.xlsx', sheet: undefined, dates: slash, notes: ['#N/A', '#DIV/0!', 'ok'] },
];

function expectedBodies(dates: string[], notes: string[]) {
  const notesOf = (index: number): Record<string, string> => (notes[index] ? { 备注: notes[index]! } : {});
  return [
    assessmentBody('M-001', '6986199832494934316', '张伟', 2, 4, dates[0]!, '思路清晰, "沟通好"', notesOf(0)),
    assessmentBody('M-002', '6986199832494934317', '李娜', 1, 2, dates[1]!, '基础薄弱\n需要加强', notesOf(1)),
    assessmentBody('M-003', '6986199832494934318', '王芳', 3, 5, dates[2]!, undefined, notesOf(2)),
  ];
}

let sandbox: Sandbox;
let folder: string;

beforeEach(async () => {
  sandbox = await startSandbox(credentials);
  folder = workspace(mapping, ...writers.map(({ file }) => `${dir}/${file}`));
});
afterEach(() => sandbox.close());

const byId = (bodies: Array<Record<string, unknown>>) => [...bodies].sort((a, b) => String(a.external_id).localeCompare(String(b.external_id)));

describe('hire-import assessments WORKBOOK --sheet S, for each writer', () => {
  it.each(writers)('$file: every row as shown in Excel, Job ID (numbers no mapping reads) refusing nothing', async ({ file, sheet, dates, notes }) => {
    const sheetArgs = sheet === undefined ? [] : ['--sheet', sheet];
    const run = await runCli(['assessments', file, '-m', 'assessments.mapping.yaml', ...sheetArgs, '--json'], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).counts).toMatchObject({ created: 3, invalid: 0 });
    expect(byId(sandbox.assessments().map((stored) => stored.body))).toEqual(expectedBodies(dates, notes));
  });
});

describe('the same workbook read again and again', () => {
  it("gives the same bodies in each of 30 runs of `preview` on every writer's fixture", async () => {
    for (const { file, sheet } of writers) {
      const outputs = new Set<string>();
      for (let round = 0; round < 30; round++) {
        const run = await runCli(['preview', file, '-m', 'assessments.mapping.yaml', '-n', '10', ...(sheet === undefined ? [] : ['--sheet', sheet])], { cwd: folder });
        expect(run.code, run.stderr).toBe(0);
        outputs.add(run.stdout);
      }
      expect([...outputs], file).toHaveLength(1);
      expect([...outputs][0]).toContain('line 4:\n');
    }
  });
});

describe('sheets by the names workbook.xml gives them', () => {
  it('reads the first sheet by default, the named one with --sheet, and lists the sheets in tab order when the name is missing', async () => {
    // openpyxl: Summary then Sheet1, worksheets before workbook.xml in the ZIP.
    const first = await runCli(['preview', 'openpyxl.xlsx', '-m', 'assessments.mapping.yaml'], { cwd: folder });
    expect(first.code).toBe(2);
    expect(first.stderr).toContain("no column '面评编号' in openpyxl.xlsx");
    expect(first.stderr).toContain('(columns: 汇总, 数量)');
    const named = await runCli(['preview', 'openpyxl.xlsx', '-m', 'assessments.mapping.yaml', '--sheet', 'Sheet1'], { cwd: folder });
    expect(named.code).toBe(0);
    expect(named.stdout).toContain('"external_id": "M-001"');

    // pandas' to_excel: the one sheet is named Applications, by default and by name.
    const pandas = await runCli(['preview', 'pandas.xlsx', '-m', 'assessments.mapping.yaml'], { cwd: folder });
    const applications = await runCli(['preview', 'pandas.xlsx', '-m', 'assessments.mapping.yaml', '--sheet', 'Applications'], { cwd: folder });
    expect(pandas.code).toBe(0);
    expect(applications.stdout).toBe(pandas.stdout);
    expect(pandas.stdout).toContain('"content": "2024-03-15 14:30:00"');

    const missing = await runCli(['preview', 'xlsxwriter.xlsx', '-m', 'assessments.mapping.yaml', '--sheet', 'Sheet9'], { cwd: folder });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('xlsxwriter.xlsx has no sheet named "Sheet9"; its sheets: "Summary", "Sheet1", "Notes" (pass one with --sheet)');
  });
});

describe('hire-import init WORKBOOK', () => {
  it.each(writers)('$file: drafts a mapping, error cells and all, showing the Job ID numbers as Excel does', async ({ file, sheet }) => {
    const sheetArgs = sheet === undefined ? [] : ['--sheet', sheet];
    const init = await runCli(['init', file, '--resource', 'assessments', ...sheetArgs, '-o', 'drafted.yaml'], { cwd: folder });
    expect(init.stderr).not.toContain('internal error');
    expect(init.code).toBe(0);
    const drafted = readFileSync(join(folder, 'drafted.yaml'), 'utf8');
    expect(drafted).toContain('Job ID: e.g. "1.23456789012346E+18", "9.87654321098766E+18"');
    expect(drafted).not.toContain('(empty in the sample)');
  });
});

/** SheetJS's test_files (Apache-2.0), by writer: what `init` shows of their columns, as the writer's own app shows them. */
const corpus = [
  {
    file: 'google-sheets-DataTypesFormats.xlsx',
    lines: ['#   7/23/2020: e.g. "7/23/2020 9:00:00", "$123.00", "98.76%", "456.00", "7,890"'],
  },
  {
    file: 'excel-ErrorTypes.xlsx',
    lines: ['#   Error: e.g. "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?"', '#   ISNA: e.g. "FALSE", "TRUE"'],
  },
  { file: 'excel-phonetic_text.xlsx', lines: ['#   漢字: e.g. "漢字withColor"'] },
  {
    file: 'libreoffice-LONumbers.xlsx',
    lines: ['#   General: e.g. "GENERAL", "YY", "YYYY", "YYM", "YYMM"', '#   -1234.5678: e.g. "-1234.5678", "-1,235", "-1234.57", "-1234.6"'],
  },
  {
    file: 'xlsx-stream-d-date-cell.xlsx',
    lines: ['#   てすと: e.g. "1", "1.5", "TRUE", "2014/2/14", "1.50"'],
  },
  { file: 'wps-write.xlsx', lines: ['#   1: e.g. "baz"', '#   3: e.g. "qux"'] },
];

describe('workbooks from a public corpus no one here wrote', () => {
  it.each(corpus)('$file: init shows its cells as its writer does', async ({ file, lines }) => {
    const work = workspace(`${dir}/sheetjs/${file}`);
    const init = await runCli(['init', file, '--resource', 'assessments', '-o', 'drafted.yaml'], { cwd: work });
    expect(init.code).toBe(0);
    const drafted = readFileSync(join(work, 'drafted.yaml'), 'utf8');
    for (const line of lines) expect(drafted).toContain(line);
  });

  it('excel-crlf.xlsx: a carriage return Excel wrote as _x000D_ stays one, an XML line end is a newline', async () => {
    const work = workspace(`${dir}/sheetjs/excel-crlf.xlsx`);
    writeFileSync(join(work, 'crlf.mapping.yaml'), 'fields:\n  external_id: Normal\n  external_interview_id: Normal\n  username: Normal\n  conclusion: { value: 2 }\n  content: "abc\\ndef"\n');
    const shown = await runCli(['preview', 'excel-crlf.xlsx', '-m', 'crlf.mapping.yaml', '-n', '1'], { cwd: work });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('"content": "abc\\r\\ndef"');
  });
});
