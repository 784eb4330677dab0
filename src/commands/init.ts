/** `hire-import init FILE [--resource R]`: writes a starting mapping for R guessed from the file's header or first records. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { EndpointDescription } from '../endpoints/types.js';
import { UsageError } from '../errors.js';
import { endpointFor, endpoints, resourceNames } from '../endpoints/registry.js';
import { guessResource, scoreText } from '../map/guessResource.js';
import { draftMapping, sampleColumns } from '../map/init.js';
import { guessTimezone } from '../map/initTimezone.js';
import { isZone } from '../validate/dates.js';
import { openSource } from '../read/source.js';
import { commandLine } from '../report/commandLine.js';
import { plural } from '../report/format.js';
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
  /** The resource the mapping is for; left out, it is guessed from the columns (guessResource). */
  endpoint?: EndpointDescription;
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

export interface InitIO {
  stderr(text: string): void;
  stdin?: NodeJS.ReadableStream;
  /** The environment handed to the program: its TZ is the machine's zone for `input.timezone`. */
  env?: NodeJS.ProcessEnv;
  /** The program as the user runs it (programName), to start the commands printed for them. */
  program: string;
  /** Asks on the terminal which resource the export is, when its columns do not say; absent without a terminal. */
  ask?: (question: string) => Promise<string>;
}

export async function init(options: InitOptions, io: InitIO): Promise<{ path: string; fields: number; dimensions: number }> {
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
  const endpoint = options.endpoint ?? (await chooseResource(sampleColumns({ format: source.format, header: source.header, records }), options, io));
  const { resource } = endpoint;
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
    previewCommand: options.file === '-' ? undefined : commandLine(io.program, ['preview', options.file, '--resource', resource, '--mapping', output]),
  }, endpoint);
  await writeFile(output, draft.text);
  io.stderr(`wrote ${output}: ${resource}, ${plural(draft.fields, 'field')}, ${plural(draft.dimensions, 'dimension entry', 'dimension entries')} guessed from ${inputName}\n`);
  return { path: output, fields: draft.fields, dimensions: draft.dimensions };
}

/**
 * The resource an export is, from its columns: said when they point to one, asked on a terminal when they do not,
 * else refused with the candidates and the command that says which.
 */
async function chooseResource(columns: readonly string[], options: InitOptions, io: InitIO): Promise<EndpointDescription> {
  const name = options.file === '-' ? 'stdin' : options.file;
  const guess = guessResource(columns, endpoints);
  if (guess.kind === 'chosen') {
    io.stderr(`${name} looks like ${guess.chosen.endpoint.resource}: its columns ${guess.chosen.columns.join(', ')} are theirs (--resource chooses another)\n`);
    return guess.chosen.endpoint;
  }
  const could = guess.candidates.length > 0 ? `; it could be ${guess.candidates.map(scoreText).join(' or ')}` : '';
  if (io.ask) {
    const answer = (await io.ask(`Which resource is ${name}${could}? One of ${resourceNames.join(', ')}: `)).trim();
    const endpoint = endpointFor(answer);
    if (endpoint) return endpoint;
    throw new UsageError(`${answer === '' ? 'nothing was typed' : `'${answer}' is not a resource`}: no mapping was written`);
  }
  const example = guess.candidates[0]?.endpoint.resource ?? resourceNames[0]!;
  const again = commandLine(io.program, ['init', options.file, ...(options.output ? ['--output', options.output] : []), '--resource', example]);
  throw new UsageError(`cannot tell from its columns which resource ${name} is${could}: say which with --resource (${resourceNames.join(', ')}), e.g. ${again}`);
}
