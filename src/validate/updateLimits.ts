/**
 * What an update's body may not hold that a create's may: lists longer than the update takes (an offer PUT takes 10
 * attachment ids, its create 20), as the endpoint description's `update.maxItems` says. Pure.
 */
import type { EndpointDescription } from '../endpoints/types.js';
import type { Problem } from './problem.js';

export function updateProblems(endpoint: EndpointDescription, body: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  for (const [field, max] of Object.entries(endpoint.update?.maxItems ?? {})) {
    const list = body[field];
    const onCreate = endpoint.fields[field]?.type;
    const createMax = onCreate?.kind === 'strings' && onCreate.maxItems !== undefined ? ` (${onCreate.maxItems} on create)` : '';
    if (Array.isArray(list) && list.length > max) {
      problems.push({ field, reason: `an update takes at most ${max}${createMax}, this one has ${list.length}: not sent; keep ${max} at most to update it` });
    }
  }
  return problems;
}
