/** Opens the raw bytes of a file or stdin and takes a sample of the start, without losing it for the full read. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';

/** How much of the start is sniffed for encoding, binary content, delimiter and header. */
export const SAMPLE_BYTES = 64 * 1024;

export interface ByteInput {
  /** The first SAMPLE_BYTES bytes (fewer if the input is shorter). */
  sample: Buffer;
  /** Size of a regular file; undefined for stdin and pipes. */
  sizeBytes?: number;
  /** Bytes handed out by chunks() so far. */
  bytesRead(): number;
  /** The whole input from its first byte, sample included. Single pass. */
  chunks(): AsyncIterable<Buffer>;
  /** Releases the input when chunks() will never be read. */
  close(): Promise<void>;
}

/** `name` is how messages refer to the input ('stdin' for '-'). */
export async function openInput(path: string, stdin: NodeJS.ReadableStream, name: string): Promise<ByteInput> {
  const sizeBytes = path === '-' ? undefined : await regularFileSize(path, name);
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
    throw new InputError(`${name}: cannot be read (${describe(error)})`);
  }
  const sample = Buffer.concat(head, headLength).subarray(0, SAMPLE_BYTES);

  let bytesRead = 0;
  let started = false;
  return {
    sample,
    sizeBytes,
    bytesRead: () => bytesRead,
    async *chunks() {
      if (started) throw new Error('the input can only be read once');
      started = true;
      try {
        for (const chunk of head.splice(0)) {
          bytesRead += chunk.length;
          yield chunk;
        }
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          const chunk = toBuffer(next.value);
          bytesRead += chunk.length;
          yield chunk;
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

/** Size of a regular file, undefined for a FIFO or device; InputError when it cannot be opened. */
async function regularFileSize(path: string, name: string): Promise<number | undefined> {
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) throw new InputError(`${name}: is a directory, not a CSV or JSONL file`);
    return stats.isFile() ? stats.size : undefined;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${name}: cannot be read (${describe(error)})`);
  }
}

function toBuffer(chunk: string | Buffer): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
