/**
 * A sandbox's state on disk, so a `--sandbox` rehearsal holds from run to run what earlier runs created: an
 * append-only JSONL of the store's changes, read back at start and appended to as each change is decided. A last
 * line cut short by a crash is dropped (and cut off the file, so the next line starts clean); any other bad line stops
 * the start with its line number. One sandbox per file at a time.
 */
import { closeSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { Change } from './store.js';
import { isPlainObject } from './validateWire.js';

export interface StateFile {
  /** What earlier runs changed, oldest first. */
  changes: Change[];
  append(change: Change): void;
  close(): void;
}

function readExisting(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

function isChange(value: unknown, resources: ReadonlySet<string>): value is Change {
  if (!isPlainObject(value) || typeof value.resource !== 'string' || !resources.has(value.resource)) return false;
  if (typeof value.id !== 'string' || !/^\d+$/.test(value.id) || typeof value.at !== 'number') return false;
  if (value.op === 'delete') return true;
  return (value.op === 'create' || value.op === 'update') && isPlainObject(value.body);
}

export function openStateFile(path: string, resources: readonly string[]): StateFile {
  const text = readExisting(path);
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  if (complete.length < text.length) truncateSync(path, Buffer.byteLength(complete));

  const known = new Set(resources);
  const changes = complete
    .split('\n')
    .slice(0, -1)
    .map((line, index) => {
      let change: unknown;
      try {
        change = JSON.parse(line);
      } catch {
        change = undefined;
      }
      if (!isChange(change, known)) {
        throw new ConfigError(`${path}:${index + 1}: not a sandbox state line; delete the file to start the sandbox empty`);
      }
      return change;
    });

  const fd = openSync(path, 'a');
  return {
    changes,
    // Handed to the OS before the answer leaves, so what a client is told was created outlives the process.
    append: (change) => void writeSync(fd, `${JSON.stringify(change)}\n`),
    close: () => closeSync(fd),
  };
}
