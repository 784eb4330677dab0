/**
 * A mapping spec compiled into a Mapper: every value spec becomes a closure once, so mapping a record is property
 * reads and a few comparisons (JSONata runs only for `expr`). Names that match no column stop here, before anything
 * is sent.
 */
import { ConfigError } from '../errors.js';
import type { SourceRecord } from '../read/source.js';
import type { Problem } from './assessment.js';
import { compileValue, type CompiledValue, type Scope } from './compileValue.js';
import { defaultMapping } from './defaultLayout.js';
import { compileDimension, type CompiledDimension, type RecordContext } from './dimensions.js';
import { isGrouped } from './group.js';
import { loadLookups } from './lookup.js';
import type { FieldName, MappingSpec } from './mappingSchema.js';
import { refuse, type MappingOutput } from './output.js';
import { Refusal } from './refusal.js';

export interface Mapped {
  ok: true;
  candidate: Record<string, unknown>;
  /** Request field path -> the source column or path it came from, for error messages. */
  sources: Record<string, string>;
}

/** A refused record keeps what could be mapped (its external_id, say), so the log can still name it. */
export type MapResult = Mapped | { ok: false; problems: Problem[]; candidate?: Record<string, unknown> };

export interface Mapper {
  /** How rows become records: undefined for one row = one record; else rows sharing the key form one record. */
  group?: { by: string };
  map(record: SourceRecord): Promise<MapResult>;
}

export interface CompileContext {
  format: 'csv' | 'jsonl';
  /** The CSV header: names are checked against it. */
  header?: string[];
  /** Where relative lookup files are found: the mapping file's folder. */
  baseDir: string;
  /** The input's name, for messages (export.csv). */
  source?: string;
}

const noRows: ReadonlyArray<Record<string, unknown>> = Object.freeze([]);

export async function compileMapping(spec: MappingSpec | undefined, context: CompileContext): Promise<Mapper> {
  if (spec === undefined && context.format === 'jsonl') {
    // JSONL records already are request bodies.
    return { map: async (record) => ({ ok: true, candidate: record.fields, sources: {} }) };
  }
  const mapping = spec ?? defaultMapping(context.header ?? []);
  const { header } = context;
  const source = context.source ?? 'the input';
  const checkColumn = header
    ? (path: string, at: string) => {
        if (!header.includes(path)) throw new ConfigError(`mapping ${at}: no column '${path}' in ${source} (columns: ${header.join(', ')})`);
      }
    : undefined;
  if (mapping.group) checkColumn?.(mapping.group.by, 'group.by');

  const valueContext = {
    format: context.format,
    lookups: await loadLookups(mapping.lookups, context.baseDir),
    checkPath: checkColumn,
    checkRecordPath: checkColumn,
  };
  const fieldNames = Object.keys(mapping.fields ?? {}) as FieldName[];
  const fieldValues = fieldNames.map((name) =>
    compileValue(mapping.fields![name]!, `fields.${name}`, valueContext, name === 'conclusion' ? 'any' : 'text'),
  );
  const dimensions = (mapping.dimensions ?? []).map((dimension, index) =>
    compileDimension(dimension, `dimensions[${index}]`, { ...valueContext, header, source }),
  );
  // $rows and `each: rows` need the rows' fields; otherwise spare every record the array.
  const usesRows = hasExpression(fieldValues, dimensions) || mapping.dimensions?.some((entry) => entry.each === 'rows');

  const map = async (record: SourceRecord): Promise<MapResult> => {
    const rows = isGrouped(record) ? record.rows : [record];
    const scope: Scope = { data: record.fields, record: record.fields, rows: usesRows ? rows.map((row) => row.fields) : noRows };
    const output: MappingOutput = { candidate: {}, sources: {}, problems: [] };
    for (let index = 0; index < fieldValues.length; index++) {
      const value = fieldValues[index]!;
      const name = fieldNames[index]!;
      const result = value.settle(value.async ? await value.read(scope) : value.read(scope));
      if (result === undefined) continue;
      if (result instanceof Refusal) {
        refuse(output, name, result, value.describe(scope));
        continue;
      }
      output.candidate[name] = result;
      const from = value.describe(scope);
      if (from !== undefined) output.sources[name] = from;
    }
    if (dimensions.length > 0) {
      const list: Array<Record<string, unknown>> = [];
      const recordContext: RecordContext = { scope, rows };
      for (const dimension of dimensions) {
        const elements = dimension.each.async ? await dimension.each.elements(recordContext) : dimension.each.elements(recordContext);
        for (const element of elements) {
          const raws: unknown[] = [];
          for (const value of dimension.values) raws.push(value.async ? await value.read(element) : value.read(element));
          dimension.build(raws, element, list, output);
        }
      }
      if (list.length > 0) output.candidate.assessment_dimension_list = list;
    }
    return output.problems.length > 0
      ? { ok: false, problems: output.problems, candidate: output.candidate }
      : { ok: true, candidate: output.candidate, sources: output.sources };
  };
  return { group: mapping.group, map };
}

function hasExpression(fieldValues: CompiledValue[], dimensions: CompiledDimension[]): boolean {
  return fieldValues.some((value) => value.async) || dimensions.some((dimension) => dimension.async || dimension.each.async);
}
