/**
 * The result log: one JSON line per outcome, keyed by external_id, after a first line naming the target and resource
 * the log belongs to. It is the source of truth for "already created" (the server's idempotency lasts only 24 hours),
 * so every outcome is appended as soon as it is known, with a synchronous write, and reaches the disk (fdatasync)
 * within `syncWindowMs` of that: a crash of the process loses only the answers not yet received, a crash of the
 * machine or a power loss at most that window's lines. As a create goes on the wire (not while it waits its turn), a
 * short intent line (`sending`) is appended the same way, so a rerun knows which records a crash may have created without their answer reaching the
 * log, and can look for them on the server instead of sending them again.
 *
 * Reading is strict, because a line misread is a record sent twice: every line must be one of this tool's results
 * (the first may be the header; logs written before there was one have none). Only the tail may be damaged, the way
 * a crash or a power loss damages it (a torn last line; zeros where the last writes should be, of any length): it is
 * cut off when the log is next opened for writing. Any other damage stops the run before anything is sent, naming the
 * line and how to repair it. Lines of the shape this tool writes are read without JSON.parse (scanCommonLine), with
 * exactly JSON.parse's result, and go into a KnownIds without becoming strings, so a million lines read in seconds.
 *
 * Writing stops at the first write or sync that fails (a full disk, a file size limit, an I/O error): a torn line is
 * taken back if the file allows, and the entry that failed and every later one are kept in memory for the summary.
 */
import { isUtf8 } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { closeSync, constants, existsSync, fdatasync, fstatSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { DamagedLogError, LogWriteError, UsageError, writeFailureReason } from '../errors.js';
import { errorKey } from '../import/errorBudget.js';
import { KnownIds, type Done } from '../import/knownIds.js';
import { checkStatePath, noFollowFor, PRIVATE_FILE_MODE } from './owned.js';

/**
 * `matched`: an existing record (a talent found by email or mobile) is reused; it counts as done like `created`.
 * `blocked`: inside a plan, the record's parent never got a Feishu id (its step finished without it); not sent, not
 * done, so a rerun tries it again.
 * `deleted`: an undo deleted the record (a DeletedEntry): the log no longer counts it as created.
 * `differs`: verify found the record on Feishu with content other than the export's; it still exists, and
 * `--update-changed` sends it again.
 */
/** Every status an outcome line may have, listed once. */
export const logStatuses = ['created', 'updated', 'matched', 'failed', 'invalid', 'blocked', 'deleted', 'differs'] as const;
export type LogStatus = (typeof logStatuses)[number];

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
  /**
   * Invalid and blocked lines: a fingerprint of the refused record's input and of the line said about it
   * (refusalHash), so that a rerun whose record and reason are unchanged does not append the same line again.
   */
  refusal?: string;
  at: string;
}

/**
 * Appended as a create goes on the wire (see above). Kept small, since one is written per create: the key, the
 * resource, the Feishu id of the parent the record was sent under (where the server lists it), its content key, and
 * when.
 */
export interface Intent {
  external_id: string;
  status: 'sending';
  resource: string;
  parent?: string;
  /** The key of the body's content as an answer shows it (readBack/recovery.ts contentKey), to find it by. */
  content?: string;
  /** When it was sent: within the server's idempotency window, a create that cannot be read back is sent again. */
  at?: string;
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

/** The log's first line: what its lines are about. Written with the first entry of a new (or emptied) log. */
export interface LogHeader {
  /** The version of the log's format. */
  hire_import: 1;
  /** The base URL the records were sent to, or `sandbox` for a rehearsal's emulator (whatever its port). */
  target: string;
  /** The app that sent them; null for the sandbox. */
  app_id: string | null;
  resource: string;
  created_at: string;
}

/** Where the log's last whole line ends, so that opening it for writing can cut off a damaged tail. */
export interface LogEnd {
  bytes: number;
  /** The last line is whole but lost its newline (a crash between the two): the record it names exists. */
  missingNewline: boolean;
}

export interface LogHistory {
  /**
   * The keys earlier runs created, updated or matched (and not deleted since), with their Feishu ids and hashes if
   * asked to keep them.
   */
  known: KnownIds;
  /** Intents with no record the log says exists: creates a crash may have cut off after they were sent. */
  intents: Map<string, Intent>;
  /** The resources its lines name (one, for a log written by imports of one resource). */
  resources: Set<string>;
  /** The records earlier runs logged as invalid or failed, by `errorKey`: errors already known (--max-errors). */
  erred: Set<string>;
  /** By `errorKey`, the `refusal` of each record whose last outcome line is an invalid or blocked one that has it. */
  refused: Map<string, string>;
  /** What the log belongs to; absent for an empty log and for one written before logs had a header. */
  header?: LogHeader;
  end: LogEnd;
  /** A torn or zero-filled tail past `end`: the last whole line before it, and its length in bytes. */
  damagedTail?: { afterLine: number; bytes: number };
}

/** What a reader of the log needs besides the keys: a plain import needs neither unless it may update. */
export interface Keep {
  ids: boolean;
  hashes: boolean;
}

export interface ReadOptions {
  /** Default: both. */
  keep?: Keep;
  /** Sees every outcome line in order, parsed (verify: why a record was not created). */
  onEntry?: (entry: LogLine) => void;
  /** Sees every intent line in order, parsed (the parent a child was sent under). */
  onIntent?: (intent: Intent) => void;
}

const statuses: ReadonlySet<string> = new Set<LogStatus>(logStatuses);
/** No result line comes near this; a longer one is damage, and is not held in memory whole. */
const longestLine = 1024 * 1024;
const readSize = 1024 * 1024;
const logFormat = 1;

/** A log path must name a regular file (or nothing yet): a device or a pipe would read forever or block. */
export function checkLogFile(path: string): void {
  if (existsSync(path) && !statSync(path).isFile()) {
    throw new UsageError(`${path} is not a regular file (a folder, a device or a pipe); the result log must be a file`);
  }
}

/** Reads what earlier runs recorded; a missing log is an empty history. Throws DamagedLogError (see above). */
export async function readResultLog(path: string, options: ReadOptions = {}): Promise<LogHistory> {
  const { keep = { ids: true, hashes: true }, onEntry, onIntent } = options;
  const history: LogHistory = { known: new KnownIds(), intents: new Map(), resources: new Set(), erred: new Set(), refused: new Map(), end: { bytes: 0, missingNewline: false } };
  checkStatePath(path, 'the result log');
  if (!existsSync(path)) return history;
  checkLogFile(path);
  // A record takes some 200 bytes of created line, 330 with its intent: room for about that many keys at once spares
  // rehashing them as the table grows, and a rough count costs no more than a doubled table.
  history.known.reserve(statSync(path).size / 330);
  const lines = new LineSplitter();
  const scan = newScan();
  const take = (line: RawLine) => {
    const result = readLine(line, onEntry === undefined && onIntent === undefined, scan);
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
    if (result.kind === 'common') remember(history, keep, line.start, scan);
    else if (result.kind === 'intent') {
      history.known.recordIntent(result.intent.external_id, line.start);
      onIntent?.(result.intent);
    }
    else if (result.kind === 'entry') {
      rememberEntry(history, result.entry, keep);
      onEntry?.(result.entry);
    } else if (result.kind === 'header') history.header = result.header;
  };
  // One buffer for the whole file: a stream's fresh buffer per read would leave tens of MB of garbage for the GC.
  const file = await open(path, constants.O_RDONLY | noFollowFor(path));
  try {
    const buffer = Buffer.allocUnsafe(readSize);
    for (let read = 0; (read = (await file.read(buffer, 0, readSize, null)).bytesRead) > 0; ) for (const line of lines.push(buffer.subarray(0, read))) take(line);
  } finally {
    await file.close();
  }
  const last = lines.finish();
  if (last) take(last);
  const pending = [...history.known.pendingIntents()];
  if (pending.length > 0) history.intents = await intentsAt(path, pending);
  return history;
}

/**
 * The intents still pending, read again from where their lines start: those of a run that crashed, and of creates
 * that failed (as many as a run's failures). An intent is short: a small read holds it, a longer one is read whole.
 */
async function intentsAt(path: string, pending: Array<[string, number]>): Promise<Map<string, Intent>> {
  const intents = new Map<string, Intent>();
  const file = await open(path, 'r');
  const small = Buffer.alloc(4096);
  try {
    for (const [key, start] of pending) {
      let line = await lineAt(file, small, start);
      line ??= (await lineAt(file, Buffer.alloc(longestLine), start))!;
      // Read once already: a whole intent, maybe after an editor's BOM.
      intents.set(key, JSON.parse(line.toString('utf8').replace(/^\uFEFF/, '')) as Intent);
    }
  } finally {
    await file.close();
  }
  return intents;
}

/**
 * The line at `start`, up to its newline or the zeros of a power loss (never inside a line that was read whole), or
 * the file's end; undefined when `buffer` is too small to tell.
 */
async function lineAt(file: FileHandle, buffer: Buffer, start: number): Promise<Buffer | undefined> {
  const { bytesRead } = await file.read(buffer, 0, buffer.length, start);
  const bytes = buffer.subarray(0, bytesRead);
  const newline = bytes.indexOf(0x0a);
  const nul = bytes.indexOf(0);
  const end = newline === -1 ? nul : nul === -1 ? newline : Math.min(newline, nul);
  if (end !== -1) return bytes.subarray(0, end);
  return bytesRead < buffer.length ? bytes : undefined;
}

/** The statuses whose line says the record exists on the server, with its Feishu id. */
const done: ReadonlySet<string> = new Set<Done>(['created', 'updated', 'matched']);

/**
 * A line that scanCommonLine read, taken as rememberEntry takes one JSON.parse read. A later failed or invalid line
 * does not undo a create (the record still exists on the server), and a failed create keeps its intent (its answer
 * may have been lost after the server made the record); an undo's `deleted` line undoes it, and a `differs` line
 * (verify) forgets the hash, so that --update-changed sends the record again.
 */
function remember(history: LogHistory, keep: Keep, start: number, scan: Scan): void {
  const line = scan.line;
  const { known } = history;
  const status = scannedStatuses[line.status - 1]!;
  // An intent is kept by where its line starts: read again at the end if nothing settled it.
  if (status === 'sending') return known.recordIntentFrom(line.bytes, line.keyStart, line.keyEnd, start);
  if (line.resourceStart >= 0) history.resources.add(resourceText(scan, line.bytes, line.resourceStart, line.resourceEnd));
  if (refusalNoted.has(status)) {
    const refusal = line.refusalStart < 0 ? undefined : line.bytes.toString('utf8', line.refusalStart, line.refusalEnd);
    noteRefusal(history, line.bytes.toString('utf8', line.keyStart, line.keyEnd), status, refusal);
  }
  if (status === 'deleted') return known.forgetFrom(line.bytes, line.keyStart, line.keyEnd);
  if (status === 'differs') return known.forgetHashFrom(line.bytes, line.keyStart, line.keyEnd);
  // Its key is a string: the errorKey of a record with an external_id is that id.
  if (status === 'failed' || status === 'invalid') history.erred.add(line.bytes.toString('utf8', line.keyStart, line.keyEnd));
  if (line.idStart < 0 || !done.has(status)) return;
  const hashKept = keep.hashes && line.hashStart >= 0;
  known.recordCreatedFrom(line.bytes, line.keyStart, line.keyEnd, keep.ids ? line.idStart : -1, line.idEnd, hashKept ? line.hashStart : -1, line.hashEnd, status as Done);
}

/** A line JSON.parse read (one of another shape: escapes, spaces, fields in a different form); see remember. */
function rememberEntry(history: LogHistory, entry: LogLine, keep: Keep): void {
  if (typeof entry.resource === 'string') history.resources.add(entry.resource);
  if (entry.status === 'failed' || entry.status === 'invalid') history.erred.add(errorKey(entry.external_id, entry.file, entry.line));
  if (refusalNoted.has(entry.status)) {
    const refusal = 'refusal' in entry && typeof entry.refusal === 'string' ? entry.refusal : undefined;
    noteRefusal(history, errorKey(entry.external_id, 'file' in entry ? entry.file : '', 'line' in entry ? entry.line : 0), entry.status, refusal);
  }
  const { known } = history;
  if (typeof entry.external_id !== 'string') return;
  if (entry.status === 'deleted') return known.forget(entry.external_id);
  if (entry.status === 'differs') return known.forgetHash(entry.external_id);
  if (!done.has(entry.status) || typeof entry.id !== 'string') return;
  const hash = keep.hashes && typeof entry.hash === 'string' ? entry.hash : undefined;
  known.recordCreated(entry.external_id, keep.ids ? entry.id : undefined, hash, entry.status as Done);
}

/**
 * The lines that say whether a record's refusal is still the last word about it: an invalid or blocked line keeps its
 * fingerprint; a failed or deleted one forgets it. A created line does not: a key clash's refusal is logged beside
 * (and often before) its first record's create, which still stands.
 */
const refusalNoted: ReadonlySet<string> = new Set<LogStatus>(['invalid', 'blocked', 'failed', 'deleted']);

function noteRefusal(history: LogHistory, key: string, status: string, refusal: string | undefined): void {
  if ((status === 'invalid' || status === 'blocked') && refusal !== undefined) history.refused.set(key, refusal);
  else history.refused.delete(key);
}

/** The last resource a line named (`scan.lastResource`): a line naming the same one (nearly every line) makes no string. */
function resourceText(scan: Scan, bytes: Buffer, start: number, end: number): string {
  const { lastResource } = scan;
  if (lastResource.bytes.length !== end - start || lastResource.bytes.compare(bytes, start, end) !== 0) {
    lastResource.bytes = Buffer.from(bytes.subarray(start, end));
    lastResource.text = lastResource.bytes.toString('utf8');
  }
  return lastResource.text;
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

/**
 * Splits a byte stream into lines, keeping a line's trailing NUL bytes (a power loss leaves megabytes) as a count. A
 * line it yields may share the chunk's bytes: it is used before the next push, which may reuse the chunk's buffer.
 */
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
    this.#add(Buffer.from(chunk.subarray(from))); // a copy: the rest of a line outlives the chunk
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

type LineReading =
  | { kind: 'blank' }
  /** A result of the common shape, its fields where the reading's `Scan` says. */
  | { kind: 'common' }
  | { kind: 'entry'; entry: LogLine }
  | { kind: 'intent'; intent: Intent }
  | { kind: 'header'; header: LogHeader }
  | { kind: 'damaged'; problem: Problem };
/** What is wrong with a line, and how to repair it (`LOG` stands for the log's path). */
interface Problem {
  what: string;
  repair: string;
  /** A write cut short could leave this; else the damage is no torn tail even on the last line. */
  tornWrite: boolean;
}

const common: LineReading = { kind: 'common' };

/** `fast`: a line of the common shape may be read without JSON.parse (not when the caller wants every entry parsed). */
function readLine(line: RawLine, fast: boolean, scan: Scan): LineReading {
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
  if (fast && scanCommonLine(bytes, scan.line)) return common;
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
  if (line.number === 1 && isHeaderLike(value)) return readHeader(value);
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

/** A parsed line that means to be a log's header (whether whole or not): one with `hire_import`. */
export function isHeaderLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'hire_import' in value;
}

function readHeader(value: Record<string, unknown>): LineReading {
  const { hire_import: format, target, app_id: appId, resource, created_at: createdAt } = value;
  if (typeof format === 'number' && format > logFormat) {
    return damage(`was written by a newer hire-import (log format ${format}; this one reads ${logFormat})`, 'run that newer version', false);
  }
  if (format !== logFormat || typeof target !== 'string' || (typeof appId !== 'string' && appId !== null) || typeof resource !== 'string' || typeof createdAt !== 'string') {
    return damage('is not a whole hire-import log header (hire_import, target, app_id, resource, created_at)', deleteLine(1), false);
  }
  return { kind: 'header', header: { hire_import: logFormat, target, app_id: appId, resource, created_at: createdAt } };
}

/**
 * One reading's scratch space, reused line after line so the common line makes no garbage: where scanCommonLine
 * found the fields that matter in `bytes` (a start below 0 means absent, or not a string), and the last resource named.
 */
interface Scan {
  line: ScannedLine;
  lastResource: { bytes: Buffer; text: string };
}

type ScannedLine = ReturnType<typeof newScannedLine>;

function newScan(): Scan {
  return { line: newScannedLine(), lastResource: { bytes: Buffer.alloc(0), text: '' } };
}

function newScannedLine() {
  return {
    bytes: Buffer.alloc(0) as Buffer,
    keyStart: 0,
    keyEnd: 0,
    /** 1-based, in scannedStatuses. */
    status: 0,
    idStart: -1,
    idEnd: -1,
    hashStart: -1,
    hashEnd: -1,
    resourceStart: -1,
    resourceEnd: -1,
    refusalStart: -1,
    refusalEnd: -1,
  };
}
/** The statuses of outcome lines, and the intents' `sending`. */
const scannedStatuses = [...statuses, 'sending'];
const statusBytes = scannedStatuses.map((status) => Buffer.from(status));
const [quote, colon, comma, openBrace, closeBrace, backslash, minus, zero] = [0x22, 0x3a, 0x2c, 0x7b, 0x7d, 0x5c, 0x2d, 0x30];

/**
 * Reads a line of the shape this tool writes without JSON.parse: a flat object, no spaces, names of letters, digits
 * and `_`, each value a string without escapes or an integer; with a string `external_id` and a known `status` (an
 * intent's `sending` with a string `resource`).
 * For such a line JSON.parse would give the same fields (the last of a repeated name wins in both); any other line
 * answers false and is left to JSON.parse. The bytes must be valid UTF-8 (a string's bytes are then its text).
 */
function scanCommonLine(bytes: Buffer, line: ScannedLine): boolean {
  const end = bytes.length;
  line.bytes = bytes;
  line.keyStart = -1;
  line.status = 0;
  line.idStart = -1;
  line.hashStart = -1;
  line.resourceStart = -1;
  line.refusalStart = -1;
  if (bytes[0] !== openBrace) return false;
  let at = 1;
  for (;;) {
    if (bytes[at] !== quote) return false;
    const nameStart = ++at;
    for (let byte = bytes[at]!; (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39); byte = bytes[++at]!);
    const nameEnd = at;
    if (bytes[at++] !== quote || bytes[at++] !== colon) return false;
    const valueStart = bytes[at] === quote ? at + 1 : at;
    const isString = valueStart > at;
    if (isString) {
      for (at = valueStart; at < end; at++) {
        const byte = bytes[at]!;
        if (byte <= backslash && (byte === quote || byte === backslash || byte < 0x20)) break; // most bytes pass one test
      }
      if (bytes[at] !== quote) return false;
    } else {
      if (bytes[at] === minus) at++;
      if (bytes[at] === zero) at++;
      else if (bytes[at]! >= 0x31 && bytes[at]! <= 0x39) while (bytes[at]! >= 0x30 && bytes[at]! <= 0x39) at++;
      else return false;
    }
    const valueEnd = at;
    if (isString) at++;
    switch (nameEnd - nameStart) {
      case 11:
        if (named(bytes, nameStart, 'external_id')) {
          if (!isString) return false;
          line.keyStart = valueStart;
          line.keyEnd = valueEnd;
        } else if (named(bytes, nameStart, 'hire_import')) {
          return false; // a header, JSON.parse's to read
        }
        break;
      case 8:
        if (named(bytes, nameStart, 'resource')) {
          line.resourceStart = isString ? valueStart : -1;
          line.resourceEnd = valueEnd;
        }
        break;
      case 7:
        if (named(bytes, nameStart, 'refusal')) {
          line.refusalStart = isString ? valueStart : -1;
          line.refusalEnd = valueEnd;
        }
        break;
      case 6:
        if (named(bytes, nameStart, 'status')) {
          line.status = isString ? statusCode(bytes, valueStart, valueEnd) : 0;
          if (line.status === 0) return false;
        }
        break;
      case 4:
        if (named(bytes, nameStart, 'hash')) {
          line.hashStart = isString ? valueStart : -1;
          line.hashEnd = valueEnd;
        }
        break;
      case 2:
        if (named(bytes, nameStart, 'id')) {
          line.idStart = isString ? valueStart : -1;
          line.idEnd = valueEnd;
        }
        break;
    }
    if (bytes[at] === comma) {
      at++;
      continue;
    }
    if (bytes[at] !== closeBrace || at + 1 !== end || line.keyStart < 0 || line.status === 0) return false;
    // An intent needs its resource (else it is damage, for JSON.parse's reading to name).
    return line.status !== scannedStatuses.length || line.resourceStart >= 0;
  }
}

function named(bytes: Buffer, start: number, name: string): boolean {
  for (let index = 0; index < name.length; index++) if (bytes[start + index] !== name.charCodeAt(index)) return false;
  return true;
}

/** The status `bytes[start, end)` names (1-based, in `scannedStatuses` order), or 0. */
function statusCode(bytes: Buffer, start: number, end: number): number {
  for (let index = 0; index < statusBytes.length; index++) {
    const status = statusBytes[index]!;
    if (status.length === end - start && status.compare(bytes, start, end) === 0) return index + 1;
  }
  return 0;
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

/**
 * How lines reach the disk: `sync` flushes a file's data (fdatasync) off the event loop, so pacing never waits on
 * the disk, and calls `done`; `later` runs `flush` once, `ms` from now, and returns what cancels it.
 */
export interface DiskSync {
  sync(fd: number, done: (error: Error | null) => void): void;
  later(flush: () => void, ms: number): () => void;
}

/** A line written is on the disk at most this long after (plus the time the sync itself takes). */
export const syncWindowMs = 50;

const systemDiskSync: DiskSync = {
  sync: (fd, done) => fdatasync(fd, done),
  later: (flush, ms) => {
    const timer = setTimeout(flush, ms);
    return () => clearTimeout(timer);
  },
};

export interface ResultLogOptions {
  /** The first line of a log that is empty when opened (or emptied by cutting off its tail), written with its first entry. */
  header?: LogHeader;
  disk?: DiskSync;
}

/** Appends lines of type `Entry`: an import's outcomes (LogEntry), an undo's deletions (DeletedEntry). */
export class ResultLog<Entry extends LogLine = LogEntry> {
  /** Set by the first write or sync that failed: nothing more is written, and the caller should stop sending. */
  failure: LogWriteError | undefined;
  /** The entries that could not be written: the one whose write failed and every one after it. */
  readonly unwritten: Entry[] = [];
  readonly #path: string;
  readonly #fd: number;
  readonly #disk: DiskSync;
  #header: LogHeader | undefined;
  /** Bytes of whole lines in the file, to take a torn line back. */
  #size: number;
  /** Lines were written since the last sync started. */
  #unsynced = false;
  /** Cancels the sync due for those lines; undefined when none is due. */
  #syncDue: (() => void) | undefined;
  /** The syncs started and not yet done, one after another: a sync covers every line written before it began. */
  #syncing: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;

  private constructor(path: string, fd: number, size: number, options: ResultLogOptions) {
    this.#path = path;
    this.#fd = fd;
    this.#size = size;
    this.#disk = options.disk ?? systemDiskSync;
    this.#header = size === 0 ? options.header : undefined;
  }

  /** Opens for appending, first cutting off a damaged tail past `end` and finishing a line that lost its newline. */
  static open<Entry extends LogLine = LogEntry>(path: string, end: LogEnd, options: ResultLogOptions = {}): ResultLog<Entry> {
    let fd: number | undefined;
    let foreign = false;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | noFollowFor(path), PRIVATE_FILE_MODE);
      foreign = fstatSync(fd).size > end.bytes && end.bytes === 0 && !beginsAsALog(path);
      if (!foreign && fstatSync(fd).size > end.bytes) ftruncateSync(fd, end.bytes);
      if (!foreign && end.missingNewline) writeAll(fd, Buffer.from('\n'));
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      throw logWriteError(path, error);
    }
    if (foreign) {
      closeSync(fd);
      throw new UsageError(`${path} does not begin with a hire-import result log's header, so it is left as it is: give --log a file of its own`);
    }
    return new ResultLog<Entry>(path, fd, end.bytes + (end.missingNewline ? 1 : 0), options);
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
    const text = `${this.#header ? `${JSON.stringify(this.#header)}\n` : ''}${JSON.stringify(entry)}\n`;
    const line = Buffer.from(text);
    try {
      writeAll(this.#fd, line);
      this.#size += line.length;
      this.#header = undefined;
      this.#unsynced = true;
      // One sync for every line written in the window, not one per line: at the limit, a few per second.
      this.#syncDue ??= this.#disk.later(() => void this.#sync(), syncWindowMs);
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

  /** Syncs what is not yet on the disk, then closes; a sync that fails sets `failure`. Closing twice is harmless. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#syncDue?.();
      await this.#sync();
      closeSync(this.#fd);
    })();
    return this.#closing;
  }

  /** Starts a sync of the lines written so far once the syncs before it are done. */
  #sync(): Promise<void> {
    this.#syncDue = undefined;
    this.#syncing = this.#syncing.then(
      () =>
        new Promise<void>((resolve) => {
          if (!this.#unsynced) return resolve();
          this.#unsynced = false;
          this.#disk.sync(this.#fd, (error) => {
            // The lines since the last sync may not be on the disk; later outcomes are not written, and sending stops.
            if (error) this.failure ??= logWriteError(this.#path, error);
            resolve();
          });
        }),
    );
    return this.#syncing;
  }
}

/**
 * Whether a file with no whole line begins as this tool writes a log (its header, or zeros where a power loss left
 * them): only such a tail is cut off, never a file someone pointed --log at.
 */
function beginsAsALog(path: string): boolean {
  const start = Buffer.alloc(headerStart.length);
  const fd = openSync(path, constants.O_RDONLY | noFollowFor(path));
  const read = readSync(fd, start, 0, start.length, 0);
  closeSync(fd);
  return start.subarray(0, read).every((byte) => byte === 0) || headerStart.subarray(0, read).equals(start.subarray(0, read));
}

const headerStart = Buffer.from('{"hire_import":');

/** writeSync may write only part of a buffer (a disk filling up): write the rest, or throw what stopped it. */
function writeAll(fd: number, bytes: Buffer): void {
  for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
}
