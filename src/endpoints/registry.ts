/** Every endpoint hire-import imports into, by resource name. Adding one: a description file and a line here. */
import { applications } from './applications.js';
import { assessments } from './assessments.js';
import { backgroundChecks } from './backgroundChecks.js';
import { interviews } from './interviews.js';
import { offers } from './offers.js';
import { talents } from './talents.js';
import type { EndpointDescription } from './types.js';

export const endpoints: readonly EndpointDescription[] = [talents, applications, interviews, assessments, offers, backgroundChecks];

export const resourceNames: readonly string[] = endpoints.map((endpoint) => endpoint.resource);

export function endpointFor(resource: string): EndpointDescription | undefined {
  return endpoints.find((endpoint) => endpoint.resource === resource);
}

/**
 * The resources read back inside `parent`'s items (assessments inside interviews), with the field that holds them:
 * the sandbox answers them there, verify and recovery look for them there.
 */
export function carriedInside(within: readonly EndpointDescription[], parent: string): Array<{ child: EndpointDescription; field: string }> {
  return within.flatMap((child) =>
    child.readBack?.kind === 'insideParent' && child.parent?.resource === parent ? [{ child, field: child.readBack.field }] : [],
  );
}

/** The token endpoint is the platform's, not Hire's; it has no description of its own. */
export const tokenPath = '/open-apis/auth/v3/tenant_access_token/internal';
