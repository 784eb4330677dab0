/**
 * Writes rejected records back in the input's own shape (encoding, BOM, line ending, CSV header line), each with
 * the reason it was refused in a last column or field (`hire_import_error`, which the readers skip), so a user can
 * fix them in the same spreadsheet and import that file. On close it records what it wrote (see rejectsWritten.ts).
 * A write the system refuses (a full disk) throws a LogWriteError naming the file, which stops the run like a result
 * log that cannot be written.
 */
import { createHash } from 'node:crypto';
import { closeSync, writeSync } from 'node:fs';
import { LogWriteError, writeFailureReason } from '../errors.js';
import { createOwned, modeNoWiderThan } from '../log/owned.js';
import { encodeText } from './decode.js';
import { csvWithReason, headerWithReason, jsonlWithReason } from './reasonColumn.js';
import { recordWritten } from './rejectsWritten.js';
import type { RecordSource } from './types.js';

export interface RejectsWriter {
  /** One record's raw text, or the raws of the source records that made up one item (each gets the reason). */
  write(item: { raw: string } | { raw: string }[], reason: string): void;
  /** Flushes and closes; resolves to the number of source records written. */
  close(): Promise<number>;
}

/** Buffered text is written out once it reaches this many characters, keeping memory flat. */
const FLUSH_CHARACTERS = 64 * 1024;

/** The file is created on the first write, so a run without rejects leaves none behind. */
export function createRejectsWriter(source: RecordSource, path: string): RejectsWriter {
  let fd: number | undefined;
  let pending = '';
  let written = 0;
  let closed = false;
  const hash = createHash('sha256');
  let size = 0;
  const delimiter = source.delimiter ?? ',';
  const columns = source.header?.length ?? 0;
  const withReason = source.format === 'csv' ? (raw: string, reason: string) => csvWithReason(raw, delimiter, columns, reason) : jsonlWithReason;

  const refused = (error: unknown) => new LogWriteError(`cannot write the rejects file ${path}: ${writeFailureReason(error)}`);
  const flush = (): void => {
    if (fd === undefined || pending === '') return;
    const text = pending;
    pending = ''; // not again: what did not fit is lost from the file, and the result log names those records
    try {
      // writeSync may write only part (a disk filling up): write the rest, or throw what stopped it.
      const bytes = encodeText(text, source.encoding);
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
      hash.update(bytes);
      size += bytes.length;
    } catch (error) {
      throw refused(error);
    }
  };

  return {
    write(item, reason) {
      const records = Array.isArray(item) ? item : [item];
      if (closed) throw new Error(`${path}: rejects written after close`);
      if (records.length === 0) return;
      if (fd === undefined) {
        try {
          // claimRejectsPath left nothing there: anything there now was planted since, and is not written through.
          fd = createOwned(path, modeNoWiderThan(source.mode));
        } catch (error) {
          throw refused(error);
        }
        if (source.bom) pending += '\uFEFF';
        if (source.headerRaw !== undefined) pending += headerWithReason(source.headerRaw, delimiter) + source.newline;
      }
      for (const { raw } of records) pending += withReason(raw, reason) + source.newline;
      written += records.length;
      if (pending.length >= FLUSH_CHARACTERS) flush();
    },
    async close() {
      closed = true;
      if (fd !== undefined) {
        flush();
        closeSync(fd);
        fd = undefined;
        recordWritten(path, { size, sha256: hash.digest('hex') });
      }
      return written;
    },
  };
}
