/**
 * What a workbook says about itself before any sheet is read: its sheets by the names, order and visibility
 * workbook.xml gives them (each resolved to its part through the relationships, never by the ZIP's order), the date
 * system, each cell style's number format, and the shared-string table, bounded by workbookLimits.
 */
import { posix } from 'node:path';
import { builtinFormat } from './cellText.js';
import { MAX_CELL_CHARS, MAX_PART_BYTES, MAX_SHARED_STRINGS_BYTES } from './workbookLimits.js';
import { attribute, readXml, unescapeText } from './xmlEvents.js';
import type { ZipParts } from './zipParts.js';

export interface SheetEntry {
  name: string;
  visible: boolean;
  /** The worksheet's part in the ZIP (xl/worksheets/sheet1.xml). */
  part: string;
}

/** A shared string longer than MAX_CELL_CHARS is not kept: cells that use it are refused with its length. */
export interface Oversized {
  oversized: number;
}

export interface WorkbookInfo {
  sheets: SheetEntry[];
  date1904: boolean;
  /** Number format code by cell style index (the `s` attribute of a cell). */
  formats: string[];
  strings: Array<string | Oversized>;
}

interface Relationship {
  id: string;
  type: string;
  target: string;
}

export async function readWorkbookInfo(zip: ZipParts): Promise<WorkbookInfo> {
  const root = await relationships(zip, '');
  const workbookPart = root.find((rel) => rel.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  const rels = await relationships(zip, workbookPart);
  const byId = new Map(rels.map((rel) => [rel.id, rel]));

  const sheets: SheetEntry[] = [];
  let date1904 = false;
  await readXml(zip.chunks(workbookPart, MAX_PART_BYTES, 'the workbook part'), {
    open(name, attributes) {
      if (name === 'workbookPr') date1904 = isTrue(attributes.date1904);
      if (name !== 'sheet') return;
      const rel = byId.get(attribute(attributes, 'id') ?? '');
      // A chart sheet has no rows to read.
      if (rel === undefined || !rel.type.endsWith('/worksheet')) return;
      const state = attributes.state;
      sheets.push({ name: attributes.name ?? '', visible: state !== 'hidden' && state !== 'veryHidden', part: rel.target });
    },
  });

  const stylesPart = rels.find((rel) => rel.type.endsWith('/styles'))?.target;
  const stringsPart = rels.find((rel) => rel.type.endsWith('/sharedStrings'))?.target;
  return {
    sheets,
    date1904,
    formats: stylesPart && zip.has(stylesPart) ? await readFormats(zip, stylesPart) : [],
    strings: stringsPart && zip.has(stringsPart) ? await readSharedStrings(zip, stringsPart) : [],
  };
}

function isTrue(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

/** The part's relationships in document order, targets resolved to part names ('' is the package's own). */
async function relationships(zip: ZipParts, part: string): Promise<Relationship[]> {
  const folder = posix.dirname(part);
  const relsPart = posix.join(folder === '.' ? '' : folder, '_rels', `${posix.basename(part)}.rels`);
  if (!zip.has(relsPart)) return [];
  const list: Relationship[] = [];
  await readXml(zip.chunks(relsPart, MAX_PART_BYTES, 'a relationships part'), {
    open(name, attributes) {
      if (name !== 'Relationship' || attributes.TargetMode === 'External') return;
      const target = attributes.Target ?? '';
      const resolved = target.startsWith('/') ? target.slice(1) : posix.normalize(posix.join(folder === '.' ? '' : folder, target));
      list.push({ id: attributes.Id ?? '', type: attributes.Type ?? '', target: resolved });
    },
  });
  return list;
}

/** styles.xml: the custom formats, then each cellXfs entry's format (a built-in one when the file gives no text). */
async function readFormats(zip: ZipParts, part: string): Promise<string[]> {
  const custom = new Map<number, string>();
  const formats: string[] = [];
  let inCellXfs = false;
  const ids: number[] = [];
  await readXml(zip.chunks(part, MAX_PART_BYTES, 'the styles part'), {
    open(name, attributes) {
      // An empty code (some writers redefine id 0 so) leaves the built-in format in place.
      if (name === 'numFmt' && attributes.formatCode) custom.set(Number(attributes.numFmtId), attributes.formatCode);
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) ids.push(Number(attributes.numFmtId ?? 0));
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  for (const id of ids) formats.push(custom.get(id) ?? builtinFormat(id));
  return formats;
}

/**
 * sharedStrings.xml: each <si>'s text, its runs joined, phonetic guides (<rPh>) left out. The part's declared size
 * bounds the table; a string over MAX_CELL_CHARS keeps only its length.
 */
async function readSharedStrings(zip: ZipParts, part: string): Promise<Array<string | Oversized>> {
  const strings: Array<string | Oversized> = [];
  let pieces: string[] = [];
  let length = 0;
  let inText = false;
  let inPhonetic = false;
  await readXml(zip.chunks(part, MAX_SHARED_STRINGS_BYTES, 'the shared-string table'), {
    open(name) {
      if (name === 'si') {
        pieces = [];
        length = 0;
      } else if (name === 't') inText = !inPhonetic;
      else if (name === 'rPh') inPhonetic = true;
    },
    close(name) {
      if (name === 't') inText = false;
      else if (name === 'rPh') inPhonetic = false;
      else if (name === 'si') strings.push(length > MAX_CELL_CHARS ? { oversized: length } : unescapeText(pieces.join('')));
    },
    text(text) {
      if (!inText) return;
      length += text.length;
      if (length <= MAX_CELL_CHARS) pieces.push(text);
      else pieces = [];
    },
  });
  return strings;
}
