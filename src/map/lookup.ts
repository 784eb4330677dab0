/**
 * Lookup tables a mapping translates values through: a CSV/JSONL table (legacy key -> Feishu id) or an earlier
 * hire-import result log (external_id -> Feishu id), loaded whole before the first record: they are small next to
 * the input, and a missing file must stop the run before anything is sent. A `{ step }` lookup belongs to a plan,
 * which resolves it while the step it names runs (the mapping leaves a StepKey); a single import refuses it.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { readResultLog } from '../log/resultLog.js';
import { openSource } from '../read/source.js';
import type { LookupSpec, MappingSpec } from './mappingSchema.js';
import { compilePath, keyText } from './path.js';

export type Lookup =
  | {
      name: string;
      /** The file it came from, as the mapping names it: for messages. */
      file: string;
      entries: ReadonlyMap<string, string>;
    }
  /** Resolved by the plan as the step runs. */
  | { name: string; step: string };

/** The log a `{ step }` lookup of a mapping reads when no plan is running it: undefined when there is none. */
export type StepLogs = (step: string) => string | undefined;

/**
 * A plan's mapping with its `{ step }` lookups reading logs, like `{ log }` lookups: those steps have run (verify, or
 * a single import of a plan's step with --update-changed), so the mapping needs no rewriting to be used alone.
 */
export function withStepLogs(spec: MappingSpec, logOf: StepLogs): MappingSpec {
  if (!spec.lookups) return spec;
  const lookups = Object.fromEntries(
    Object.entries(spec.lookups).map(([name, lookup]) => {
      const log = 'step' in lookup ? logOf(lookup.step) : undefined;
      return [name, log === undefined ? lookup : { log }];
    }),
  );
  return { ...spec, lookups };
}

/** `steps`: inside a plan, where `{ step }` lookups are resolved as the steps run. */
export async function loadLookups(specs: Record<string, LookupSpec> | undefined, baseDir: string, steps = false): Promise<Map<string, Lookup>> {
  const lookups = new Map<string, Lookup>();
  for (const [name, spec] of Object.entries(specs ?? {})) {
    const at = `mapping lookups.${name}`;
    if ('step' in spec) {
      if (!steps) throw new ConfigError(`${at}: { step: ${spec.step} } works outside a plan (hire-import migrate) only when it names a resource, whose log it reads; use { log: FILE } for a single import`);
      lookups.set(name, { name, step: spec.step });
      continue;
    }
    const file = 'log' in spec ? spec.log : spec.file;
    const path = resolve(baseDir, file);
    if (!existsSync(path)) throw new ConfigError(`${at}: no file ${path}`);
    const entries = 'log' in spec ? await readLogEntries(path) : await readTable(spec, path, at);
    lookups.set(name, { name, file: basename(file), entries });
  }
  return lookups;
}

async function readLogEntries(path: string): Promise<Map<string, string>> {
  const history = await readResultLog(path, { keep: { ids: true, hashes: false } });
  return new Map([...history.known.createdRecords()].map(([externalId, { id }]) => [externalId, id]));
}

async function readTable(spec: Extract<LookupSpec, { file: string }>, path: string, at: string): Promise<Map<string, string>> {
  let source;
  try {
    source = await openSource({ path, encoding: spec.encoding, delimiter: spec.delimiter });
  } catch (error) {
    throw new ConfigError(`${at}: cannot read ${spec.file}: ${(error as Error).message}`);
  }
  for (const column of [spec.key, spec.value]) {
    if (source.header && !source.header.includes(column)) {
      throw new ConfigError(`${at}: no column '${column}' in ${spec.file} (columns: ${source.header.join(', ')})`);
    }
  }
  const readKey = compilePath(spec.key);
  const readValue = compilePath(spec.value);
  const entries = new Map<string, string>();
  for await (const item of source.items()) {
    if (item.kind === 'problem') throw new ConfigError(`${at}: ${spec.file} line ${item.line}: ${item.reason}`);
    const key = keyText(readKey(item.fields));
    const value = keyText(readValue(item.fields));
    if (key === '' || value === '') continue;
    const earlier = entries.get(key);
    if (earlier !== undefined && earlier !== value) {
      throw new ConfigError(`${at}: ${spec.file} line ${item.line}: key '${key}' maps to both '${earlier}' and '${value}'`);
    }
    entries.set(key, value);
  }
  return entries;
}
