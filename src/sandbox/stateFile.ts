/**
 * A sandbox's state on disk, so a `--sandbox` rehearsal holds from run to run what earlier runs created: an
 * append-only JSONL of the store's changes, read back at start a piece at a time (never as one string, whatever its
 * size) and appended to as each change is decided. A last line cut short by a crash is dropped (and cut off the file,
 * so the next line starts clean); any other bad line stops the start with its line number. One sandbox per file at a
 * time. It holds candidates' data: created 0600, and opened without following a symlink.
 */
import { closeSync, constants, fstatSync, openSync, readSync, ftruncateSync, writeSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { checkStatePath, noFollowFor, PRIVATE_FILE_MODE } from '../log/owned.js';
import type { Change } from './store.js';
import { isPlainObject } from './validateWire.js';

export interface StateFile {
  /** What earlier runs changed, oldest first. */
  changes: Change[];
  append(change: Change): void;
  close(): void;
}

/** How much of the file is read at a time. */
const PIECE_BYTES = 1024 * 1024;

function isChange(value: unknown, resources: ReadonlySet<string>): value is Change {
  if (!isPlainObject(value) || typeof value.resource !== 'string' || !resources.has(value.resource)) return false;
  if (typeof value.id !== 'string' || !/^\d+$/.test(value.id) || typeof value.at !== 'number') return false;
  if (value.op === 'delete') return true;
  return (value.op === 'create' || value.op === 'update') && isPlainObject(value.body);
}

export function openStateFile(path: string, resources: readonly string[]): StateFile {
  checkStatePath(path, 'the sandbox state');
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | noFollowFor(path), PRIVATE_FILE_MODE);
  try {
    const known = new Set(resources);
    const changes: Change[] = [];
    const complete = readLines(fd, (line, number) => {
      let change: unknown;
      try {
        change = JSON.parse(line);
      } catch {
        change = undefined;
      }
      if (!isChange(change, known)) {
        throw new ConfigError(`${path}:${number}: not a sandbox state line; delete the file to start the sandbox empty`);
      }
      changes.push(change);
    });
    if (complete < fstatSync(fd).size) ftruncateSync(fd, complete);
    return {
      changes,
      // Handed to the OS before the answer leaves, so what a client is told was created outlives the process.
      append: (change) => void writeSync(fd, `${JSON.stringify(change)}\n`),
      close: () => closeSync(fd),
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Hands each complete line to `take` with its number; returns the bytes the complete lines take. */
function readLines(fd: number, take: (line: string, number: number) => void): number {
  const piece = Buffer.alloc(PIECE_BYTES);
  let carry: Buffer = Buffer.alloc(0);
  let position = 0;
  let number = 0;
  for (let read = readSync(fd, piece, 0, PIECE_BYTES, position); read > 0; read = readSync(fd, piece, 0, PIECE_BYTES, position)) {
    position += read;
    const bytes = carry.length > 0 ? Buffer.concat([carry, piece.subarray(0, read)]) : piece.subarray(0, read);
    let start = 0;
    for (let end = bytes.indexOf(0x0a, start); end !== -1; end = bytes.indexOf(0x0a, start)) {
      take(bytes.toString('utf8', start, end), ++number);
      start = end + 1;
    }
    carry = Buffer.from(bytes.subarray(start));
  }
  return position - carry.length;
}
