/**
 * The order of a plan's steps comes from their mappings' `{ step: NAME }` lookups, not from the list: a step depends
 * on every step it looks up. Guarantees: every lookup names a step of the plan and the dependencies have no cycle;
 * otherwise a ConfigError (exit 2), raised before any input is read or anything is sent, that names the plan file,
 * the step, its mapping and the lookup, or the cycle (a -> b -> a). Pure: it reads no file.
 */
import { basename } from 'node:path';
import { resourceNames } from '../endpoints/registry.js';
import { ConfigError } from '../errors.js';
import type { MappingSpec } from '../map/mappingSchema.js';
import { suggestion } from '../validate/suggest.js';
import { stepLabel, type Plan, type PlanStep } from './planFile.js';

/** A mapping's `{ step }` lookups: lookup name -> the step it reads. */
export type StepLookups = Readonly<Record<string, string>>;

export interface PlanOrder {
  /** Steps by level: every parent of a step is in an earlier level; within a level, the plan file's order. */
  levels: string[][];
  /** Step name -> the steps it looks up (its parents), in the plan file's order; [] for none. */
  parents: ReadonlyMap<string, readonly string[]>;
}

/** The `{ step }` lookups of a mapping (its `{ file }` and `{ log }` lookups are not about the plan). */
export function stepLookups(spec: Pick<MappingSpec, 'lookups'>): StepLookups {
  const found: Record<string, string> = {};
  for (const [name, lookup] of Object.entries(spec.lookups ?? {})) if ('step' in lookup) found[name] = lookup.step;
  return found;
}

type OrderedStep = Pick<PlanStep, 'index' | 'name' | 'resource' | 'mapping'>;

/** `lookups` has each step's `{ step }` lookups, by step name (a step without any may be left out). */
export function planOrder(plan: { file: string; steps: readonly OrderedStep[] }, lookups: ReadonlyMap<string, StepLookups>): PlanOrder {
  const names = plan.steps.map((step) => step.name);
  const problems: string[] = [];
  const parents = new Map<string, string[]>();
  for (const step of plan.steps) {
    const targets = new Set<string>();
    for (const [lookup, target] of Object.entries(lookups.get(step.name) ?? {})) {
      if (names.includes(target)) targets.add(target);
      else problems.push(`${stepLabel(step)}: ${basename(step.mapping)} lookups.${lookup}: ${notAStep(target, plan.steps)}`);
    }
    parents.set(step.name, names.filter((name) => targets.has(name)));
  }
  if (problems.length > 0) throw planError(plan, problems);

  const levels: string[][] = [];
  const placed = new Set<string>();
  let waiting = [...names];
  while (waiting.length > 0) {
    const level = waiting.filter((name) => parents.get(name)!.every((parent) => placed.has(parent)));
    if (level.length === 0) {
      const cycle = findCycle(waiting[0]!, parents, new Set(waiting));
      throw planError(plan, [`the steps' lookups form a cycle: ${cycle.join(' -> ')} (each waits for ids from the next, so none could start)`]);
    }
    levels.push(level);
    for (const name of level) placed.add(name);
    waiting = waiting.filter((name) => !placed.has(name));
  }
  return { levels, parents };
}

/** What is wrong with `{ step: target }`: a typo, or a step this plan does not have. */
function notAStep(target: string, steps: readonly OrderedStep[]): string {
  const named = steps.find((step) => step.resource === target);
  if (named) return `no step '${target}' in this plan (its ${target} step is named '${named.name}')`;
  if (resourceNames.includes(target)) {
    return `no step '${target}' in this plan: add a step for ${target}, or read an earlier import's result log with { log: FILE }`;
  }
  return `no step '${target}' in this plan${suggestion(target, steps.map((step) => step.name), 'known')}`;
}

/**
 * A cycle among steps that could not be placed: each of them has a parent among them (else it would have been
 * placed), so following first parents from any of them comes back to a step already on the path.
 */
function findCycle(start: string, parents: ReadonlyMap<string, readonly string[]>, unplaced: ReadonlySet<string>): string[] {
  const path = [start];
  for (;;) {
    const next = parents.get(path[path.length - 1]!)!.find((parent) => unplaced.has(parent))!;
    const seen = path.indexOf(next);
    if (seen >= 0) return [...path.slice(seen), next];
    path.push(next);
  }
}

function planError(plan: Pick<Plan, 'file'>, problems: string[]): ConfigError {
  return new ConfigError(problems.map((line) => `${basename(plan.file)}: ${line}`).join('\n'));
}
