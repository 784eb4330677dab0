/**
 * Which endpoint and operation a request is for, built from the endpoint descriptions alone: create (POST the
 * create path), update (its method on path/{id}), delete (DELETE path/{id}), read-back and match at their paths.
 */
import type { EndpointDescription, Limit } from '../endpoints/types.js';

/** The operations Feishu limits separately ("limits apply per API"). */
export type Operation = 'create' | 'update' | 'delete' | 'read' | 'match';

export interface Route {
  endpoint: EndpointDescription;
  operation: Operation;
  /** The record id in the path, for update and delete. */
  id?: string;
}

export type Router = (method: string, path: string) => Route | undefined;

/** The limit the description gives an operation. */
export function limitOf(endpoint: EndpointDescription, operation: Operation): Limit | undefined {
  switch (operation) {
    case 'create':
      return endpoint.create.limit;
    case 'update':
      return endpoint.update?.limit;
    case 'delete':
      return endpoint.delete?.limit;
    case 'read':
      return endpoint.readBack && endpoint.readBack.kind !== 'insideParent' ? endpoint.readBack.limit : undefined;
    case 'match':
      return endpoint.match?.limit;
  }
}

export function router(endpoints: readonly EndpointDescription[]): Router {
  const exact = new Map<string, Route>();
  const byId: Array<{ method: string; prefix: string; route: Route }> = [];
  for (const endpoint of endpoints) {
    exact.set(`POST ${endpoint.create.path}`, { endpoint, operation: 'create' });
    if (endpoint.match) exact.set(`POST ${endpoint.match.path}`, { endpoint, operation: 'match' });
    if (endpoint.readBack?.kind === 'batchQuery') exact.set(`POST ${endpoint.readBack.path}`, { endpoint, operation: 'read' });
    if (endpoint.readBack?.kind === 'listByParent') exact.set(`GET ${endpoint.readBack.path}`, { endpoint, operation: 'read' });
    const prefix = `${endpoint.create.path}/`;
    if (endpoint.update) byId.push({ method: endpoint.update.method, prefix, route: { endpoint, operation: 'update' } });
    if (endpoint.delete) byId.push({ method: 'DELETE', prefix, route: { endpoint, operation: 'delete' } });
  }
  return (method, path) => {
    const route = exact.get(`${method} ${path}`);
    if (route) return route;
    for (const candidate of byId) {
      if (method !== candidate.method || !path.startsWith(candidate.prefix)) continue;
      const id = path.slice(candidate.prefix.length);
      if (id !== '' && !id.includes('/')) return { ...candidate.route, id };
    }
    return undefined;
  };
}
