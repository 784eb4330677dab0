/**
 * Workbooks written part by part, streamed through deflate, so that one whose parts inflate to hundreds of MiB is
 * made in little memory: the benchmark's large and hostile workbooks, and the tests' smaller ones over each bound.
 * The worksheets come before workbook.xml in the ZIP, as openpyxl writes them.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { crc32, createDeflateRaw } from 'node:zlib';

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>';
const ROOT_RELS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>';
const WORKBOOK =
  '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Export" sheetId="1" r:id="rId1"/></sheets></workbook>';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const WORKBOOK_RELS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
  `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`;
const SHEET_OPEN = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
const SHEET_CLOSE = '</sheetData></worksheet>';

const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** An inline-string cell. */
export const textCell = (ref, text) => `<c r="${ref}" t="inlineStr"><is><t>${escape(text)}</t></is></c>`;
/** A row of inline-string cells from column A. */
export const textRow = (number, cells) => `<row r="${number}">${cells.map((text, index) => textCell(`${String.fromCharCode(65 + index)}${number}`, text)).join('')}</row>`;

/**
 * Writes a one-sheet workbook at `path`. `sheet` and `strings` are iterables of text pieces: the sheet's rows (inside
 * <sheetData>) and, when given, the shared-string table's <si> entries.
 */
export async function writeWorkbook(path, { sheet, strings }) {
  const parts = [
    { name: 'xl/worksheets/sheet1.xml', pieces: [SHEET_OPEN, sheet, SHEET_CLOSE] },
    ...(strings ? [{ name: 'xl/sharedStrings.xml', pieces: ['<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', strings, '</sst>'] }] : []),
    { name: 'xl/workbook.xml', pieces: [WORKBOOK] },
    { name: 'xl/_rels/workbook.xml.rels', pieces: [WORKBOOK_RELS] },
    { name: '_rels/.rels', pieces: [ROOT_RELS] },
    { name: '[Content_Types].xml', pieces: [CONTENT_TYPES] },
  ];
  const out = createWriteStream(path);
  let offset = 0;
  const write = async (buffer) => {
    offset += buffer.length;
    if (!out.write(buffer)) await once(out, 'drain');
  };
  const central = [];
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const start = offset;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0808, 6); // sizes in a data descriptor; UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(name.length, 26);
    await write(local);
    await write(name);
    let crc = 0;
    let size = 0;
    let compressed = 0;
    const deflate = createDeflateRaw({ level: 6 });
    const drained = (async () => {
      for await (const chunk of deflate) {
        compressed += chunk.length;
        await write(chunk);
      }
    })();
    for (const piece of flatten(part.pieces)) {
      const buffer = Buffer.from(piece);
      crc = crc32(buffer, crc);
      size += buffer.length;
      if (!deflate.write(buffer)) await once(deflate, 'drain');
    }
    deflate.end();
    await drained;
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(compressed, 8);
    descriptor.writeUInt32LE(size, 12);
    await write(descriptor);
    central.push({ name, crc, compressed, size, start });
  }
  const directoryStart = offset;
  for (const entry of central) {
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0808, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(entry.crc, 16);
    header.writeUInt32LE(entry.compressed, 20);
    header.writeUInt32LE(entry.size, 24);
    header.writeUInt16LE(entry.name.length, 28);
    header.writeUInt32LE(entry.start, 42);
    await write(header);
    await write(entry.name);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length, 8);
  end.writeUInt16LE(central.length, 10);
  end.writeUInt32LE(offset - directoryStart, 12);
  end.writeUInt32LE(directoryStart, 16);
  await write(end);
  out.end();
  await once(out, 'close');
}

/** Strings and iterables of strings, in order, batched into pieces of about 64 KiB. */
function* flatten(pieces) {
  let batch = '';
  for (const piece of pieces) {
    for (const text of typeof piece === 'string' ? [piece] : piece) {
      batch += text;
      if (batch.length >= 65_536) {
        yield batch;
        batch = '';
      }
    }
  }
  if (batch) yield batch;
}

/** Repeats `text` to `length` characters, in pieces. */
export function* repeated(text, length) {
  const piece = text.repeat(Math.ceil(65_536 / text.length));
  for (let left = length; left > 0; left -= piece.length) yield piece.slice(0, Math.min(left, piece.length));
}

export const HEADER = ['面评编号', '面试编号', '面试官', '结论', '专业能力', '评语', '面试日期'];
const recordCells = (index) => [`M-${index}`, String(6986199832494934316n + BigInt(index)), '张伟', '通过', String((index % 5) + 1), `评语 ${index}`, ''];

/** `rows` rows of the header's seven columns, each with a stray value at XFD (the last column Excel has). */
export function* strayCellRows(rows) {
  yield textRow(1, HEADER);
  for (let index = 1; index <= rows; index++) {
    const number = index + 1;
    yield textRow(number, recordCells(index)).replace('</row>', `${textCell(`XFD${number}`, 'x')}</row>`);
  }
}

/** One record whose 评语 is an inline string of `length` characters, then one ordinary record. */
export function* hugeCellRows(length) {
  yield textRow(1, HEADER);
  const cells = recordCells(1);
  yield `<row r="2">${cells.slice(0, 5).map((text, index) => textCell(`${'ABCDE'[index]}2`, text)).join('')}<c r="F2" t="inlineStr"><is><t>`;
  yield* repeated('长', length);
  yield '</t></is></c></row>';
  yield textRow(3, recordCells(2));
}

/** `count` one-character shared strings (a table of `count` entries, the sheet using the first seven as its header). */
export function* tinySharedStrings(count) {
  for (const name of HEADER) yield `<si><t>${name}</t></si>`;
  for (let index = HEADER.length; index < count; index += 4096) yield '<si><t>a</t></si>'.repeat(Math.min(4096, count - index));
}

/** One shared string of `length` characters after the header's. */
export function* hugeSharedString(length) {
  for (const name of HEADER) yield `<si><t>${name}</t></si>`;
  yield '<si><t>';
  yield* repeated('长', length);
  yield '</t></si>';
}

/** A header of shared strings 0..6 and a row that uses string 7 in 评语. */
export function* sharedStringRows() {
  yield `<row r="1">${HEADER.map((_, index) => `<c r="${'ABCDEFG'[index]}1" t="s"><v>${index}</v></c>`).join('')}</row>`;
  const cells = recordCells(1);
  yield `<row r="2">${cells.slice(0, 5).map((text, index) => textCell(`${'ABCDE'[index]}2`, text)).join('')}<c r="F2" t="s"><v>7</v></c></row>`;
}

/** `rows` ordinary records, inline strings: the large workbook of the memory benchmark. */
export function* plainRows(rows) {
  yield textRow(1, HEADER);
  for (let index = 1; index <= rows; index++) yield textRow(index + 1, recordCells(index));
}

/** The mapping these workbooks (and test/e2e/xlsx.test.ts's) are imported with. */
export const MAPPING = `fields:
  external_id: 面评编号
  external_interview_id: 面试编号
  username: 面试官
  conclusion: { from: 结论, map: { 通过: 2, 不通过: 1, 待定: 3 } }
  content: 评语
dimensions:
  - { type: score, title: { value: 专业能力 }, score: 专业能力 }
  - { type: text, title: { value: 面试日期 }, answer: 面试日期 }
`;
