/**
 * What holds back an update that replaces the records carried inside its record (an interview PUT overwrites all
 * of its assessments on Feishu, those created on their own too): the children the logs say exist, by the Feishu id
 * of the parent their intent line names. Such an update is refused, never sent, while one of them is logged under
 * the record, so that no child is removed while its log still says created. A child whose log names no parent (a
 * log written before intents had one) holds back every update of its parent's resource: nothing proves it safe.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { carriedInside, endpoints } from '../endpoints/registry.js';
import type { EndpointDescription } from '../endpoints/types.js';
import { readResultLog } from '../log/resultLog.js';
import { plural } from '../report/format.js';
import type { Problem } from '../validate/problem.js';

export interface CarriedHold {
  child: EndpointDescription;
  /** The parent's field that carries the children (interview_assessments). */
  field: string;
  log: string;
  /** How many children the log holds under each parent's Feishu id. */
  byParent: Map<string, number>;
  /** Children the log holds whose parent it does not name. */
  unplaced: number;
}

/**
 * The holds on updates of `endpoint` from the logs that may hold its carried children (a plan's steps of their
 * resource, the target's state): none unless its update replaces them. `logFor(resource)`: the logs to read.
 */
export async function carriedHolds(endpoint: EndpointDescription, logFor: (resource: string) => readonly string[]): Promise<CarriedHold[]> {
  if (!endpoint.update?.replacesCarried) return [];
  const holds: CarriedHold[] = [];
  for (const { child, field } of carriedInside(endpoints, endpoint.resource)) {
    for (const log of new Set(logFor(child.resource).map((path) => resolve(path)))) {
      if (!existsSync(log)) continue;
      const parents = new Map<string, string>();
      const history = await readResultLog(log, {
        keep: { ids: true, hashes: false },
        onIntent: (intent) => {
          if (intent.resource === child.resource && intent.parent !== undefined) parents.set(intent.external_id, intent.parent);
        },
      });
      if (!history.resources.has(child.resource)) continue;
      const hold: CarriedHold = { child, field, log, byParent: new Map(), unplaced: 0 };
      for (const [key] of history.known.createdRecords()) {
        const parent = parents.get(key);
        if (parent === undefined) hold.unplaced++;
        else hold.byParent.set(parent, (hold.byParent.get(parent) ?? 0) + 1);
      }
      if (hold.byParent.size > 0 || hold.unplaced > 0) holds.push(hold);
    }
  }
  return holds;
}

/** Why the update of the record `id` is not sent, if a hold says so. Pure. */
export function heldUpdateProblems(endpoint: EndpointDescription, holds: readonly CarriedHold[], id: string): Problem[] {
  return holds.flatMap(({ child, field, log, byParent, unplaced }) => {
    const under = byParent.get(id) ?? 0;
    if (under === 0 && unplaced === 0) return [];
    const logged =
      under > 0
        ? `${plural(under, child.title)} created on their own ${under === 1 ? 'is' : 'are'} logged under it in ${log}`
        : `${log} holds ${plural(unplaced, child.title)} whose ${endpoint.title} it does not name`;
    const reason =
      `an update (${endpoint.update!.method}) of this ${endpoint.title} replaces all of its ${child.title}s on Feishu, and ${logged}: ` +
      `not sent, so that none is lost; to change it, undo the ${endpoint.resource} with their ${child.resource}, then import both again`;
    return [{ field, reason }];
  });
}
