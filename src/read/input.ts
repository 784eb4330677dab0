/**
 * Opens the raw bytes of a file or stdin and takes a sample of the start, without losing it for the full read. Says
 * whether the input is a regular file: only one can be opened again (a pipe, a FIFO or stdin gives its bytes once).
 */
import { createReadStream, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { fileErrorText } from './fileError.js';

/** How much of the start is sniffed for encoding, binary content, delimiter and header. */
export const SAMPLE_BYTES = 64 * 1024;

export interface ByteInput {
  /** The first SAMPLE_BYTES bytes (fewer if the input is shorter). */
  sample: Buffer;
  /** A regular file, which a pre-pass may open and read again; false for stdin, a pipe, a FIFO or a device. */
  regularFile: boolean;
  /** The file's permission bits; undefined for stdin (files made from its records are then private). */
  mode?: number;
  /** The whole input from its first byte, sample included. Single pass. */
  chunks(): AsyncIterable<Buffer>;
  /** Releases the input when chunks() will never be read. */
  close(): Promise<void>;
}

/** `name` is how messages refer to the input ('stdin' for '-'). */
export async function openInput(path: string, stdin: NodeJS.ReadableStream, name: string): Promise<ByteInput> {
  const stats = path === '-' ? undefined : await checkReadable(path, name);
  const regularFile = stats?.isFile() ?? false;
  const stream = path === '-' ? stdin : createReadStream(path);
  const iterator = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLength = 0;
  try {
    while (headLength < SAMPLE_BYTES) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = toBuffer(next.value);
      head.push(chunk);
      headLength += chunk.length;
    }
  } catch (error) {
    throw new InputError(`${name}: cannot be read (${fileErrorText(error)})`);
  }
  const sample = Buffer.concat(head, headLength).subarray(0, SAMPLE_BYTES);

  let started = false;
  return {
    sample,
    regularFile,
    mode: stats && stats.mode & 0o777,
    async *chunks() {
      if (started) throw new Error('the input can only be read once');
      started = true;
      try {
        yield* head.splice(0);
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          yield toBuffer(next.value);
        }
      } finally {
        await iterator.return?.();
      }
    },
    async close() {
      await iterator.return?.();
    },
  };
}

/** The path's stats; InputError when it is a directory or cannot be opened. */
async function checkReadable(path: string, name: string): Promise<Stats> {
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) throw new InputError(`${name}: is a directory, not a CSV or JSONL file`);
    return stats;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${name}: cannot be read (${fileErrorText(error)})`);
  }
}

/**
 * Whether two paths name one file: the same device and inode when both exist (whatever symlinks, hard links or
 * `..` lead there), else the same absolute path.
 */
export function sameFile(a: string, b: string): boolean {
  const first = statSync(a, { throwIfNoEntry: false });
  const second = statSync(b, { throwIfNoEntry: false });
  if (first && second) return first.dev === second.dev && first.ino === second.ino;
  return resolve(a) === resolve(b);
}

function toBuffer(chunk: string | Buffer): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}
