/**
 * From an input file and a mapping to the records to import, shared by the import and `preview`: the input opened
 * and sniffed, the mapper compiled for the resource against its header, a long file's rows grouped, and each record
 * prepared into the body it would be sent as and the key it is logged under (or why it would not be sent).
 */
import { basename, dirname } from 'node:path';
import type { EndpointDescription } from '../endpoints/types.js';
import { groupRows, indexGroups, isGrouped } from '../map/group.js';
import { compileMapping, loadMapping, takeStepKeys, type Mapper, type MappingSpec, type StepKeyAt } from '../map/mapping.js';
import { withStepLogs, type StepLogs } from '../map/lookup.js';
import { keyText } from '../map/path.js';
import { openSource, type Format, type OpenOptions, type RecordSource, type SourceItem } from '../read/source.js';
import type { Problem } from '../validate/problem.js';
import { derivedExternalId } from './identity.js';

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
  /** The resource the records become. */
  endpoint: EndpointDescription;
  /** The mapping file `mapping` names, already loaded (a plan reads each step's lookups first). */
  spec?: MappingSpec;
  /** Inside a plan: the mapping's `{ step }` lookups leave StepKeys, resolved as the steps run. */
  steps?: boolean;
  /** Outside a running plan: the log each `{ step }` lookup reads instead, like a `{ log }` lookup (see withStepLogs). */
  stepLogs?: StepLogs;
  /** The program as the user runs it: the commands a message suggests start with it. */
  program: string;
}

export interface MappedInput {
  source: RecordSource;
  mapper: Mapper;
  /** The records, one pass: the input's rows, or for a long file its groups of rows. */
  records(): Promise<AsyncIterable<SourceItem>>;
}

/** Opens the input for `options`; what it opens is released by the `cleanup` steps, however the run ends. */
export async function openMappedInput(options: InputOptions, cleanup: Array<() => unknown>): Promise<MappedInput> {
  const loaded = options.spec ?? (options.mapping ? await loadMapping(options.mapping) : undefined);
  const spec = loaded && options.stepLogs ? withStepLogs(loaded, options.stepLogs) : loaded;
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
    endpoint: options.endpoint,
    format: source.format,
    header: source.header,
    baseDir: options.mapping ? dirname(options.mapping) : '.', // relative: the working folder
    source: options.file === '-' ? 'stdin' : basename(options.file),
    file: options.file,
    mappingFile: options.mapping,
    steps: options.steps,
    program: options.program,
  });
  const records = async (): Promise<AsyncIterable<SourceItem>> => {
    if (!mapper.group) return source.items();
    // A first pass over a file finds where each group ends, so groups whose rows lie apart still stream. Only a
    // regular file can be read twice: a pipe or FIFO opened again would hang or hand half its rows to each reader.
    let lastLines: Map<string, number> | undefined;
    if (source.regularFile) {
      const index = await openSource(openOptions);
      cleanup.push(() => index.close());
      lastLines = await indexGroups(index.items(), mapper.group.by, options.signal);
    }
    return groupRows(source.items(), mapper.group.by, lastLines);
  };
  return { source, mapper, records };
}

export type Prepared =
  /**
   * `externalId` keys the log: the record's own (sent, or local-only like a talent's), or derived from the body.
   * `stepKeys` (inside a plan, for a mapping with `{ step }` lookups): the parents' legacy keys, standing in the body
   * where their Feishu ids go. `local`: what validation kept beside the body (a phone's dialling code), not sent.
   */
  | { ok: true; body: Record<string, unknown>; local: Record<string, unknown>; externalId: string; stepKeys?: StepKeyAt[] }
  /** `externalId` is the record's own, when the mapping got that far. */
  | { ok: false; problems: Problem[]; externalId?: string };

/**
 * The body a record would be sent as and its log key, or why it would not be sent. A record without a key of its
 * own (where the key is optional) gets one derived from its content, written into the body so the server sees it.
 * A parent's legacy key (a `{ step }` lookup) is validated and derived from as the text it is, so a record's checks
 * and its derived key do not wait for, or depend on, the Feishu id its parent gets.
 */
export async function prepare(item: SourceItem, mapper: Mapper): Promise<Prepared> {
  if (item.kind === 'problem') return { ok: false, problems: [{ field: item.field ?? '(row)', reason: item.reason }] };
  // The key is a top-level field of the body (external_id).
  const key = mapper.endpoint.externalId;
  const mapped = await mapper.map(item);
  const stepKeys = mapped.ok && mapper.stepKeys ? { stepKeys: takeStepKeys(mapped.candidate) } : {};
  const validated = mapped.ok ? mapper.validate(mapped) : mapped;
  if (!validated.ok) {
    const own = keyText(mapped.candidate?.[key]);
    return { ok: false, problems: validated.problems, externalId: own === '' ? undefined : own };
  }
  const { body, local } = validated;
  const own = local[key] ?? body[key];
  if (own !== undefined) return { ok: true, body, local, externalId: String(own), ...stepKeys };
  const externalId = derivedExternalId(body);
  if (!mapper.endpoint.fields[key]?.localOnly) body[key] = externalId;
  return { ok: true, body, local, externalId, ...stepKeys };
}

/** The input rows that make up a record: one, or a long file's whole group. */
export function rawRows(item: SourceItem): { raw: string } | { raw: string }[] {
  return item.kind === 'record' && isGrouped(item) ? item.rows : item;
}
