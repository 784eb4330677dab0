/**
 * `preview PLAN --step S`: what one step of a plan would send, its `{ step }` lookups answered as the plan would
 * answer them. Guarantees: each parent key is looked up in the parent step's result log (where `migrate` keeps it),
 * else in a dry run of the parent step's input, where a valid record whose own parents are there too (the same
 * way, up the chain) stands in as `(dry run: KEY)`, the id it would get; a key in neither is said to be missing,
 * naming the parent step. Reads only: nothing is written or sent.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { endpointFor } from '../endpoints/registry.js';
import type { EndpointDescription } from '../endpoints/types.js';
import { UsageError } from '../errors.js';
import { openMappedInput, prepare } from '../import/records.js';
import { readResultLog } from '../log/resultLog.js';
import { loadMapping, type MappingSpec } from '../map/mapping.js';
import { suggestion } from '../validate/suggest.js';
import { stepLookups } from './order.js';
import { loadPlan, type DefaultLog, type PlanStep } from './planFile.js';

export interface PreviewedStep {
  step: PlanStep;
  endpoint: EndpointDescription;
  spec: MappingSpec;
  /** By lookup name: the parent step's name, and its legacy keys -> Feishu ids (or dry-run stand-ins). */
  parents: ReadonlyMap<string, { step: string; ids: ReadonlyMap<string, string> }>;
}

/** The stand-in a parent that would be created gives its children, as a plan's dry run does. */
export function dryRunId(key: string): string {
  return `(dry run: ${key})`;
}

export async function previewedStep(planPath: string, stepName: string | undefined, defaultLog: DefaultLog, program: string, signal?: AbortSignal): Promise<PreviewedStep> {
  const plan = await loadPlan(planPath, defaultLog);
  const names = plan.steps.map((step) => step.name);
  if (stepName === undefined) throw new UsageError(`${basename(plan.file)} is a plan: name the step to preview with --step (one of ${names.join(', ')})`);
  const step = plan.steps.find((candidate) => candidate.name === stepName);
  if (!step) throw new UsageError(`--step ${stepName}: ${basename(plan.file)} has no such step${suggestion(stepName, names, 'steps')}`);
  const known = new Map<string, Promise<ReadonlyMap<string, string>>>();
  const visiting = new Set<string>();
  /** The lookups of a step's mapping, each with its parent step's ids (found once per step, up the chain). */
  const parentsOf = async (of: PlanStep, spec: MappingSpec) => {
    const parents = new Map<string, { step: string; ids: ReadonlyMap<string, string> }>();
    for (const [lookup, parentName] of Object.entries(stepLookups(spec))) {
      const parent = plan.steps.find((candidate) => candidate.name === parentName);
      if (!parent) throw new UsageError(`${basename(of.mapping)} lookups.${lookup}: no step '${parentName}' in ${basename(plan.file)}${suggestion(parentName, names, 'steps')}`);
      // A cycle (which migrate refuses) gives the step that closes it no ids rather than no end.
      if (visiting.has(parentName)) {
        parents.set(lookup, { step: parentName, ids: new Map() });
        continue;
      }
      if (!known.has(parentName)) {
        visiting.add(parentName);
        known.set(parentName, stepIds(parent, parentsOf, program, signal).finally(() => visiting.delete(parentName)));
      }
      parents.set(lookup, { step: parentName, ids: await known.get(parentName)! });
    }
    return parents;
  };
  const spec = await loadMapping(step.mapping);
  return { step, endpoint: endpointFor(step.resource)!, spec, parents: await parentsOf(step, spec) };
}

type ParentsOf = (step: PlanStep, spec: MappingSpec) => Promise<PreviewedStep['parents']>;

/** What a step's log says it created or found, then what a dry run of its input would create besides. */
async function stepIds(parent: PlanStep, parentsOf: ParentsOf, program: string, signal?: AbortSignal): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (existsSync(parent.log)) {
    const history = await readResultLog(parent.log, { keep: { ids: true, hashes: false } });
    for (const [key, { id }] of history.known.createdRecords()) ids.set(key, id);
  }
  const cleanup: Array<() => unknown> = [];
  try {
    const spec = await loadMapping(parent.mapping);
    const grandparents = await parentsOf(parent, spec);
    const input = { file: parent.input, mapping: parent.mapping, spec, endpoint: endpointFor(parent.resource)!, steps: true, signal, program };
    const { mapper, records } = await openMappedInput(input, cleanup);
    for await (const item of await records()) {
      if (signal?.aborted) break;
      const prepared = await prepare(item, mapper);
      // A record whose own parent would not be there is blocked, not created.
      const unblocked = prepared.ok && (prepared.stepKeys ?? []).every((key) => grandparents.get(key.lookup)?.ids.has(key.key));
      if (prepared.ok && unblocked && !ids.has(prepared.externalId)) ids.set(prepared.externalId, dryRunId(prepared.externalId));
    }
  } finally {
    for (const release of cleanup.reverse()) await release();
  }
  return ids;
}
