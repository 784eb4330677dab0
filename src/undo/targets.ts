/**
 * What an undo deletes, and in which order, from what result logs say this tool created. Pure: it reads no file.
 * Guarantees:
 * - only records a log counts as created by this tool (created or updated, not deleted since) are deleted; records
 *   it found rather than made (`matched` talents) existed before and are never touched;
 * - children go before parents: resources are deleted by level, the deepest in the API's parent chain first (the
 *   endpoint descriptions' `parent`), so the order holds however the import steps were chained (`{ step }` or
 *   `{ log }` lookups); the resources of one level have no parent among each other and are deleted at once;
 * - a resource the API cannot delete (no `delete` in its description) is either carried away by its parent (read
 *   back inside it, as assessments are inside their interview: logged as deleted once every parent in these logs
 *   is deleted) or left, with the reason.
 */
import { endpointFor } from '../endpoints/registry.js';
import type { EndpointDescription } from '../endpoints/types.js';

/** What a log says was created: external_id -> the Feishu id, and `matched` when it was found rather than made. */
export type CreatedRecords = Iterable<[string, { id: string; matched?: true }]>;

/** One result log and what it says was created. */
export interface UndoSource {
  resource: string;
  log: string;
  created: CreatedRecords;
}

export interface UndoRecord {
  /** The result log its create was written to, where its deletion is written too. */
  log: string;
  externalId: string;
  /** The Feishu id. */
  id: string;
}

export interface ResourceTargets {
  endpoint: EndpointDescription;
  records: UndoRecord[];
}

/** Records with no delete of their own that go with their parent's. */
export interface CarriedTargets {
  endpoint: EndpointDescription;
  /** The resource whose deletion takes them along. */
  parent: string;
  records: UndoRecord[];
}

/** Records an undo leaves on the server, and why. */
export interface LeftRecords {
  resource: string;
  count: number;
  reason: string;
}

export interface UndoTargets {
  /** Children first; the resources of one level are deleted at once, each at its delete API's own limit. */
  levels: ResourceTargets[][];
  carried: CarriedTargets[];
  left: LeftRecords[];
  /** Records found rather than made by this tool, by resource: they existed before, so they stay. */
  matched: Map<string, number>;
}

export function undoTargets(sources: readonly UndoSource[]): UndoTargets {
  const byResource = new Map<string, { endpoint: EndpointDescription; records: UndoRecord[]; matched: number }>();
  for (const source of sources) {
    const endpoint = endpointFor(source.resource);
    if (!endpoint) throw new Error(`no endpoint description for ${source.resource}`);
    let group = byResource.get(source.resource);
    if (!group) byResource.set(source.resource, (group = { endpoint, records: [], matched: 0 }));
    for (const [externalId, record] of source.created) {
      if (record.matched) group.matched++;
      else group.records.push({ log: source.log, externalId, id: record.id });
    }
  }

  const deletable = [...byResource.values()].filter((group) => group.endpoint.delete);
  const depths = [...new Set(deletable.map((group) => depthOf(group.endpoint)))].sort((a, b) => b - a);
  const levels = depths.map((depth) =>
    deletable.filter((group) => depthOf(group.endpoint) === depth).map(({ endpoint, records }) => ({ endpoint, records })),
  );

  const carried: CarriedTargets[] = [];
  const left: LeftRecords[] = [];
  for (const { endpoint, records } of byResource.values()) {
    if (endpoint.delete || records.length === 0) continue;
    const parent = carrierOf(endpoint);
    if (parent && deletable.some((group) => group.endpoint.resource === parent.resource)) {
      carried.push({ endpoint, parent: parent.resource, records });
    } else {
      left.push({ resource: endpoint.resource, count: records.length, reason: leftReason(endpoint, parent) });
    }
  }
  const matched = new Map([...byResource].filter(([, group]) => group.matched > 0).map(([resource, group]) => [resource, group.matched]));
  return { levels, carried, left, matched };
}

/** How far down the API's parent chain a resource sits: talents 0, applications 1, interviews 2, assessments 3. */
function depthOf(endpoint: EndpointDescription): number {
  let depth = 0;
  for (let at = endpoint.parent && endpointFor(endpoint.parent.resource); at; at = at.parent && endpointFor(at.parent.resource)) depth++;
  return depth;
}

/** The parent whose deletion takes this resource's records along: the one they are read back inside. */
export function carrierOf(endpoint: EndpointDescription): EndpointDescription | undefined {
  if (endpoint.readBack?.kind !== 'insideParent' || !endpoint.parent) return undefined;
  const parent = endpointFor(endpoint.parent.resource);
  return parent?.delete ? parent : undefined;
}

function leftReason(endpoint: EndpointDescription, parent: EndpointDescription | undefined): string {
  if (!parent) return `the API has no delete for ${endpoint.title}s`;
  return (
    `the API has no delete for ${endpoint.title}s: they go with their ${parent.title}; undo them with a plan that has ` +
    `the ${parent.resource} step too, which logs them as deleted once the ${parent.resource} are`
  );
}

/** How many records each resource has to go, in the order they go: each resource, then what goes with it. */
export function deleteCounts(targets: UndoTargets): Array<{ resource: string; count: number; carriedBy?: string }> {
  return targets.levels.flat().flatMap(({ endpoint, records }) => [
    { resource: endpoint.resource, count: records.length },
    ...targets.carried
      .filter((carried) => carried.parent === endpoint.resource)
      .map((carried) => ({ resource: carried.endpoint.resource, count: carried.records.length, carriedBy: carried.parent })),
  ]);
}
