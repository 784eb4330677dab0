/** Shared by the map*.test.ts files: compile a mapping and map records with as little ceremony as possible. */
import type { CompileContext, MapResult, MappingSpec } from '../../src/map/mapping.js';
import { compileMapping } from '../../src/map/mapping.js';
import type { SourceRecord } from '../../src/read/source.js';

export function row(fields: Record<string, unknown>, line = 2): SourceRecord {
  return { kind: 'record', line, fields, raw: JSON.stringify(fields) };
}

/** Maps one record; JSON input unless the context says otherwise. */
export async function mapOne(spec: MappingSpec | undefined, fields: Record<string, unknown>, context: Partial<CompileContext> = {}): Promise<MapResult> {
  const mapper = await compileMapping(spec, { format: 'jsonl', baseDir: '.', ...context });
  return mapper.map(row(fields));
}

/** The candidate of a record that must map. */
export function candidateOf(result: MapResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected a mapped record, got ${JSON.stringify(result.problems)}`);
  return result.candidate;
}
