/** `hire-import init FILE`: writes a starting mapping guessed from the file's header or first records. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { draftMapping } from '../map/init.js';
import { openSource } from '../read/source.js';

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
}

/** Records sampled for example values and for the labels a map needs. */
const sampleSize = 200;
/** The published schema, two folders up from this module both in src/commands and in dist/commands. */
const schemaPath = fileURLToPath(new URL('../../schema/mapping.schema.json', import.meta.url));

export async function init(options: InitOptions, io: { stderr(text: string): void }): Promise<{ path: string; fields: number; dimensions: number }> {
  if (options.file === '-' && !options.output) throw new UsageError('init reads stdin only with --output naming the mapping to write');
  const output = options.output ?? join(dirname(options.file), `${basename(options.file, extname(options.file))}.mapping.yaml`);
  if (existsSync(output) && !options.force) throw new UsageError(`${output} already exists; pass --force to overwrite it`);

  const source = await openSource({ path: options.file, format: options.format, encoding: options.encoding, delimiter: options.delimiter, sheet: options.sheet });
  const records: Array<Record<string, unknown>> = [];
  for await (const item of source.items()) {
    if (item.kind === 'record') records.push(item.fields);
    if (records.length === sampleSize) break;
  }
  const mappingDir = dirname(resolve(output));
  const inputName = options.file === '-' ? 'stdin' : basename(options.file);
  const draft = draftMapping({
    format: source.format,
    name: inputName,
    header: source.header,
    records,
    input: {
      ...(source.encoding !== 'utf-8' ? { encoding: source.encoding } : {}),
      ...(source.delimiter !== undefined && source.delimiter !== ',' ? { delimiter: source.delimiter } : {}),
    },
    schemaRef: relative(mappingDir, schemaPath).split('\\').join('/'),
    previewCommand: options.file === '-' ? undefined : `hire-import preview ${options.file} --mapping ${output}`,
  });
  await writeFile(output, draft.text);
  io.stderr(`wrote ${output}: ${draft.fields} field(s), ${draft.dimensions} dimension entr${draft.dimensions === 1 ? 'y' : 'ies'} guessed from ${inputName}\n`);
  return { path: output, fields: draft.fields, dimensions: draft.dimensions };
}
