/**
 * .xlsx exports, end to end: a workbook made here with exceljs's writer (Chinese headers, ids stored as text, one id
 * Excel already turned into a number, dates with number formats, a second sheet) imported by the real CLI into a
 * strict sandbox with a mapping.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { MAPPING } from '../../bench/workbooks.js';
import { assessmentBody } from '../support/assessmentBody.js';
import { credentialEnv, credentials, readLog, runCli, stateLog, workspace } from '../support/cli.js';

const header = ['面评编号', '面试编号', '面试官', '结论', '面试日期', '专业能力', '评语'];

/** Excel's day number of 2024-03-01, for a date cell that holds a plain number with a date format. */
const MARCH_1_SERIAL = 45352;

async function writeWorkbook(path: string): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('面试记录');
  sheet.addRow(header);
  sheet.addRow(['M-001', '6986199832494934316', '张伟', '通过', new Date(Date.UTC(2024, 2, 1)), 4, '思路清晰, "沟通好"']);
  sheet.addRow(['M-002', '6986199832494934317', '李娜', '不通过', new Date(Date.UTC(2024, 2, 15, 14, 30)), 2, '基础薄弱\n需要加强']);
  // Typed into Excel as a number: it keeps 15 significant digits and shows 6.98619983249493E+18.
  sheet.addRow(['M-003', 6986199832494934318, '王芳', '通过', new Date(Date.UTC(2024, 2, 2)), 5, '']);
  sheet.addRow(['M-004', '6986199832494934319', '陈杰', '待定', MARCH_1_SERIAL, 3]);
  sheet.getColumn(2).numFmt = '@';
  sheet.getCell('E2').numFmt = 'yyyy/m/d';
  sheet.getCell('E3').numFmt = 'yyyy"年"m"月"d"日" h:mm';
  sheet.getCell('E4').numFmt = 'yyyy/m/d';
  sheet.getCell('E5').numFmt = 'mm-dd-yy'; // built-in format 14: the locale's short date
  const second = workbook.addWorksheet('第二页');
  second.addRow(header);
  second.addRow(['M-100', '6986199832494934400', '赵敏', '通过', '2024-04-01', 5, '第二页的记录']);
  // writeBuffer, not writeFile: exceljs's writeFile may resolve before the file is closed (one run read a short file).
  writeFileSync(path, Buffer.from(await workbook.xlsx.writeBuffer()));
}

const mapping = MAPPING;

const body = assessmentBody;

let sandbox: Sandbox;
let folder: string;

beforeEach(async () => {
  sandbox = await startSandbox(credentials);
  folder = workspace();
  await writeWorkbook(join(folder, 'export.xlsx'));
  writeFileSync(join(folder, 'export.mapping.yaml'), mapping);
});
afterEach(() => sandbox.close());

// By external_id: concurrent creates arrive in any order (M-004 before M-002 was seen under load).
const bodies = () => sandbox.assessments().map((stored) => stored.body).sort((a, b) => String(a.external_id).localeCompare(String(b.external_id)));

describe('hire-import assessments export.xlsx', () => {
  it('reads the first sheet as shown in Excel, refuses the id Excel damaged, and writes it to a CSV rejects file that imports once fixed', async () => {
    const env = credentialEnv(sandbox.url);
    const run = await runCli(['assessments', 'export.xlsx', '-m', 'export.mapping.yaml', '--rate', '200'], { cwd: folder, env });
    expect(run.code).toBe(1);
    // By external_id: records go out several at once, so the sandbox stores them in whatever order they arrive.
    expect(bodies().sort((a, b) => String(a.external_id).localeCompare(String(b.external_id)))).toEqual([
      body('M-001', '6986199832494934316', '张伟', 2, 4, '2024/3/1', '思路清晰, "沟通好"'),
      body('M-002', '6986199832494934317', '李娜', 1, 2, '2024年3月15日 14:30', '基础薄弱\n需要加强'),
      body('M-004', '6986199832494934319', '陈杰', 3, 3, '2024/3/1'),
    ]);
    const reason =
      '6.98619983249493E+18 was stored by Excel as a number and lost its last digits; ' +
      'format the column as Text in the source system and export again';
    const log = readLog(stateLog(folder, sandbox.url));
    expect(log.map(({ line, status }) => ({ line, status })).sort((a, b) => Number(a.line) - Number(b.line))).toEqual([
      { line: 2, status: 'created' },
      { line: 3, status: 'created' },
      { line: 4, status: 'invalid' },
      { line: 5, status: 'created' },
    ]);
    expect(log.find((entry) => entry.status === 'invalid')).toMatchObject({ line: 4, field: 'column 面试编号', msg: `column 面试编号: ${reason}` });
    // The summary groups problems by reason: the damaged id's group names the column, the value and the row.
    expect(run.stderr).toMatch(/\n {4}column 面试编号: 6\.98619983249493E\+18 was stored by Excel as a number and lost its last digits; .* — 1 record, line 4\n/);

    // The rejects file is CSV that Excel opens as it is: UTF-8 with a BOM, CRLF, the header, the refused row, each
    // with the reason column that the rerun skips.
    const rejectsPath = join(folder, 'export.rejects.csv');
    const rejects = readFileSync(rejectsPath, 'utf8');
    expect(rejects).toBe(`\uFEFF${header.join(',')},hire_import_error\r\nM-003,6.98619983249493E+18,王芳,通过,2024/3/2,5,,column 面试编号: ${reason}\r\n`);
    expect(run.stderr).toContain('fix them there, then: hire-import assessments export.rejects.csv --mapping export.mapping.yaml\n');

    writeFileSync(rejectsPath, rejects.replace('6.98619983249493E+18', '6986199832494934318'));
    const rerun = await runCli(['assessments', 'export.rejects.csv', '--mapping', 'export.mapping.yaml', '--json'], { cwd: folder, env });
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout).counts).toMatchObject({ created: 1, invalid: 0 });
    expect(bodies()[2]).toEqual(body('M-003', '6986199832494934318', '王芳', 2, 5, '2024/3/2'));
  });

  it('--sheet reads another sheet; a sheet the workbook lacks stops with exit 2, listing the sheets', async () => {
    const env = credentialEnv(sandbox.url);
    const run = await runCli(['assessments', 'export.xlsx', '-m', 'export.mapping.yaml', '--sheet', '第二页', '--json'], { cwd: folder, env });
    expect(run.code).toBe(0);
    expect(bodies()).toEqual([body('M-100', '6986199832494934400', '赵敏', 2, 5, '2024-04-01', '第二页的记录')]);

    const missing = await runCli(['preview', 'export.xlsx', '-m', 'export.mapping.yaml', '--sheet', 'Sheet1'], { cwd: folder });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('export.xlsx has no sheet named "Sheet1"; its sheets: "面试记录", "第二页" (pass one with --sheet)');
  });

  it('init drafts a mapping from the header row, and preview shows the first records by row number', async () => {
    const init = await runCli(['init', 'export.xlsx', '-o', 'drafted.yaml'], { cwd: folder });
    expect(init.code).toBe(0);
    const drafted = readFileSync(join(folder, 'drafted.yaml'), 'utf8');
    for (const column of ['面评编号', '面试编号', '面试官', '结论']) expect(drafted).toContain(column);
    expect(drafted).toContain('"2024/3/1"');

    const preview = await runCli(['preview', 'export.xlsx', '-m', 'export.mapping.yaml', '-n', '3'], { cwd: folder });
    expect(preview.code).toBe(1);
    expect(preview.stdout).toContain('line 2:\n');
    expect(preview.stdout).toContain('"external_interview_id": "6986199832494934317"');
    expect(preview.stdout).toContain('line 4: invalid\n  column 面试编号: 6.98619983249493E+18 was stored by Excel as a number');
  });
});
