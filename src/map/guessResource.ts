/**
 * Which resource an export is, from its columns alone: each endpoint description scores the columns named like one of
 * its fields (the field's path, its own name, or one of its hints, as `init` maps them) or like its default layout's
 * list columns (dim1_score). Pure. The best score wins only when it is the one best: a tie is for the user to settle.
 */
import type { EndpointDescription } from '../endpoints/types.js';
import { leafPaths } from './bodyFields.js';
import { layoutEntries, typedList } from './defaultLayout.js';
import { columnGuesses, normalise } from './init.js';

export interface ResourceScore {
  endpoint: EndpointDescription;
  /** The columns that name one of its fields, in the export's order. */
  columns: string[];
}

export type ResourceGuess =
  | { kind: 'chosen'; chosen: ResourceScore }
  /** No one best: the resources tied for it (none when no column names a field of any). */
  | { kind: 'unsure'; candidates: ResourceScore[] };

export function guessResource(columns: readonly string[], endpoints: readonly EndpointDescription[]): ResourceGuess {
  const scores = endpoints
    .map((endpoint) => ({ endpoint, columns: matchingColumns(columns, endpoint) }))
    .filter((score) => score.columns.length > 0)
    .sort((a, b) => b.columns.length - a.columns.length);
  const [best, second] = scores;
  if (best !== undefined && (second === undefined || best.columns.length > second.columns.length)) return { kind: 'chosen', chosen: best };
  return { kind: 'unsure', candidates: scores.filter((score) => score.columns.length === best?.columns.length) };
}

/** The columns that name a field of the endpoint: each field counted once, by its first column. */
function matchingColumns(columns: readonly string[], endpoint: EndpointDescription): string[] {
  const matched = new Set<string>();
  for (const { path, field } of leafPaths(endpoint.fields)) {
    const guesses = columnGuesses(path, field);
    // Named whole, or by its last part (a JSON record's `interviewer.email`), as init's draft finds it.
    const column = columns.find((name) => !matched.has(name) && (guesses.includes(normalise(name)) || guesses.includes(normalise(name.split('.').at(-1)!))));
    if (column !== undefined) matched.add(column);
  }
  const typed = typedList(endpoint);
  if (typed !== undefined) {
    for (const entry of layoutEntries(columns, typed)) {
      for (const spec of Object.values(entry)) if (typeof spec === 'object' && spec !== null && 'from' in spec && spec.from) matched.add(spec.from);
    }
  }
  return columns.filter((column) => matched.has(column));
}

/** `talents (Name, Email, Mobile)`: a candidate and the columns that point to it. */
export function scoreText(score: ResourceScore): string {
  return `${score.endpoint.resource} (${score.columns.join(', ')})`;
}
