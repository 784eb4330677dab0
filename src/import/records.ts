/**
 * From an input file and a mapping to the records to import, shared by `assessments` and `preview`: the input
 * opened and sniffed, the mapper compiled against its header, a long file's rows grouped, and each record prepared
 * into the body it would be sent as (or why it would not be).
 */
import { basename, dirname } from 'node:path';
import type { AssessmentBody, Problem } from '../map/assessment.js';
import { groupRows, indexGroups } from '../map/group.js';
import { compileMapping, loadMapping, validateMapped, type Mapper } from '../map/mapping.js';
import { openSource, type Format, type OpenOptions, type RecordSource, type SourceItem } from '../read/source.js';
import { withExternalId } from './identity.js';

export interface InputOptions {
  /** A path, or '-' for stdin. */
  file: string;
  mapping?: string;
  format?: Format;
  encoding?: string;
  delimiter?: string;
  /** .xlsx: the worksheet to read. */
  sheet?: string;
  stdin?: NodeJS.ReadableStream;
  /** Ctrl-C: cuts the grouping pre-pass short (the import then stops before reading). */
  signal?: AbortSignal;
}

export interface MappedInput {
  source: RecordSource;
  mapper: Mapper;
  /** The records, one pass: the input's rows, or for a long file its groups of rows. */
  records(): Promise<AsyncIterable<SourceItem>>;
}

/** Opens the input for `options`; what it opens is released by the `cleanup` steps, however the run ends. */
export async function openMappedInput(options: InputOptions, cleanup: Array<() => unknown>): Promise<MappedInput> {
  const spec = options.mapping ? await loadMapping(options.mapping) : undefined;
  // The mapping's input section holds defaults; flags win.
  const openOptions: OpenOptions = {
    path: options.file,
    format: options.format ?? spec?.input?.format,
    encoding: options.encoding ?? spec?.input?.encoding,
    delimiter: options.delimiter ?? spec?.input?.delimiter,
    sheet: options.sheet,
    stdin: options.stdin,
  };
  const source = await openSource(openOptions);
  cleanup.push(() => source.close());
  const mapper = await compileMapping(spec, {
    format: source.format,
    header: source.header,
    baseDir: options.mapping ? dirname(options.mapping) : process.cwd(),
    source: options.file === '-' ? 'stdin' : basename(options.file),
  });
  const records = async (): Promise<AsyncIterable<SourceItem>> => {
    if (!mapper.group) return source.items();
    // A first pass over a file finds where each group ends, so groups whose rows lie apart still stream.
    let lastLines: Map<string, number> | undefined;
    if (options.file !== '-') {
      const index = await openSource(openOptions);
      cleanup.push(() => index.close());
      lastLines = await indexGroups(index.items(), mapper.group.by, options.signal);
    }
    return groupRows(source.items(), mapper.group.by, lastLines);
  };
  return { source, mapper, records };
}

export type Prepared =
  | { ok: true; body: AssessmentBody & { external_id: string } }
  /** `externalId` is the record's own, when the mapping got that far. */
  | { ok: false; problems: Problem[]; externalId?: string };

/** The body a record would be sent as (with its external_id, derived if it has none), or why it would not be. */
export async function prepare(item: SourceItem, mapper: Mapper): Promise<Prepared> {
  if (item.kind === 'problem') return { ok: false, problems: [{ field: item.field ?? '(row)', reason: item.reason }] };
  const mapped = await mapper.map(item);
  const validated = mapped.ok ? validateMapped(mapped) : mapped;
  if (validated.ok) return { ok: true, body: withExternalId(validated.body) };
  const externalId = mapped.candidate?.external_id;
  return { ok: false, problems: validated.problems, externalId: typeof externalId === 'string' ? externalId : undefined };
}
