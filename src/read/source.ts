/** The reading layer's entry point: open a CSV, JSONL or .xlsx file (or stdin), sniff it, and stream its records. */
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import { csvItems, parseCsvHeader } from './csv.js';
import { decodeChunks, decodeSample, resolveEncodingLabel } from './decode.js';
import { detectEncoding } from './detect.js';
import { fileKind } from './fileKind.js';
import { openInput } from './input.js';
import { jsonlItems } from './jsonl.js';
import { InputLines } from './lines.js';
import { assertFormatFits, assertJsonLines, assertReadableText, detectDelimiter, detectNewline, parseDelimiterOption } from './sniff.js';
import type { Format, OpenOptions, RecordSource, SourceItem } from './types.js';

export type { Format, OpenOptions, RecordSource, SourceItem, SourceProblem, SourceRecord } from './types.js';

const FORMAT_BY_EXTENSION: Record<string, Format> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'jsonl',
};

export function formatFromPath(path: string): Format | undefined {
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}

/**
 * Opens the input and sniffs its first 64 KiB: encoding (InputError when it is not clear), binary content, line
 * ending, and for CSV the delimiter and header. Throws UsageError for bad options and InputError for input that
 * cannot be read, before any record is handed out.
 */
export async function openSource(options: OpenOptions): Promise<RecordSource> {
  const { path } = options;
  const name = path === '-' ? 'stdin' : path;
  const format = options.format ?? formatFromPath(path);
  if (format === undefined && path === '-') throw new UsageError('reading stdin needs --format csv or --format jsonl');
  const forcedEncoding = options.encoding === undefined ? undefined : resolveEncodingLabel(options.encoding);
  const forcedDelimiter = options.delimiter === undefined ? undefined : parseDelimiterOption(options.delimiter);

  if (path === '-' && !options.stdin) throw new UsageError('this command does not read stdin: name a file');
  const input = await openInput(path, options.stdin!, name);
  try {
    // A workbook is known by its bytes, whatever its name or --format; its reader is loaded only then.
    if (fileKind(input.sample, path, name) === 'workbook') {
      const { openWorkbook } = await import('./xlsx.js');
      return await openWorkbook(input, { path, name, sheet: options.sheet });
    }
    if (options.sheet !== undefined) throw new UsageError(`--sheet is for .xlsx workbooks; ${name} is not one`);
    if (format === undefined) throw new UsageError(`cannot tell the format of ${path} from its extension; pass --format csv or --format jsonl`);
    const detected = detectEncoding(input.sample, name, forcedEncoding);
    const sample = decodeSample(input.sample, detected);
    assertReadableText(sample, name, detected.encoding);
    const newline = detectNewline(sample);
    if (format === 'jsonl') assertJsonLines(sample, name);
    assertFormatFits(sample, format, name);
    const csv = format === 'csv' ? sniffCsv(sample, forcedDelimiter, newline, name) : undefined;

    let started = false;
    const items = (): AsyncIterable<SourceItem> => {
      if (started) throw new Error(`${name}: items() can only be read once`);
      started = true;
      const lines = new InputLines(detected.encoding);
      const chunks = decodeChunks(input.chunks(), detected, lines);
      return csv === undefined ? jsonlItems(chunks, lines) : csvItems(chunks, csv.header, csv.delimiter, newline, lines);
    };
    return {
      path,
      format,
      encoding: detected.encoding,
      bom: detected.bom,
      regularFile: input.regularFile,
      mode: input.mode,
      delimiter: csv?.delimiter,
      header: csv?.header.columns,
      headerRaw: csv?.header.raw,
      newline,
      items,
      close: input.close,
    };
  } catch (error) {
    await input.close();
    throw error;
  }
}

function sniffCsv(sample: string, forcedDelimiter: string | undefined, newline: string, name: string) {
  const delimiter = forcedDelimiter ?? detectDelimiter(sample);
  return { delimiter, header: parseCsvHeader(sample, delimiter, newline, name) };
}
