/** The reading layer's public shapes: what `openSource` takes and what its items look like. */

export type Format = 'csv' | 'jsonl';

export interface OpenOptions {
  /** A file path, or '-' for stdin. */
  path: string;
  /** Overrides the format guessed from the extension; required for stdin. */
  format?: Format;
  /** Any label iconv-lite knows; skips encoding detection. */
  encoding?: string;
  /** CSV only: overrides delimiter detection. 'tab' and '\t' (backslash, t) mean a tab. */
  delimiter?: string;
  /** .xlsx only: the worksheet to read, by its tab name (default: the first visible one). */
  sheet?: string;
  /** Read when path is '-'. */
  stdin?: NodeJS.ReadableStream;
}

export interface SourceRecord {
  kind: 'record';
  /** 1-based physical line where the record starts (the header is line 1). */
  line: number;
  /** CSV: header name -> cell text exactly as in the file. JSONL: the parsed object. */
  fields: Record<string, unknown>;
  /** The record's original text without its line ending, e.g. for a rejects file. */
  raw: string;
  /**
   * Cells known not to hold what was meant (an id Excel stored as a number and rounded): a problem of the record
   * only when the mapping reads their column.
   */
  damaged?: { column: string; reason: string }[];
}

export interface SourceProblem {
  kind: 'problem';
  line: number;
  raw: string;
  field?: string;
  reason: string;
}

export type SourceItem = SourceRecord | SourceProblem;

export interface RecordSource {
  path: string;
  format: Format;
  /** Canonical: 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030', or the label --encoding named. */
  encoding: string;
  /** The input started with a byte-order mark (stripped before parsing). */
  bom: boolean;
  /**
   * A regular file, which a pre-pass (the progress count, a long file's group index) may read again. Stdin, a pipe,
   * a FIFO or a process substitution gives its bytes once: it is read once, by items().
   */
  regularFile: boolean;
  /** The input file's permission bits (undefined for stdin): a rejects file is readable by no one the input is not. */
  mode?: number;
  /** CSV only. */
  delimiter?: string;
  /** CSV only: trimmed column names; '' for a blank header cell. */
  header?: string[];
  /** CSV only: the header line's original text, written first in a rejects file. */
  headerRaw?: string;
  newline: '\n' | '\r\n';
  /**
   * The worksheet read, when the input is an .xlsx workbook. Its records are then shaped like CSV ones, and the
   * fields above describe the CSV its rejects are written as (UTF-8 with a BOM, so that Excel opens it).
   */
  sheet?: string;
  /** Single pass, streaming; memory stays flat in file size. */
  items(): AsyncIterable<SourceItem>;
  /** Releases the input early (reading items() to the end, or breaking out of it, releases it too). */
  close(): Promise<void>;
}
