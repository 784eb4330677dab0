/** `hire-import init FILE [--resource R]`: writes a starting mapping for R guessed from the file's header or first records. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { EndpointDescription } from '../endpoints/types.js';
import { UsageError } from '../errors.js';
import { draftMapping } from '../map/init.js';
import { guessTimezone } from '../map/initTimezone.js';
import { isZone } from '../validate/dates.js';
import { openSource } from '../read/source.js';
import { version } from '../version.js';

export interface InitOptions {
  file: string;
  format?: 'csv' | 'jsonl';
  encoding?: string;
  delimiter?: string;
  /** .xlsx: the worksheet to read. */
  sheet?: string;
  /** Default: next to the input, <name>.mapping.yaml. */
  output?: string;
  force?: boolean;
  /** The resource the mapping is for. */
  endpoint: EndpointDescription;
}

/** Records sampled for example values and for the labels a map needs. */
const sampleSize = 200;
/**
 * The schema as published with this version (package.json is two folders up both from src/commands and from
 * dist/commands): it resolves on any machine and still matches the mapping after an upgrade.
 */
const schemaUrl = `https://unpkg.com/hire-import@${version}/schema/mapping.schema.json`;

/** The machine's zone: TZ when it names one (as it does for the process), else the system's. */
function machineZone(env: NodeJS.ProcessEnv | undefined): string {
  const named = env?.TZ?.replace(/^:/, '');
  return named && isZone(named) ? named : Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export async function init(
  options: InitOptions,
  io: { stderr(text: string): void; stdin?: NodeJS.ReadableStream; env?: NodeJS.ProcessEnv },
): Promise<{ path: string; fields: number; dimensions: number }> {
  if (options.file === '-' && !options.output) throw new UsageError('init reads stdin only with --output naming the mapping to write');
  const output = options.output ?? join(dirname(options.file), `${basename(options.file, extname(options.file))}.mapping.yaml`);
  if (existsSync(output) && !options.force) throw new UsageError(`${output} already exists; pass --force to overwrite it`);

  const source = await openSource({ path: options.file, format: options.format, encoding: options.encoding, delimiter: options.delimiter, sheet: options.sheet, stdin: io.stdin });
  const records: Array<Record<string, unknown>> = [];
  for await (const item of source.items()) {
    if (item.kind === 'record') records.push(item.fields);
    if (records.length === sampleSize) break;
  }
  const inputName = options.file === '-' ? 'stdin' : basename(options.file);
  const { resource } = options.endpoint;
  const draft = draftMapping({
    format: source.format,
    name: inputName,
    header: source.header,
    records,
    input: {
      ...(source.encoding !== 'utf-8' ? { encoding: source.encoding } : {}),
      ...(source.delimiter !== undefined && source.delimiter !== ',' ? { delimiter: source.delimiter } : {}),
    },
    timezone: guessTimezone(records.flatMap((record) => Object.values(record)), machineZone(io.env)),
    schemaRef: schemaUrl,
    previewCommand: options.file === '-' ? undefined : `hire-import preview ${options.file} --resource ${resource} --mapping ${output}`,
  }, options.endpoint);
  await writeFile(output, draft.text);
  io.stderr(`wrote ${output}: ${resource}, ${draft.fields} field(s), ${draft.dimensions} dimension entr${draft.dimensions === 1 ? 'y' : 'ies'} guessed from ${inputName}\n`);
  return { path: output, fields: draft.fields, dimensions: draft.dimensions };
}
