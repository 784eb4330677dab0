/**
 * Tells an .xlsx workbook from text by its first bytes, and names the other files people pass by mistake (an Excel
 * 97-2003 workbook, a web page saved as .xls, a Word file, a PDF, an archive) with what to do instead: InputError.
 */
import { extname } from 'node:path';
import { InputError } from '../errors.js';

const SAVE_AS = 'open it in Excel or WPS and save as .xlsx (or CSV UTF-8)';

/** 'workbook' for an .xlsx (or .xlsm), 'text' for anything else that may be CSV or JSONL; throws for the rest. */
export function fileKind(sample: Buffer, path: string, name: string): 'workbook' | 'text' {
  const extension = path === '-' ? '' : extname(path).toLowerCase();
  if (startsWith(sample, [0x50, 0x4b, 0x03, 0x04])) return zipKind(sample, extension, name);
  if (startsWith(sample, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    // The OLE2 container of every Office 97-2003 file; exports are workbooks unless named otherwise.
    if (extension === '.doc') throw new InputError(`${name} is a Word 97-2003 document, not a table; export the data as .xlsx or CSV`);
    throw new InputError(`${name} is an Excel 97-2003 workbook; ${SAVE_AS}`);
  }
  if (startsWith(sample, [0x25, 0x50, 0x44, 0x46, 0x2d])) {
    throw new InputError(`${name} is a PDF document, whose tables cannot be read back reliably; export the data as .xlsx or CSV instead`);
  }
  const archive = ARCHIVES.find((candidate) => startsWith(sample, candidate.magic));
  if (archive) throw new InputError(`${name} is a ${archive.name} archive; extract it and pass the .xlsx, CSV or JSONL file inside`);
  if ((extension === '.xls' || extension === '.xlsx') && /^(\uFEFF)?\s*</.test(sample.subarray(0, 512).toString('utf8'))) {
    // Many ATSs "export to Excel" as an HTML table with an .xls name; Excel opens it with a warning.
    throw new InputError(`${name} is a web page (HTML) saved with an Excel name, not a workbook; ${SAVE_AS}`);
  }
  return 'text';
}

const ARCHIVES = [
  { name: 'gzip', magic: [0x1f, 0x8b] },
  { name: '7-Zip', magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: 'RAR', magic: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
];

/**
 * Office files are ZIP archives whose part names (stored uncompressed in each entry's header) say what they hold.
 * An .xlsx name is trusted when the sample shows no part names, since a workbook may start with a large part.
 */
function zipKind(sample: Buffer, extension: string, name: string): 'workbook' {
  const names = sample.toString('latin1');
  if (names.includes('xl/workbook.bin')) throw new InputError(`${name} is an Excel binary workbook (.xlsb); ${SAVE_AS}`);
  if (/xl\/(workbook\.xml|worksheets\/|_rels\/|styles\.xml|sharedStrings\.xml)/.test(names)) return 'workbook';
  if (names.includes('word/')) throw new InputError(`${name} is a Word document (.docx), not a table; export the data as .xlsx or CSV`);
  if (names.includes('ppt/')) throw new InputError(`${name} is a PowerPoint presentation (.pptx), not a table; export the data as .xlsx or CSV`);
  if (names.includes('application/vnd.oasis.opendocument.spreadsheet')) {
    throw new InputError(`${name} is an OpenDocument spreadsheet (.ods); open it and save as .xlsx (or CSV UTF-8)`);
  }
  if (extension === '.xlsx' || extension === '.xlsm') return 'workbook';
  throw new InputError(`${name} is a ZIP archive; extract it and pass the .xlsx, CSV or JSONL file inside`);
}

function startsWith(sample: Buffer, magic: number[]): boolean {
  return sample.length >= magic.length && magic.every((byte, index) => sample[index] === byte);
}
