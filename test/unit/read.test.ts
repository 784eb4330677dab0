import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/errors.js';
import { sameFile } from '../../src/read/input.js';
import { createRejectsWriter } from '../../src/read/rejects.js';
import {
  formatFromPath,
  openSource,
  type OpenOptions,
  type RecordSource,
  type SourceItem,
  type SourceRecord,
} from '../../src/read/source.js';

const dir = mkdtempSync(join(tmpdir(), 'hire-import-read-'));
const repoRoot = new URL('../..', import.meta.url).pathname;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function tempFile(extension: string, content: string | Buffer): string {
  const path = join(dir, `input-${++fileCount}${extension}`);
  writeFileSync(path, content);
  return path;
}

async function itemsOf(source: RecordSource): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of source.items()) items.push(item);
  return items;
}

async function read(extension: string, content: string | Buffer, options: Partial<OpenOptions> = {}) {
  const source = await openSource({ path: tempFile(extension, content), ...options });
  return { source, items: await itemsOf(source) };
}

function fieldsOf(items: SourceItem[]) {
  return items.filter((item): item is SourceRecord => item.kind === 'record').map((item) => item.fields);
}

function linesOf(items: SourceItem[]) {
  return items.map((item) => `${item.kind}@${item.line}`);
}

const CHINESE_CSV = '候选人,面试官,结论\n张三,李四,"通过，表现""很好"""\n王五,赵六,不通过\n';
const CHINESE_FIELDS = [
  { 候选人: '张三', 面试官: '李四', 结论: '通过，表现"很好"' },
  { 候选人: '王五', 面试官: '赵六', 结论: '不通过' },
];

describe('encodings', () => {
  const cases: { label: string; bytes: Buffer; encoding: string; bom: boolean }[] = [
    { label: 'UTF-8', bytes: Buffer.from(CHINESE_CSV), encoding: 'utf-8', bom: false },
    { label: 'UTF-8 with BOM', bytes: Buffer.from('\uFEFF' + CHINESE_CSV), encoding: 'utf-8', bom: true },
    { label: 'GBK bytes', bytes: iconv.encode(CHINESE_CSV, 'gbk'), encoding: 'gb18030', bom: false },
    { label: 'GB18030 bytes', bytes: iconv.encode(CHINESE_CSV + '𠀀,㐀,€\n', 'gb18030'), encoding: 'gb18030', bom: false },
    { label: 'UTF-16LE with BOM', bytes: iconv.encode(CHINESE_CSV, 'utf-16le', { addBOM: true }), encoding: 'utf-16le', bom: true },
    { label: 'UTF-16BE with BOM', bytes: iconv.encode(CHINESE_CSV, 'utf-16be', { addBOM: true }), encoding: 'utf-16be', bom: true },
  ];
  for (const { label, bytes, encoding, bom } of cases) {
    it(`detects ${label} and round-trips Chinese headers and cells`, async () => {
      const { source, items } = await read('.csv', bytes);
      expect(source.encoding).toBe(encoding);
      expect(source.bom).toBe(bom);
      expect(source.header).toEqual(['候选人', '面试官', '结论']);
      expect(fieldsOf(items).slice(0, 2)).toEqual(CHINESE_FIELDS);
      expect(items[0]).toMatchObject({ line: 2, raw: '张三,李四,"通过，表现""很好"""' });
    });
  }

  it('reads four-byte GB18030 characters', async () => {
    const { items } = await read('.csv', iconv.encode('a,b\n𠀀,€\n', 'gb18030'));
    expect(fieldsOf(items)).toEqual([{ a: '𠀀', b: '€' }]);
  });

  it('takes a UTF-8 file whose 64 KiB sample ends inside a character as UTF-8', async () => {
    const header = 'name,note\n';
    // '张' is three bytes and starts one byte before the end of the sample.
    const filler = 'x,' + 'a'.repeat(64 * 1024 - header.length - 4) + '\n';
    const content = Buffer.from(header + filler + '张,三\n');
    expect(content.subarray(0, 64 * 1024).toString('utf8').endsWith('\uFFFD')).toBe(true);
    const { source, items } = await read('.csv', content);
    expect(source.encoding).toBe('utf-8');
    expect(fieldsOf(items)[1]).toEqual({ name: '张', note: '三' });
  });

  it('uses a forced encoding label and rejects an unknown one', async () => {
    const { source, items } = await read('.csv', iconv.encode('面試官,結論\n趙六,通過\n', 'big5'), { encoding: 'Big5' });
    expect(source.encoding).toBe('Big5');
    expect(fieldsOf(items)).toEqual([{ 面試官: '趙六', 結論: '通過' }]);
    await expect(read('.csv', 'a\n1\n', { encoding: 'klingon' })).rejects.toThrow(UsageError);
  });

  it('refuses text that a forced encoding cannot decode', async () => {
    const error = await read('.csv', iconv.encode(CHINESE_CSV.repeat(5), 'gbk'), { encoding: 'utf-8' }).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/do not decode as utf-8; pass --encoding/);
  });
});

describe('encoding evidence', () => {
  /** `count` lines of `name` in UTF-8, the line at `strayLine` (a file line number) with one 0xFF byte after its id. */
  function namesWithStray(name: string, count: number, strayLine: number): Buffer {
    const lines = [Buffer.from('id,name\n')];
    for (let n = 2; n < count + 2; n++) {
      const stray = n === strayLine ? Buffer.from([0xff]) : Buffer.alloc(0);
      lines.push(Buffer.concat([Buffer.from(`${n}`), stray, Buffer.from(`,${name}\n`)]));
    }
    return Buffer.concat(lines);
  }

  it('takes UTF-8 with one stray byte as UTF-8, refusing only the record that holds it', async () => {
    const { source, items } = await read('.csv', namesWithStray('Zoë Müller', 301, 152));
    expect(source.encoding).toBe('utf-8');
    expect(items).toHaveLength(301);
    expect(items.filter((item) => item.kind === 'problem')).toEqual([
      { kind: 'problem', line: 152, raw: '152\uFFFD,Zoë Müller', reason: 'bytes at line 152 do not decode as utf-8' },
    ]);
    expect(fieldsOf(items).every((fields) => fields['name'] === 'Zoë Müller')).toBe(true);
    expect(fieldsOf(items)).toHaveLength(300);
  });

  it('finds bytes that do not decode however the input is cut into pieces, naming their own line', async () => {
    const bytes = Buffer.concat([
      Buffer.from('a,b\n张三,"x\ny'),
      Buffer.from([0xc3]), // a lead byte followed by no continuation: the record's second line does not decode
      Buffer.from('"\n李四,"丁\n冬"\n王五,'),
      Buffer.from('丁').subarray(0, 2), // the input ends inside a character
    ]);
    const pieces: Buffer[] = [];
    for (let at = 0, size = 1; at < bytes.length; at += size, size = (size % 4) + 1) pieces.push(bytes.subarray(at, at + size));
    const source = await openSource({ path: '-', format: 'csv', encoding: 'utf-8', stdin: Readable.from(pieces) });
    const items = await itemsOf(source);
    expect(items.map((item) => (item.kind === 'problem' ? `${item.line}: ${item.reason}` : item.fields))).toEqual([
      '2: bytes at line 3 do not decode as utf-8',
      { a: '李四', b: '丁\n冬' },
      '6: bytes at line 6 do not decode as utf-8',
    ]);
  });

  it('refuses windows-1252, showing how a line reads in it, and reads it exactly when told', async () => {
    const latin = iconv.encode('id,name,note\n1,José García,Très bien\n2,Zoë Müller,ok\n', 'windows-1252');
    const error = await read('.csv', latin).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(
      /: cannot tell which encoding it was saved in: line 2 is neither utf-8 nor gb18030: in windows-1252 it reads "1,José García,Très bien"; pass --encoding windows-1252 if that reads right/,
    );
    const { items } = await read('.csv', latin, { encoding: 'windows-1252' });
    expect(fieldsOf(items)).toEqual([
      { id: '1', name: 'José García', note: 'Très bien' },
      { id: '2', name: 'Zoë Müller', note: 'ok' },
    ]);
  });

  it('refuses lines that disagree, UTF-8 and not, naming them', async () => {
    const mixed = Buffer.concat([Buffer.from('id,name\n1,Zoë\n2,Zoë\n3,Zoë\n4,Zoë\n'), iconv.encode('5,José\n6,José\n', 'latin1')]);
    const error = await read('.csv', mixed).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/cannot tell which encoding it was saved in: lines 2, 3, 4, ... decode as utf-8, lines 6 and 7 do not; pass --encoding/);
  });

  it('takes the Moka GBK export for GB18030 without being told', async () => {
    const source = await openSource({ path: join(repoRoot, 'fixtures/legacy/moka-gbk.csv') });
    const items = await itemsOf(source);
    expect(source.encoding).toBe('gb18030');
    expect(fieldsOf(items)[0]).toMatchObject({ 面评编号: 'MK-001', 面试官: '张伟', 综合评价: '基础扎实，思路清晰' });
  });

  it('refuses a GB18030 record whose bytes do not decode, keeping its neighbours', async () => {
    const rows = Array.from({ length: 30 }, (_, n) => `${n},张伟,通过`);
    const bytes = Buffer.concat([iconv.encode(`id,面试官,结论\n${rows.slice(0, 10).join('\n')}\n`, 'gbk'), Buffer.from([0xff]), iconv.encode(`${rows.slice(10).join('\n')}\n`, 'gbk')]);
    const { source, items } = await read('.csv', bytes);
    expect(source.encoding).toBe('gb18030');
    expect(items.filter((item) => item.kind === 'problem')).toMatchObject([{ line: 12, reason: 'bytes at line 12 do not decode as gb18030' }]);
    expect(fieldsOf(items)).toHaveLength(29);
    expect(fieldsOf(items).every((fields) => fields['面试官'] === '张伟')).toBe(true);
  });

  it('refuses EUC-KR, whose bytes also read as GB18030, rather than turn Korean into Chinese', async () => {
    const korean = `id,면접관,의견\n${Array.from({ length: 30 }, (_, n) => `${n},김철수,의사소통 능력이 뛰어나고 문제 해결 능력이 좋습니다`).join('\n')}\n`;
    await expect(read('.csv', iconv.encode(korean, 'euc-kr'))).rejects.toThrow(/decode as gb18030 but read more like EUC-KR; pass --encoding euc-kr or --encoding gb18030/);
  });
});

describe('CSV shape', () => {
  it.each([
    ['comma', 'a,b;c\n1,2;3\n', { a: '1', 'b;c': '2;3' }],
    ['tab', 'a\tb,c\td\n1\t2,3\t4\n', { a: '1', 'b,c': '2,3', d: '4' }],
    ['semicolon', '"x;y";"b,c";d,e\n1;2,2;3\n', { 'x;y': '1', 'b,c': '2,2', 'd,e': '3' }],
  ])('detects the %s delimiter from the header, outside quotes', async (_name, content, fields) => {
    const { items } = await read('.csv', content);
    expect(fieldsOf(items)).toEqual([fields]);
  });

  it('takes a --delimiter over detection', async () => {
    const { source, items } = await read('.txt', 'a|b,c\n1|2,3\n', { delimiter: '|' });
    expect(source.delimiter).toBe('|');
    expect(fieldsOf(items)).toEqual([{ a: '1', 'b,c': '2,3' }]);
  });

  it('reads CRLF files, keeping quoted CRLFs in cells and counting lines right', async () => {
    const content = 'a,b\r\n1,"x\r\ny"\r\n\r\n2,z\r\n';
    const { source, items } = await read('.csv', content);
    expect(source.newline).toBe('\r\n');
    expect(fieldsOf(items)).toEqual([{ a: '1', b: 'x\r\ny' }, { a: '2', b: 'z' }]);
    expect(linesOf(items)).toEqual(['record@2', 'record@5']);
    expect(items.map((item) => item.raw)).toEqual(['1,"x\r\ny"', '2,z']);
  });

  it('gives the start line of records after quoted newlines and blank lines', async () => {
    const content = '\nid,note\n1,plain\n2,"spans\nthree\nlines"\n\n\n3,"a ""quoted"" word"\n4,last';
    const { source, items } = await read('.csv', content);
    expect(source.headerRaw).toBe('id,note');
    expect(linesOf(items)).toEqual(['record@3', 'record@4', 'record@9', 'record@10']);
    expect(items[1]!.raw).toBe('2,"spans\nthree\nlines"');
    expect(fieldsOf(items)[2]).toEqual({ id: '3', note: 'a "quoted" word' });
  });

  it('keeps cells exactly as written: no trimming, no casting', async () => {
    const { source, items } = await read('.csv', ' name , score \n  Ann  ,007\n');
    expect(source.header).toEqual(['name', 'score']);
    expect(fieldsOf(items)).toEqual([{ name: '  Ann  ', score: '007' }]);
  });

  it('gives a short row the cells it has', async () => {
    const { items } = await read('.csv', 'a,b,c\n1,2\n1,2,3\n');
    expect(fieldsOf(items)).toEqual([{ a: '1', b: '2' }, { a: '1', b: '2', c: '3' }]);
    expect(Object.keys(fieldsOf(items)[0]!)).toEqual(['a', 'b']);
  });

  it('reports a row with more non-empty cells than the header, and accepts extra empty ones', async () => {
    const { items } = await read('.csv', 'a,b\n1,2,3,,\n4,5,,\n');
    expect(items[0]).toEqual({ kind: 'problem', line: 2, raw: '1,2,3,,', reason: 'row has 3 cells but the header has 2' });
    expect(items[1]).toMatchObject({ kind: 'record', line: 3 });
    expect(fieldsOf(items)).toEqual([{ a: '4', b: '5' }]);
  });

  it('skips empty lines and rows of empty cells', async () => {
    const { items } = await read('.csv', 'a,b\n\n,\n  \n1,2\n,,\n');
    expect(linesOf(items)).toEqual(['record@5']);
  });

  it('ignores columns without a header name while their cells are empty', async () => {
    const { source, items } = await read('.csv', 'a,,b,\n1,,2,\n3,x,4\n');
    expect(source.header).toEqual(['a', '', 'b', '']);
    expect(items[0]).toMatchObject({ kind: 'record', line: 2 });
    expect(fieldsOf(items)).toEqual([{ a: '1', b: '2' }]);
    expect(items[1]).toMatchObject({ kind: 'problem', line: 3, reason: 'cell 2 has a value but its column has no name in the header' });
  });

  it('refuses a column named __proto__, which cannot be a field', async () => {
    await expect(read('.csv', 'a,__proto__\nx,y\n')).rejects.toThrow(/column 2 is named "__proto__"/);
  });

  it('rejects a header with a duplicate column name, naming both columns', async () => {
    const error = await read('.csv', 'id,面试官,结论,面试官\n1,2,3,4\n').catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/columns 2 and 4 are both named "面试官"/);
  });

  it('rejects a header that cannot be parsed', async () => {
    await expect(read('.csv', 'a,"b\n')).rejects.toThrow(/cannot read the header line/);
    await expect(read('.csv', ',,\n1,2,3\n')).rejects.toThrow(/has no column names/);
  });
});

describe('malformed CSV records', () => {
  it('reports a stray quote mid-file and keeps the records around it', async () => {
    const content = 'id,note\n1,ok\n2,he said "hi" there,x\n3,"multi\nline"\n4,fine\n';
    const { items } = await read('.csv', content);
    expect(linesOf(items)).toEqual(['record@2', 'problem@3', 'record@4', 'record@6']);
    expect(items[1]).toMatchObject({ raw: '2,he said "hi" there,x' });
    expect((items[1] as { reason: string }).reason).toMatch(/^Invalid Opening Quote/);
    expect(fieldsOf(items).map((fields) => fields['id'])).toEqual(['1', '3', '4']);
  });

  it('reports back-to-back malformed records separately', async () => {
    const { items } = await read('.csv', 'a,b\nx"1,2\n\ny"3,4\n5,6\n');
    expect(linesOf(items)).toEqual(['problem@2', 'problem@4', 'record@5']);
    expect(items.map((item) => item.raw)).toEqual(['x"1,2', 'y"3,4', '5,6']);
  });

  it('reports an unclosed quote at the line where it opened, with the rest of the file', async () => {
    const { items } = await read('.csv', 'a,b\n1,2\n3,"open\n4,5\n6,7\n');
    expect(linesOf(items)).toEqual(['record@2', 'problem@3']);
    expect(items[1]).toMatchObject({ raw: '3,"open\n4,5\n6,7', reason: 'unclosed quote: the 2 lines after it, to the end of the file, were not read' });
  });

  it('stops parsing a quote still open 8 MiB later, and counts the lines it kept from being read', async () => {
    const rest = 'x,y\n'.repeat(3_000_000); // 12 MB
    const { items } = await read('.csv', `a,b\n1,2\n3,"open\n${rest}`);
    expect(linesOf(items)).toEqual(['record@2', 'problem@3']);
    expect((items[1] as { reason: string }).reason).toBe(
      'unclosed quote, still open 8 MiB later, so parsing stopped: the 3000000 lines after it, to the end of the file, were not read',
    );
  });
});

describe('JSONL', () => {
  it('reads one object per line, skipping blank lines, with a BOM and CRLF', async () => {
    const content = '\uFEFF{"id":1,"name":"张三"}\r\n\r\n{"id":2,"tags":["a"]}\r\n';
    const { source, items } = await read('.jsonl', content);
    expect(source).toMatchObject({ format: 'jsonl', bom: true, newline: '\r\n', header: undefined });
    expect(items).toEqual([
      { kind: 'record', line: 1, fields: { id: 1, name: '张三' }, raw: '{"id":1,"name":"张三"}' },
      { kind: 'record', line: 3, fields: { id: 2, tags: ['a'] }, raw: '{"id":2,"tags":["a"]}' },
    ]);
  });

  it('reports lines that are not JSON objects and carries on', async () => {
    const { items } = await read('.ndjson', '{"id":1}\n{"id":\n[1,2]\nnull\n{"id":5}\n');
    expect(linesOf(items)).toEqual(['record@1', 'problem@2', 'problem@3', 'problem@4', 'record@5']);
    expect(items[1]).toMatchObject({ raw: '{"id":', reason: expect.stringMatching(/^not valid JSON: /) });
    expect(items[2]).toMatchObject({ reason: 'line is an array, not a JSON object' });
    expect(items[3]).toMatchObject({ reason: 'line is null, not a JSON object' });
  });

  it('refuses a JSON array, which is not JSON Lines', async () => {
    await expect(read('.json', '[\n  {"id": 1}\n]\n')).rejects.toThrow(/holds a JSON array; hire-import reads JSON Lines/);
  });

  it('keeps integers beyond 2^53 exact, as their digits; other numbers stay numbers', async () => {
    const content = [
      '{"id":6986199832494934317,"ids":[6986199832494934318,-9007199254740993],"safe":1234567890123456,"small":12,"x":1.5}',
      '{"id":"6986199832494934317","n":9007199254740991}',
    ].join('\n');
    const { items } = await read('.jsonl', content);
    expect(fieldsOf(items)).toEqual([
      { id: '6986199832494934317', ids: ['6986199832494934318', '-9007199254740993'], safe: 1234567890123456, small: 12, x: 1.5 },
      { id: '6986199832494934317', n: 9007199254740991 },
    ]);
  });

  it('refuses a JSONL line whose bytes do not decode', async () => {
    const content = Buffer.concat([Buffer.from('{"a":"Zoë"}\n{"a":"Zo'), Buffer.from([0xeb]), Buffer.from('"}\n{"a":"Zoë"}\n')]);
    const { items } = await read('.jsonl', content, { encoding: 'utf-8' });
    expect(items.map((item) => (item.kind === 'problem' ? `${item.line}: ${item.reason}` : item.fields))).toEqual([
      { a: 'Zoë' },
      '2: bytes at line 2 do not decode as utf-8',
      { a: 'Zoë' },
    ]);
  });

  it('reads GB18030 JSONL', async () => {
    const { source, items } = await read('.jsonl', iconv.encode('{"结论":"通过"}\n', 'gb18030'));
    expect(source.encoding).toBe('gb18030');
    expect(fieldsOf(items)).toEqual([{ 结论: '通过' }]);
  });
});

describe('unreadable input', () => {
  it('refuses a binary file, naming it', async () => {
    const path = tempFile('.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x08, 0x00, 0x61, 0x2c, 0x62])); // a PNG
    await expect(openSource({ path })).rejects.toThrow(
      new InputError(
        `${path}: looks binary (NUL bytes in the first 64 KiB); hire-import reads CSV or JSONL text ` +
          '(UTF-16 without a byte-order mark? pass --encoding utf-16le or utf-16be)',
      ),
    );
  });

  it('refuses an empty file and one holding only a BOM and blank lines', async () => {
    await expect(read('.csv', '')).rejects.toThrow(/: is empty$/);
    await expect(read('.jsonl', '\uFEFF\n\n')).rejects.toThrow(InputError);
  });

  it('refuses a missing file and a directory', async () => {
    await expect(openSource({ path: join(dir, 'missing.csv') })).rejects.toThrow(/missing\.csv: cannot be read \(no such file\)/);
    await expect(openSource({ path: dir, format: 'csv' })).rejects.toThrow(/is a directory/);
  });

  it('needs a format it can tell', async () => {
    await expect(openSource({ path: '-', stdin: Readable.from([]) })).rejects.toThrow(new UsageError('reading stdin needs --format csv or --format jsonl'));
    await expect(openSource({ path: tempFile('.dat', 'a,b\n1,2\n') })).rejects.toThrow(/--format/);
  });
});

describe('stdin and progress', () => {
  it('reads a provided stdin stream delivered in small pieces', async () => {
    const bytes = Buffer.from('\uFEFF' + 'a,b\n' + '张三,"x\ny"\n'.repeat(6000));
    expect(bytes.length).toBeGreaterThan(64 * 1024);
    // Pieces of 2, 3, ..., 12 bytes, then of 1000: the BOM, characters and records all split across pieces.
    const pieces: Buffer[] = [];
    for (let at = 0, size = 2; at < bytes.length; at += size, size = at < 2000 ? (size % 11) + 2 : 1000) {
      pieces.push(bytes.subarray(at, at + size));
    }
    const source = await openSource({ path: '-', format: 'csv', stdin: Readable.from(pieces) });
    expect(source).toMatchObject({ path: '-', encoding: 'utf-8', bom: true, header: ['a', 'b'], regularFile: false });
    const items = await itemsOf(source);
    expect(items).toHaveLength(6000);
    expect(items.every((item) => item.kind === 'record' && item.fields['a'] === '张三' && item.fields['b'] === 'x\ny')).toBe(true);
    expect(items[5999]!.line).toBe(2 + 2 * 5999);
  });

  it('streams: the first record arrives long before the input is read to the end', async () => {
    // 1.2 MB: the first record comes once the encoding sample (some 80 KB here) is in, under a tenth of the input.
    const chunk = Buffer.from('1\n'.repeat(5_000));
    let pulled = 0;
    async function* input() {
      yield Buffer.from('a\n');
      for (let n = 0; n < 120; n++) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    const source = await openSource({ path: '-', format: 'csv', stdin: Readable.from(input()) });
    let records = 0;
    let pulledAtFirstRecord = 0;
    for await (const item of source.items()) {
      if (item.kind === 'record' && ++records === 1) pulledAtFirstRecord = pulled;
    }
    expect(records).toBe(600_000);
    expect(pulledAtFirstRecord).toBeLessThan(pulled / 10);
  });

  it.each([
    ['csv', 'a\n', '1\n'],
    ['jsonl', '', '{"a":1}\n'],
  ] as const)('%s can be abandoned part way, releasing the input', async (format, first, repeated) => {
    // Endless input: only the reader letting go ends it.
    let chunks = 0;
    const stdin = new Readable({
      read() {
        this.push((chunks++ === 0 ? first : '') + repeated.repeat(10_000));
      },
    });
    const source = await openSource({ path: '-', format, stdin });
    for await (const item of source.items()) {
      expect(item.kind).toBe('record');
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(stdin.destroyed).toBe(true);
    expect(() => source.items()).toThrow(/only be read once/);
  });
});

describe('which input can be read twice', () => {
  it('a regular file can; a FIFO cannot', async () => {
    expect((await read('.csv', 'a\n1\n')).source.regularFile).toBe(true);
    const fifo = join(dir, 'fifo.csv');
    execFileSync('mkfifo', [fifo]);
    const writer = import('node:fs/promises').then((fs) => fs.writeFile(fifo, 'a\n1\n'));
    const source = await openSource({ path: fifo });
    expect(source.regularFile).toBe(false);
    expect(fieldsOf(await itemsOf(source))).toEqual([{ a: '1' }]);
    await writer;
  });

  it('sameFile sees one file under a symlink, a hard link and ./x/../, and tells files apart', () => {
    const file = tempFile('.csv', 'a\n');
    mkdirSync(join(dir, 'x'));
    symlinkSync(file, join(dir, 'link.csv'));
    linkSync(file, join(dir, 'hard.csv'));
    for (const alias of [file, join(dir, 'link.csv'), join(dir, 'hard.csv'), join(dir, 'x', '..', file.split('/').pop()!)]) {
      expect(sameFile(alias, file)).toBe(true);
    }
    expect(sameFile(tempFile('.csv', 'a\n'), file)).toBe(false);
    expect(sameFile(join(dir, 'missing.jsonl'), join(dir, 'x', '..', 'missing.jsonl'))).toBe(true);
    expect(sameFile(join(dir, 'missing.jsonl'), file)).toBe(false);
  });
});

describe('formatFromPath', () => {
  it.each([
    ['export.csv', 'csv'],
    ['EXPORT.TSV', 'csv'],
    ['a.txt', 'csv'],
    ['a.jsonl', 'jsonl'],
    ['a.ndjson', 'jsonl'],
    ['a.json', 'jsonl'],
    ['a.xlsx', undefined],
    ['-', undefined],
  ])('%s -> %s', (path, format) => {
    expect(formatFromPath(path)).toBe(format);
  });
});

describe('rejects writer', () => {
  const why = '结论: 不是已知的结论';

  async function rejectAll(source: RecordSource, rejectsPath: string) {
    const writer = createRejectsWriter(source, rejectsPath);
    const items = await itemsOf(source);
    writer.write(items[0]!, why);
    writer.write(items.slice(1), why);
    return { items, count: await writer.close() };
  }

  it.each([
    ['GBK', CHINESE_CSV, ',', (text: string) => iconv.encode(text, 'gbk'), 'gb18030'],
    ['UTF-8 with BOM and CRLF', CHINESE_CSV.replace(/\n/g, '\r\n'), ',', (text: string) => Buffer.from('\uFEFF' + text), 'utf-8'],
    ['UTF-16LE, tab separated', CHINESE_CSV.replace(/,/g, '\t'), '\t', (text: string) => iconv.encode(text, 'utf-16le', { addBOM: true }), 'utf-16le'],
  ])('writes %s rejects with a reason column; re-read, they are the same records', async (_name, text, delimiter, encode, encoding) => {
    const source = await openSource({ path: tempFile('.csv', encode(text)) });
    const rejectsPath = join(dir, `rejects-${++fileCount}.csv`);
    const { items, count } = await rejectAll(source, rejectsPath);
    expect(count).toBe(2);
    const newline = source.newline;
    const lines = text.split(newline).filter(Boolean);
    const expected = [`${lines[0]}${delimiter}hire_import_error`, ...lines.slice(1).map((line) => `${line}${delimiter}${why}`)];
    expect(readFileSync(rejectsPath)).toEqual(encode(expected.map((line) => line + newline).join('')));
    const reread = await openSource({ path: rejectsPath });
    expect(reread).toMatchObject({ encoding, bom: source.bom, delimiter: source.delimiter, newline: source.newline, header: source.header, headerRaw: source.headerRaw });
    expect(await itemsOf(reread)).toEqual(items);
  });

  it('writes malformed records whole, the reason after those whose quotes close', async () => {
    const source = await openSource({ path: tempFile('.csv', 'a,b\n1,2\n3,x"y\n5,"6\n7"\n') });
    const rejectsPath = join(dir, `rejects-${++fileCount}.csv`);
    const writer = createRejectsWriter(source, rejectsPath);
    for await (const item of source.items()) if (item.kind === 'problem' || item.line === 4) writer.write(item, "b: '6, 7' is not \"ok\"");
    expect(await writer.close()).toBe(2);
    expect(readFileSync(rejectsPath, 'utf8')).toBe('a,b,hire_import_error\n3,x"y\n5,"6\n7","b: \'6, 7\' is not ""ok"""\n');
  });

  it('gives a short row the cells it lacks, so its reason lands in the reason column', async () => {
    const source = await openSource({ path: tempFile('.csv', 'a;b;c\n1\n"2;3";4\n') });
    const rejectsPath = join(dir, `rejects-${++fileCount}.csv`);
    await rejectAll(source, rejectsPath);
    expect(readFileSync(rejectsPath, 'utf8')).toBe(`a;b;c;hire_import_error\n1;;;${why}\n"2;3";4;;${why}\n`);
  });

  it('writes JSONL rejects without a header, the reason as the last field of each object', async () => {
    const source = await openSource({ path: tempFile('.jsonl', '{"a":1}\nnope\n{ }\n') });
    const rejectsPath = join(dir, `rejects-${++fileCount}.jsonl`);
    const { count } = await rejectAll(source, rejectsPath);
    expect(count).toBe(3);
    expect(readFileSync(rejectsPath, 'utf8')).toBe(`{"a":1,"hire_import_error":"${why}"}\nnope\n{ "hire_import_error":"${why}"}\n`);
  });

  it('records what it wrote beside the file, so a later run can tell whether it was edited', async () => {
    const source = await openSource({ path: tempFile('.csv', 'a\n1\n') });
    const rejectsPath = join(dir, `rejects-${++fileCount}.csv`);
    const writer = createRejectsWriter(source, rejectsPath);
    for await (const item of source.items()) writer.write(item, 'why');
    await writer.close();
    const bytes = readFileSync(rejectsPath);
    expect(JSON.parse(readFileSync(`${rejectsPath}.written`, 'utf8'))).toMatchObject({
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('creates no file when nothing is rejected', async () => {
    const source = await openSource({ path: tempFile('.csv', 'a\n1\n') });
    const rejectsPath = join(dir, `rejects-${++fileCount}.csv`);
    const writer = createRejectsWriter(source, rejectsPath);
    writer.write([], 'why');
    expect(await writer.close()).toBe(0);
    expect(existsSync(rejectsPath)).toBe(false);
    expect(existsSync(`${rejectsPath}.written`)).toBe(false);
  });
});

describe('a rejects file read as input', () => {
  it('leaves its reason column out of the header, the records and their text, wherever the column is', async () => {
    const { source, items } = await read('.csv', 'a,hire_import_error,b\n1,"x, y",2\n3,,\n,only a reason,\n');
    expect(source.header).toEqual(['a', 'b']);
    expect(source.headerRaw).toBe('a,b');
    expect(items).toEqual([
      { kind: 'record', line: 2, fields: { a: '1', b: '2' }, raw: '1,2' },
      { kind: 'record', line: 3, fields: { a: '3', b: '' }, raw: '3,' },
    ]);
    const first = await read('.csv', 'hire_import_error;a\nwhy;1\n');
    expect(first.source.headerRaw).toBe('a');
    expect(first.items).toEqual([{ kind: 'record', line: 2, fields: { a: '1' }, raw: '1' }]);
  });

  it('leaves a JSONL reason field out of the record and its text, keeping every digit of a long number', async () => {
    const { items } = await read('.jsonl', '{"id": 6986199832494934317, "score": 1.50, "hire_import_error": "score: bad"}\n{"id": 1}\n');
    expect(items).toEqual([
      { kind: 'record', line: 1, fields: { id: '6986199832494934317', score: 1.5 }, raw: '{"id":6986199832494934317,"score":1.50}' },
      { kind: 'record', line: 2, fields: { id: 1 }, raw: '{"id": 1}' },
    ]);
  });
});
