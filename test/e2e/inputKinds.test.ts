/**
 * Files that are not CSV, JSONL or .xlsx, and text given the wrong --format or --delimiter: each stops before
 * anything is read or sent, exit 2, with one message that says what the file is and what to do.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli, workspace } from '../support/cli.js';

/** A ZIP whose first entry is `name`: what the first bytes of an Office file or an archive look like. */
function zipStartingWith(name: string): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0); // local file header
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(Buffer.byteLength(name), 26);
  return Buffer.concat([header, Buffer.from(name), Buffer.alloc(64)]);
}

const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

let folder: string;
beforeEach(() => {
  folder = workspace('fixtures/assessments.csv');
});

/** Runs a dry run of `file` and checks it stopped with exit 2, one message, and no file written. */
async function refused(args: string[]): Promise<string> {
  const before = readdirSync(folder).sort();
  const run = await runCli(['assessments', ...args, '--dry-run'], { cwd: folder });
  expect(run.code).toBe(2);
  expect(readdirSync(folder).sort()).toEqual(before);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('files that are not a readable export', () => {
  it.each([
    ['export.xls', Buffer.concat([OLE2, Buffer.alloc(512)]), 'export.xls is an Excel 97-2003 workbook; open it in Excel or WPS and save as .xlsx (or CSV UTF-8)'],
    ['export.xls', Buffer.from('<html><body><table><tr><td>面评编号</td></tr></table></body></html>'), 'export.xls is a web page (HTML) saved with an Excel name, not a workbook; open it in Excel or WPS and save as .xlsx (or CSV UTF-8)'],
    ['export.xlsb', zipStartingWith('xl/workbook.bin'), 'export.xlsb is an Excel binary workbook (.xlsb); open it in Excel or WPS and save as .xlsx (or CSV UTF-8)'],
    ['notes.docx', zipStartingWith('word/document.xml'), 'notes.docx is a Word document (.docx), not a table; export the data as .xlsx or CSV'],
    ['export.zip', zipStartingWith('export.csv'), 'export.zip is a ZIP archive; extract it and pass the .xlsx, CSV or JSONL file inside'],
    ['export.csv.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]), 'export.csv.gz is a gzip archive; extract it and pass the .xlsx, CSV or JSONL file inside'],
    ['report.pdf', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n'), 'report.pdf is a PDF document, whose tables cannot be read back reliably; export the data as .xlsx or CSV instead'],
  ])('%s: says what it is and what to do', async (name, bytes, message) => {
    writeFileSync(join(folder, name), bytes);
    expect(await refused([name])).toBe(`hire-import: ${message}`);
  });

  it('a broken .xlsx is named as an unreadable workbook', async () => {
    writeFileSync(join(folder, 'broken.xlsx'), zipStartingWith('xl/worksheets/sheet1.xml'));
    expect(await refused(['broken.xlsx'])).toMatch(/^hire-import: broken\.xlsx: cannot be read as an Excel workbook \(/);
  });
});

describe('text given the wrong format or delimiter', () => {
  it('a CSV read as JSONL stops at its first line with one message, not one problem per line', async () => {
    expect(await refused(['assessments.csv', '--format', 'jsonl'])).toBe(
      'hire-import: assessments.csv: line 1 is not a JSON object ("external_id,external_interview_id,userna…"), ' +
        'so this is not JSON Lines; if it is CSV, pass --format csv',
    );
  });

  it('JSONL read as CSV stops at its first line', async () => {
    writeFileSync(join(folder, 'bodies.txt'), '\n{"external_id":"A-1","conclusion":2}\n{"external_id":"A-2","conclusion":1}\n');
    expect(await refused(['bodies.txt', '--format', 'csv'])).toBe(
      'hire-import: bodies.txt: line 2 is a JSON object ("{\\"external_id\\":\\"A-1\\",\\"conclusion\\":2}"), ' +
        'so this is JSON Lines, not CSV; pass --format jsonl',
    );
  });

  it('--delimiter takes exactly one character (or tab)', async () => {
    expect(await refused(['assessments.csv', '--delimiter', ';;'])).toBe(
      'hire-import: --delimiter takes one character that can separate cells, got ";;"; use e.g. ",", ";", "|" or tab',
    );
    const tab = await runCli(['assessments', 'assessments.csv', '--delimiter', 'tab', '--dry-run', '--json'], { cwd: folder });
    // Taken, and read with tabs: the comma-separated header is then one column, none of the default layout's.
    expect(tab.code).toBe(2);
    expect(tab.stderr).toMatch(/^hire-import: assessments\.csv has none of the columns of the default layout for assessments /);
    expect(existsSync(join(folder, 'hire-import-state'))).toBe(false);
  });

  it('--sheet is refused for a file that is not a workbook', async () => {
    expect(await refused(['assessments.csv', '--sheet', 'Sheet1'])).toBe('hire-import: --sheet is for .xlsx workbooks; assessments.csv is not one');
  });
});
