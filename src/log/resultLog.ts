/**
 * The result log: one JSON line per outcome, keyed by external_id. It is the source of truth for "already created"
 * (the server's idempotency lasts only 24 hours), so every outcome is appended as soon as it is known, with a
 * synchronous write: a crash loses at most the answers not yet received. Before a create is sent, a short intent
 * line (`sending`) is appended the same way, so a rerun knows which records a crash may have created without their
 * answer reaching the log, and can look for them on the server instead of sending them again.
 *
 * Reading is strict, because a line misread is a record sent twice: every line must be one of this tool's results.
 * Only the tail may be damaged, the way a crash or a power loss damages it (a torn last line; zeros where the last
 * writes should be, of any length): it is cut off when the log is next opened for writing. Any other damage stops
 * the run before anything is sent, naming the line and how to repair it.
 *
 * Writing stops at the first write that fails (a full disk, a file size limit, an I/O error): a torn line is taken
 * back if the file allows, and the entry that failed and every later one are kept in memory for the summary.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, existsSync, fstatSync, ftruncateSync, openSync, statSync, writeSync } from 'node:fs';
import { DamagedLogError, LogWriteError, UsageError, writeFailureReason } from '../errors.js';
import { errorKey } from '../import/errorBudget.js';

/**
 * `matched`: an existing record (a talent found by email or mobile) is reused; it counts as done like `created`.
 * `blocked`: inside a plan, the record's parent never got a Feishu id (its step finished without it); not sent, not
 * done, so a rerun tries it again.
 * `deleted`: an undo deleted the record (a DeletedEntry): the log no longer counts it as created.
 * `differs`: verify found the record on Feishu with content other than the export's; it still exists, and
 * `--update-changed` sends it again.
 */
export type LogStatus = 'created' | 'updated' | 'matched' | 'failed' | 'invalid' | 'blocked' | 'deleted' | 'differs';

export interface LogEntry {
  /** The resource imported (talents, assessments, ...). */
  resource: string;
  /** null for a record so broken that it has none. */
  external_id: string | null;
  status: Exclude<LogStatus, 'deleted'>;
  /** The Feishu id, once created. */
  id?: string;
  /** The input file (as given on the command line, '-' for stdin): a log shared with a rejects file holds both. */
  file: string;
  /** Where the record starts in that file. */
  line: number;
  code?: number | string;
  msg?: string;
  /** The request field at fault, for invalid records. */
  field?: string;
  /** Hash of the body sent, so a changed record can be told from an unchanged one. */
  hash?: string;
  attempts?: number;
  /** Feishu's request log id of a failed answer (the x-tt-logid header), for a support ticket. */
  logId?: string;
  /** Created by an earlier run that died before logging it, and found on the server instead of being sent again. */
  recovered?: true;
  at: string;
}

/**
 * Appended just before a create is sent (see above). Kept small, since one is written per create: the key, the
 * resource, and the Feishu id of the parent the record was sent under, where the server lists it.
 */
export interface Intent {
  external_id: string;
  status: 'sending';
  resource: string;
  parent?: string;
}

/** An undo's line: the record `external_id` (Feishu `id`) is no longer on the server. */
export interface DeletedEntry {
  resource: string;
  external_id: string;
  status: 'deleted';
  id: string;
  /**
   * `deleted`: deleted by this request; `notFound`: already gone when asked (an undo interrupted after the delete,
   * or a record removed by hand); `withParent`: the API has no delete for it, and its parent was deleted.
   */
  how: 'deleted' | 'notFound' | 'withParent';
  attempts?: number;
  logId?: string;
  at: string;
}

/** Any outcome line of the log (intents are not outcomes). */
export type LogLine = LogEntry | DeletedEntry;

/**
 * What the log says exists on the server: external_id -> Feishu id and the hash of what was sent; `matched` when the
 * record existed before (found, not made), so an undo leaves it.
 */
export type Created = Map<string, { id: string; hash?: string; matched?: true }>;

/** Where the log's last whole line ends, so that opening it for writing can cut off a damaged tail. */
export interface LogEnd {
  bytes: number;
  /** The last line is whole but lost its newline (a crash between the two): the record it names exists. */
  missingNewline: boolean;
}

export interface LogHistory {
  created: Created;
  /** Intents with no record the log says exists: creates a crash may have cut off after they were sent. */
  intents: Map<string, Intent>;
  /** The resources its lines name (one, for a log written by imports of one resource). */
  resources: Set<string>;
  /** The records earlier runs logged as invalid or failed, by `errorKey`: errors already known (--max-errors). */
  erred: Set<string>;
  end: LogEnd;
  /** A torn or zero-filled tail past `end`: the last whole line before it, and its length in bytes. */
  damagedTail?: { afterLine: number; bytes: number };
}

const statuses: ReadonlySet<string> = new Set<LogStatus>(['created', 'updated', 'matched', 'failed', 'invalid', 'blocked', 'deleted', 'differs']);
/** No result line comes near this; a longer one is damage, and is not held in memory whole. */
const longestLine = 1024 * 1024;

/** A log path must name a regular file (or nothing yet): a device or a pipe would read forever or block. */
export function checkLogFile(path: string): void {
  if (existsSync(path) && !statSync(path).isFile()) {
    throw new UsageError(`${path} is not a regular file (a folder, a device or a pipe); the result log must be a file`);
  }
}

/**
 * Reads what earlier runs recorded; a missing log is an empty history. Throws DamagedLogError (see above).
 * `onEntry` sees every outcome line in order (verify: why a record was not created).
 */
export async function readResultLog(path: string, onEntry?: (entry: LogLine) => void): Promise<LogHistory> {
  const history: LogHistory = { created: new Map(), intents: new Map(), resources: new Set(), erred: new Set(), end: { bytes: 0, missingNewline: false } };
  if (!existsSync(path)) return history;
  checkLogFile(path);
  const lines = new LineSplitter();
  const take = (line: RawLine) => {
    const result = readLine(line);
    if (line.terminated || (result.kind === 'damaged' && !result.problem.tornWrite)) {
      if (result.kind === 'damaged') throw damaged(path, line.number, result.problem);
      history.end = { bytes: line.end + 1, missingNewline: false };
    } else if (result.kind === 'damaged' || result.kind === 'blank') {
      // The last line, never finished: a torn write, zeros, or both. Nothing in it is worth keeping.
      const bytes = line.end + line.trailingNuls - line.start;
      if (result.kind === 'damaged' || line.trailingNuls > 0) history.damagedTail = { afterLine: line.number - 1, bytes };
    } else {
      history.end = { bytes: line.end, missingNewline: true };
      if (line.trailingNuls > 0) history.damagedTail = { afterLine: line.number, bytes: line.trailingNuls };
    }
    if (result.kind === 'intent' && !history.created.has(result.intent.external_id)) history.intents.set(result.intent.external_id, result.intent);
    if (result.kind === 'entry') {
      remember(history, result.entry);
      if (typeof result.entry.resource === 'string') history.resources.add(result.entry.resource);
      const { entry } = result;
      if (entry.status === 'failed' || entry.status === 'invalid') history.erred.add(errorKey(entry.external_id, entry.file, entry.line));
      onEntry?.(result.entry);
    }
  };
  for await (const chunk of createReadStream(path)) for (const line of lines.push(chunk as Buffer)) take(line);
  const last = lines.finish();
  if (last) take(last);
  return history;
}

function remember(history: LogHistory, entry: LogLine): void {
  const { created, intents } = history;
  if (typeof entry.external_id !== 'string') return;
  if (entry.status === 'deleted') {
    created.delete(entry.external_id); // a later `created` line adds it again
    return;
  }
  if ((entry.status === 'created' || entry.status === 'updated' || entry.status === 'matched') && typeof entry.id === 'string') {
    // An update keeps what the record was: one found before this tool stays found.
    const matched = entry.status === 'matched' || (entry.status === 'updated' && created.get(entry.external_id)?.matched);
    created.set(entry.external_id, matched ? { id: entry.id, hash: entry.hash, matched: true } : { id: entry.id, hash: entry.hash });
    intents.delete(entry.external_id);
  }
  // The record still exists, but not as it was sent: forget the hash, so that --update-changed sends it again.
  const known = created.get(entry.external_id);
  if (entry.status === 'differs' && known) created.set(entry.external_id, known.matched ? { id: known.id, matched: true } : { id: known.id });
  // A later failed or invalid line does not undo a create: the record still exists on the server. A failed create
  // keeps its intent: its answer may have been lost after the server made the record.
}

/** One line's bytes, without its newline and without the NUL bytes that end it (counted apart). */
interface RawLine {
  number: number;
  /** Byte offsets in the file: where the line starts, and where its content ends (before trailing NULs). */
  start: number;
  end: number;
  content: Buffer;
  /** Longer than `longestLine`: `content` holds only its beginning. */
  tooLong: boolean;
  trailingNuls: number;
  /** Ended by a newline (else it is the file's last line). */
  terminated: boolean;
}

/** Splits a byte stream into lines, keeping a line's trailing NUL bytes (a power loss leaves megabytes) as a count. */
class LineSplitter {
  #number = 0;
  #offset = 0;
  #start = 0;
  #parts: Buffer[] = [];
  #length = 0;
  #nuls = 0;

  *push(chunk: Buffer): Generator<RawLine> {
    let from = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, from)) {
      this.#add(chunk.subarray(from, newline));
      yield this.#line(true);
      this.#offset += newline - from + 1;
      this.#start = this.#offset;
      from = newline + 1;
    }
    this.#add(chunk.subarray(from));
    this.#offset += chunk.length - from;
  }

  finish(): RawLine | undefined {
    return this.#length > 0 || this.#nuls > 0 ? this.#line(false) : undefined;
  }

  #add(part: Buffer): void {
    let last = part.length - 1;
    while (last >= 0 && part[last] === 0) last--;
    if (last < 0) {
      this.#nuls += part.length;
      return;
    }
    // NULs followed by more text are part of the line's content.
    if (this.#nuls > 0) this.#keep(Buffer.alloc(this.#nuls));
    this.#keep(part.subarray(0, last + 1));
    this.#nuls = part.length - last - 1;
  }

  #keep(part: Buffer): void {
    if (this.#length <= longestLine) this.#parts.push(part);
    this.#length += part.length;
  }

  #line(terminated: boolean): RawLine {
    const content = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
    const line = {
      number: ++this.#number,
      start: this.#start,
      end: this.#start + this.#length,
      content,
      tooLong: this.#length > longestLine,
      trailingNuls: this.#nuls,
      terminated,
    };
    this.#parts = [];
    this.#length = 0;
    this.#nuls = 0;
    return line;
  }
}

type LineReading = { kind: 'blank' } | { kind: 'entry'; entry: LogLine } | { kind: 'intent'; intent: Intent } | { kind: 'damaged'; problem: Problem };
/** What is wrong with a line, and how to repair it (`LOG` stands for the log's path). */
interface Problem {
  what: string;
  repair: string;
  /** A write cut short could leave this; else the damage is no torn tail even on the last line. */
  tornWrite: boolean;
}

function readLine(line: RawLine): LineReading {
  let bytes = line.content;
  if (line.number === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3); // an editor's BOM
  if (line.number === 1 && looksUtf16(bytes)) {
    return damage('is UTF-16 text (the log was re-saved in another encoding)', "convert it back to UTF-8: iconv -f UTF-16 -t UTF-8 LOG > LOG.utf8 && mv LOG.utf8 LOG", false);
  }
  if (line.tooLong) return damage(`is longer than ${longestLine / 1024} KiB, which no result line is`, deleteLine(line.number));
  if (bytes.includes(0) || (line.terminated && line.trailingNuls > 0)) {
    return damage('holds NUL bytes (zeros left by a crash or a power loss) and is not the unfinished last line', "remove the zeros: tr -d '\\000' < LOG > LOG.fixed && mv LOG.fixed LOG");
  }
  if (!isUtf8(bytes)) {
    return damage('is not UTF-8 text (the log was re-saved in another encoding)', 'convert it back to UTF-8 from the encoding it was saved in, e.g. iconv -f GB18030 -t UTF-8 LOG > LOG.utf8 && mv LOG.utf8 LOG');
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (/^\s*[[{]\s*$/.test(text) || /^\s*\[\s*\{/.test(text)) {
      return damage('starts a JSON document spread over several lines (pretty-printed, by jq say)', "put one result on each line again: jq -c 'if type == \"array\" then .[] else . end' LOG > LOG.lines && mv LOG.lines LOG");
    }
    return damage(`is not JSON${line.terminated ? ' and is not the unfinished last line' : ''}`, deleteLine(line.number));
  }
  if ((value as Partial<Intent> | null)?.status === 'sending') {
    if (!isIntent(value)) return damage('is an intent (status sending) without its external_id and resource', deleteLine(line.number), false);
    return { kind: 'intent', intent: value };
  }
  if (!isLogEntry(value)) return damage('is JSON but not a hire-import result (one with external_id and status)', deleteLine(line.number), false);
  return { kind: 'entry', entry: value };
}

/**
 * A parsed line is one of this tool's results: one with a known status and an external_id (null for none): an
 * import's outcome (a LogEntry) or an undo's deletion (a DeletedEntry, status `deleted`).
 */
export function isLogEntry(value: unknown): value is LogLine {
  const entry = value as Partial<LogEntry> | null;
  return (
    typeof entry === 'object' && entry !== null && !Array.isArray(entry) && statuses.has(String(entry.status)) && (typeof entry.external_id === 'string' || entry.external_id === null)
  );
}

/** A parsed line is an intent: written before a create was sent (see the top of this file). */
export function isIntent(value: unknown): value is Intent {
  const intent = value as Partial<Intent> | null;
  return typeof intent === 'object' && intent !== null && intent.status === 'sending' && typeof intent.external_id === 'string' && typeof intent.resource === 'string';
}

function damage(what: string, repair: string, tornWrite = true): LineReading {
  return { kind: 'damaged', problem: { what, repair, tornWrite } };
}

function deleteLine(number: number): string {
  return `fix that line, or delete it (sed -i '${number}d' LOG; a deleted 'created' line makes its record be created again)`;
}

/** UTF-16 puts a NUL beside every ASCII character: a BOM, or NULs in every other byte. */
function looksUtf16(bytes: Buffer): boolean {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return true;
  const [a, b, c, d] = bytes;
  return bytes.length >= 4 && ((a !== 0 && b === 0 && c !== 0 && d === 0) || (a === 0 && b !== 0 && c === 0 && d !== 0));
}

function damaged(path: string, line: number, problem: Problem): DamagedLogError {
  const quoted = /^[\w./@:+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
  return new DamagedLogError(
    `${path} line ${line} ${problem.what}, so the file cannot be read as hire-import's result log; nothing was sent. ` +
      `To repair it, ${problem.repair.replaceAll('LOG', quoted)}; then run again`,
  );
}

/** The error for a log that cannot be written, with what the system said in words. */
export function logWriteError(path: string, error: unknown): LogWriteError {
  return new LogWriteError(`cannot write the result log ${path}: ${writeFailureReason(error)}`);
}

/** Appends lines of type `Entry`: an import's outcomes (LogEntry), an undo's deletions (DeletedEntry). */
export class ResultLog<Entry extends LogLine = LogEntry> {
  /** Set by the first write that failed: nothing more is written, and the caller should stop sending. */
  failure: LogWriteError | undefined;
  /** The entries that could not be written: the one whose write failed and every one after it. */
  readonly unwritten: Entry[] = [];
  readonly #path: string;
  readonly #fd: number;
  /** Bytes of whole lines in the file, to take a torn line back. */
  #size: number;

  private constructor(path: string, fd: number, size: number) {
    this.#path = path;
    this.#fd = fd;
    this.#size = size;
  }

  /** Opens for appending, first cutting off a damaged tail past `end` and finishing a line that lost its newline. */
  static open<Entry extends LogLine = LogEntry>(path: string, end: LogEnd): ResultLog<Entry> {
    let fd: number | undefined;
    try {
      fd = openSync(path, 'a');
      if (fstatSync(fd).size > end.bytes) ftruncateSync(fd, end.bytes);
      if (end.missingNewline) writeAll(fd, Buffer.from('\n'));
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      throw logWriteError(path, error);
    }
    return new ResultLog<Entry>(path, fd, end.bytes + (end.missingNewline ? 1 : 0));
  }

  /**
   * Never throws: a failed write sets `failure` and keeps the entry in `unwritten` (an intent is no outcome and is
   * dropped: the caller must not send a record whose intent could not be written).
   */
  append(entry: Entry | Intent): void {
    if (this.failure) {
      if (entry.status !== 'sending') this.unwritten.push(entry);
      return;
    }
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    try {
      writeAll(this.#fd, line);
      this.#size += line.length;
    } catch (error) {
      this.failure = logWriteError(this.#path, error);
      if (entry.status !== 'sending') this.unwritten.push(entry);
      try {
        ftruncateSync(this.#fd, this.#size); // so the log ends with a whole line, and lines appended later start clean
      } catch {
        // The tail is then torn, and the next run cuts it off.
      }
    }
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** writeSync may write only part of a buffer (a disk filling up): write the rest, or throw what stopped it. */
function writeAll(fd: number, bytes: Buffer): void {
  for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
}
