/** Shared by the map*.test.ts files: compile a mapping and map records with as little ceremony as possible. */
import { assessments } from '../../src/endpoints/assessments.js';
import type { CompileContext, MapResult, MappingSpec } from '../../src/map/mapping.js';
import { compileMapping } from '../../src/map/mapping.js';
import type { SourceRecord } from '../../src/read/source.js';
import type { Validated } from '../../src/validate/validate.js';

export function row(fields: Record<string, unknown>, line = 2): SourceRecord {
  return { kind: 'record', line, fields, raw: JSON.stringify(fields) };
}

/** Compiles for assessments from JSON input unless the context says otherwise. */
export function compile(spec: MappingSpec | undefined, context: Partial<CompileContext> = {}) {
  return compileMapping(spec, { endpoint: assessments, format: 'jsonl', baseDir: '.', program: 'hire-import', ...context });
}

/** Maps one record. */
export async function mapOne(spec: MappingSpec | undefined, fields: Record<string, unknown>, context: Partial<CompileContext> = {}): Promise<MapResult> {
  return (await compile(spec, context)).map(row(fields));
}

/** Maps and validates one record: the wire body, or the problems of mapping or validation. */
export async function checkOne(spec: MappingSpec | undefined, fields: Record<string, unknown>, context: Partial<CompileContext> = {}): Promise<Validated> {
  const mapper = await compile(spec, context);
  const mapped = await mapper.map(row(fields));
  return mapped.ok ? mapper.validate(mapped) : mapped;
}

/** The candidate of a record that must map. */
export function candidateOf(result: MapResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected a mapped record, got ${JSON.stringify(result.problems)}`);
  return result.candidate;
}

/** The wire body of a record that must map and validate. */
export function bodyOf(result: Validated): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected a valid record, got ${JSON.stringify(result.problems)}`);
  return result.body;
}
