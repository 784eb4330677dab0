/**
 * `hire-import status [LOG]`: what a result log says now, also while an import is appending to it: the lines
 * written so far are read, and a last line still being written is left out. The total for the share and the ETA
 * comes from the input the log names, counted the way the import counts it; when that cannot be known (stdin, a
 * pipe or FIFO, a moved file, a workbook, an encoding that cannot be counted by its bytes, a long file grouped by its
 * mapping), there is none.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InputError, UsageError } from '../errors.js';
import { stateFolder } from '../log/target.js';
import { loadMapping } from '../map/loadMapping.js';
import { openSource } from '../read/source.js';
import { estimateRecords } from '../report/estimate.js';
import { LogFold, type StatusSummary } from '../report/status.js';

export interface StatusOptions {
  /** The result log; default: the one `*.results.jsonl` in the current folder. */
  log?: string;
  /** The mapping the import used: says whether the input is a grouped long file, and how to read it. */
  mapping?: string;
}

export interface StatusIO {
  cwd: string;
  /** The wall clock: the recent rate is measured back from now. */
  now: () => Date;
  signal?: AbortSignal;
}

export async function status(options: StatusOptions, io: StatusIO): Promise<StatusSummary> {
  const log = options.log ?? onlyLogIn(io.cwd);
  const logPath = resolve(io.cwd, log);
  if (!existsSync(logPath)) throw new UsageError(`${log}: no such result log`);
  const fold = new LogFold(io.now());
  await readLines(logPath, (text, complete) => fold.line(text, complete));
  return fold.summary(log, await inputTotal(fold.mainInput(), logPath, options.mapping, io));
}

/** The one result log here or in the state folder's targets (hire-import-state/TARGET/RESOURCE.results.jsonl). */
function onlyLogIn(folder: string): string {
  const state = join(folder, stateFolder);
  const targets = existsSync(state) ? readdirSync(state).map((target) => join(stateFolder, target)).filter((target) => statSync(join(folder, target)).isDirectory()) : [];
  const logs = ['.', ...targets].flatMap((dir) => readdirSync(join(folder, dir)).filter((name) => name.endsWith('.results.jsonl')).map((name) => join(dir, name)));
  if (logs.length === 1) return logs[0]!;
  if (logs.length === 0) throw new UsageError(`no result log (*.results.jsonl) in ${folder} or ${stateFolder}/*/; name one: hire-import status LOG`);
  throw new UsageError(`${logs.length} result logs here (${logs.join(', ')}); name one: hire-import status LOG`);
}

/** Each line of the file as it is now; the last one flagged incomplete when no newline ends it yet. */
async function readLines(path: string, onLine: (text: string, complete: boolean) => void): Promise<void> {
  const file = await open(path);
  const { size } = await file.stat();
  if (size === 0) return file.close();
  const last = Buffer.alloc(1);
  await file.read(last, 0, 1, size - 1);
  // Up to the size seen now: what an import appends meanwhile is for the next status.
  const lines = createInterface({ input: file.createReadStream({ start: 0, end: size - 1 }), crlfDelay: Infinity });
  let previous: string | undefined;
  for await (const text of lines) {
    if (previous !== undefined) onLine(previous, true);
    previous = text;
  }
  if (previous !== undefined) onLine(previous, last[0] === 0x0a);
}

type Total = { records: number } | { unknown: string };

async function inputTotal(file: string | undefined, logPath: string, mapping: string | undefined, io: StatusIO): Promise<Total> {
  if (file === undefined) return { unknown: 'the log names no input yet' };
  if (file === '-') return { unknown: 'the input was stdin' };
  // As named on the import's command line: from here, or (run from elsewhere) beside the log, its default place.
  const path = [resolve(io.cwd, file), join(dirname(logPath), basename(file))].find((candidate) => existsSync(candidate));
  if (!path) return { unknown: `${file} is neither here nor beside the log` };
  // A pipe or a FIFO gives its rows once, to the import: opening it here would wait for a writer.
  if (!statSync(path).isFile()) return { unknown: `${file} is not a regular file (a pipe or a FIFO), which is read once` };
  const spec = mapping ? await loadMapping(resolve(io.cwd, mapping)) : undefined;
  if (spec?.group) return { unknown: `${file} is a long file grouped by ${mapping}: its rows are not its records` };
  try {
    const source = await openSource({ path, format: spec?.input?.format, encoding: spec?.input?.encoding, delimiter: spec?.input?.delimiter });
    await source.close();
    if (source.sheet !== undefined) return { unknown: `${file} is a workbook, whose rows are not counted ahead` };
    const records = await estimateRecords(path, source.encoding, source.format, io.signal);
    return records === undefined ? { unknown: `${file} is ${source.encoding}, which is not counted by its bytes` } : { records };
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) return { unknown: error.message };
    throw error;
  }
}
