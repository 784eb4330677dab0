/**
 * The result log: one JSON line per outcome, keyed by external_id. It is the source of truth for "already created"
 * (the server's idempotency lasts only 24 hours), so every outcome is appended as soon as it is known, with a
 * synchronous write: a crash loses at most the answers not yet received.
 */
import { closeSync, createReadStream, existsSync, fstatSync, openSync, readSync, ftruncateSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** `matched`: an existing record (a talent found by email or mobile) is reused; it counts as done like `created`. */
export type LogStatus = 'created' | 'updated' | 'matched' | 'failed' | 'invalid';

export interface LogEntry {
  /** The resource imported (talents, assessments, ...). */
  resource: string;
  /** null for a record so broken that it has none. */
  external_id: string | null;
  status: LogStatus;
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
  at: string;
}

/** What the log says exists on the server: external_id -> Feishu id and the hash of what was sent. */
export type Created = Map<string, { id: string; hash?: string }>;

export interface LogHistory {
  created: Created;
  /** Lines that could not be read (a torn last line after a crash, or damage). */
  unreadable: number;
}

/** Reads what earlier runs recorded; a missing log is an empty history. */
export async function readResultLog(path: string): Promise<LogHistory> {
  const history: LogHistory = { created: new Map(), unreadable: 0 };
  if (!existsSync(path)) return history;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const text of lines) {
    if (!text.trim()) continue;
    let entry: Partial<LogEntry>;
    try {
      entry = JSON.parse(text) as Partial<LogEntry>;
    } catch {
      history.unreadable++;
      continue;
    }
    if (typeof entry.external_id !== 'string') continue;
    if ((entry.status === 'created' || entry.status === 'updated' || entry.status === 'matched') && typeof entry.id === 'string') {
      history.created.set(entry.external_id, { id: entry.id, hash: entry.hash });
    }
    // A later failed or invalid line does not undo a create: the record still exists on the server.
  }
  return history;
}

export class ResultLog {
  readonly #fd: number;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /**
   * Opens for appending. A last line without its newline is finished if it is whole (a crash between the line and
   * its newline: the record it names exists) and cut off if it is torn, so the next line starts clean.
   */
  static open(path: string): ResultLog {
    const fd = openSync(path, 'a+');
    const size = fstatSync(fd).size;
    if (size > 0) {
      const tail = Buffer.alloc(Math.min(size, 64 * 1024));
      readSync(fd, tail, 0, tail.length, size - tail.length);
      const lastNewline = tail.lastIndexOf(0x0a);
      if (lastNewline !== tail.length - 1) {
        if (isJson(tail.subarray(lastNewline + 1).toString('utf8'))) writeSync(fd, '\n');
        else ftruncateSync(fd, size - tail.length + lastNewline + 1);
      }
    }
    return new ResultLog(fd);
  }

  append(entry: LogEntry): void {
    writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
