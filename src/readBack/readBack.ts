/**
 * Reading records back from Feishu, generic over the endpoint descriptions: by Feishu id (verify) and by parent
 * (finding again a create whose answer a crash lost). Guarantees:
 * - every request goes through the read request of the resource whose API it calls, which paces it at that API's
 *   own limit and retries it; the requests of one call, and of calls for other resources, are under way at once;
 * - a batch query carries as many ids as the endpoint takes (`maxIds`), a list asks for its largest page, and every
 *   answer is followed page by page to its end;
 * - records read inside their parent (assessments inside their interview) are found by reading each parent once
 *   per call; they come back with their parent's id in their parent field, where the parent's answer leaves it out;
 * - a request that fails (after its retries) fails only the records it was for: they are `unread`, never `missing`.
 */
import { endpointFor } from '../endpoints/registry.js';
import type { EndpointDescription, ReadBack as ReadBackDescription } from '../endpoints/types.js';
import type { Method } from '../send/client.js';
import type { QueryResult } from '../send/matcher.js';

/** A record as read back: its `id` and its fields. */
export type Item = Record<string, unknown>;

/** One request to one resource's read-back API: paced, retried, and settled (see Sender.read). */
export type ReadRequest = (method: Method, path: string, body: unknown) => Promise<QueryResult>;

/** A record to read back: its Feishu id, and its parent's, for endpoints read by parent. */
export interface Wanted {
  id: string;
  parent?: string;
}

export interface ReadResult {
  /** By Feishu id: the records the server holds. A wanted id neither here nor in `unread` is not on the server. */
  found: Map<string, Item>;
  /** Ids whose request failed, with why: not known to be there or not. */
  unread: Map<string, string>;
}

/** A read request that failed after its retries, or was cut short (`interrupted`: Ctrl-C, a fatal answer). */
export class ReadFailure extends Error {
  override name = 'ReadFailure';
  constructor(
    message: string,
    readonly interrupted = false,
  ) {
    super(message);
  }
}

/** The description whose read-back API serves `endpoint`'s records: its own, or its parent's for records read inside it. */
export function readerOf(endpoint: EndpointDescription): EndpointDescription | undefined {
  if (!endpoint.readBack) return undefined;
  if (endpoint.readBack.kind !== 'insideParent') return endpoint;
  const parent = endpoint.parent && endpointFor(endpoint.parent.resource);
  return parent && readerOf(parent);
}

/**
 * The read request of each resource, made when first asked for and then shared, so every caller reading one API
 * goes through one pace. `readerFor` makes the sender of an endpoint (the import passes its own for its endpoint).
 */
export function readRequests(readerFor: (endpoint: EndpointDescription) => { read: ReadRequest }): (resource: string) => ReadRequest {
  const readers = new Map<string, ReadRequest>();
  return (resource) => {
    let request = readers.get(resource);
    if (!request) {
      const reader = readerFor(endpointFor(resource)!);
      request = (method, path, body) => reader.read(method, path, body);
      readers.set(resource, request);
    }
    return request;
  };
}

export class ReadBack {
  readonly #requestFor: (resource: string) => ReadRequest;

  constructor(requestFor: (resource: string) => ReadRequest) {
    this.#requestFor = requestFor;
  }

  /** The records with these ids, each looked for where its endpoint's read-back says. */
  async byIds(endpoint: EndpointDescription, wanted: readonly Wanted[]): Promise<ReadResult> {
    const result: ReadResult = { found: new Map(), unread: new Map() };
    const readBack = described(endpoint);
    switch (readBack.kind) {
      case 'batchQuery': {
        const ids = [...new Set(wanted.map((record) => record.id))];
        const chunks = Array.from({ length: Math.ceil(ids.length / readBack.maxIds) }, (_, at) => ids.slice(at * readBack.maxIds, (at + 1) * readBack.maxIds));
        await Promise.all(
          chunks.map((chunk) =>
            this.#collect(this.#pages(endpoint, 'POST', readBack.path, { page_size: readBack.maxIds }, { [readBack.idList]: chunk }), chunk, result),
          ),
        );
        return result;
      }
      case 'listByParent': {
        const { byParent, orphans } = groupByParent(wanted);
        for (const id of orphans) result.unread.set(id, `no ${endpoint.parent?.field ?? 'parent id'} to list it under`);
        await Promise.all([...byParent].map(([parent, ids]) => this.#collect(this.children(endpoint, parent), ids, result)));
        return result;
      }
      case 'insideParent': {
        const parentEndpoint = parentOf(endpoint);
        const { byParent, orphans } = groupByParent(wanted);
        for (const id of orphans) result.unread.set(id, `no ${endpoint.parent!.field} to find it in`);
        const parents = await this.byIds(parentEndpoint, [...byParent.keys()].map((id) => ({ id })));
        for (const [parent, ids] of byParent) {
          const why = parents.unread.get(parent);
          if (why !== undefined) {
            for (const id of ids) result.unread.set(id, why);
            continue;
          }
          // A parent that is gone took its children with it: they are not on the server either.
          const item = parents.found.get(parent);
          const mine = new Set(ids);
          for (const child of item ? carried(endpoint, readBack.field, parent, item) : []) {
            if (typeof child.id === 'string' && mine.has(child.id)) result.found.set(child.id, child);
          }
        }
        return result;
      }
    }
  }

  /** The records of one parent, every page of them. Throws ReadFailure. */
  async children(endpoint: EndpointDescription, parentId: string): Promise<Item[]> {
    const readBack = described(endpoint);
    switch (readBack.kind) {
      case 'batchQuery':
        return this.#pages(endpoint, 'POST', readBack.path, { [endpoint.parent!.field]: parentId, page_size: readBack.maxIds }, {});
      case 'listByParent':
        return this.#pages(endpoint, 'GET', readBack.path, { [readBack.parentParam]: parentId, page_size: readBack.pageSize }, undefined);
      case 'insideParent': {
        const parents = await this.byIds(parentOf(endpoint), [{ id: parentId }]);
        const why = parents.unread.get(parentId);
        if (why !== undefined) throw new ReadFailure(why);
        const item = parents.found.get(parentId);
        return item ? carried(endpoint, readBack.field, parentId, item) : [];
      }
    }
  }

  /** Settles `ids` from the records one request (or one parent's listing) answered, or from its failure. */
  async #collect(reading: Promise<Item[]>, ids: readonly string[], result: ReadResult): Promise<void> {
    try {
      const wanted = new Set(ids);
      for (const item of await reading) if (typeof item.id === 'string' && wanted.has(item.id)) result.found.set(item.id, item);
    } catch (error) {
      if (!(error instanceof ReadFailure)) throw error;
      for (const id of ids) result.unread.set(id, error.message);
    }
  }

  /** Every page of one read-back request's answer. */
  async #pages(endpoint: EndpointDescription, method: Method, path: string, query: Record<string, string | number>, body: unknown): Promise<Item[]> {
    const request = this.#requestFor(endpoint.resource);
    const items: Item[] = [];
    const tokensSeen = new Set<string>();
    for (let token: string | undefined; ; ) {
      const parameters = new URLSearchParams(Object.entries({ ...query, ...(token === undefined ? {} : { page_token: token }) }).map(([name, value]) => [name, String(value)]));
      const answer = await request(method, `${path}?${parameters}`, body);
      if (answer.kind === 'pending') throw new ReadFailure('interrupted before it was read back', true);
      if (answer.kind === 'failed') throw new ReadFailure(`reading back failed: ${answer.code}: ${answer.msg}`);
      const data = (answer.body as { data?: { items?: unknown; has_more?: unknown; page_token?: unknown } } | undefined)?.data;
      if (Array.isArray(data?.items)) items.push(...data.items.filter(isItem));
      const next = data?.has_more === true && typeof data.page_token === 'string' && data.page_token !== '' ? data.page_token : undefined;
      // A server repeating a page token would page forever.
      if (next === undefined || tokensSeen.has(next)) return items;
      tokensSeen.add(next);
      token = next;
    }
  }
}

function described(endpoint: EndpointDescription): ReadBackDescription {
  if (!endpoint.readBack) throw new Error(`${endpoint.resource} cannot be read back`);
  return endpoint.readBack;
}

function parentOf(endpoint: EndpointDescription): EndpointDescription {
  const parent = endpoint.parent && endpointFor(endpoint.parent.resource);
  if (!parent) throw new Error(`${endpoint.resource} is read inside a parent its description does not name`);
  return parent;
}

/** The records a parent's item carries under `field`, each with the parent's id in its parent field. */
function carried(endpoint: EndpointDescription, field: string, parentId: string, parent: Item): Item[] {
  const list = parent[field];
  const parentField = endpoint.parent!.field;
  return Array.isArray(list) ? list.filter(isItem).map((child) => ({ ...child, [parentField]: child[parentField] ?? parentId })) : [];
}

function groupByParent(wanted: readonly Wanted[]): { byParent: Map<string, string[]>; orphans: string[] } {
  const byParent = new Map<string, string[]>();
  const orphans: string[] = [];
  for (const { id, parent } of wanted) {
    if (parent === undefined || parent === '') orphans.push(id);
    else {
      const ids = byParent.get(parent);
      if (ids) ids.push(id);
      else byParent.set(parent, [id]);
    }
  }
  return { byParent, orphans };
}

function isItem(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
