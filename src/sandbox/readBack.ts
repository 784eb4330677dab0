/**
 * Read-back and look-up answers built from the stored records and the descriptions alone: batch_query by ids (and
 * by parent), list by parent, both paged by page_token; and a look-up whose kinds of key are ANDed, as on Feishu.
 * Every answer is decided from what is stored at the moment it is asked. Items are shaped by the reading: the docs'
 * (each description's docsAnswer: no external_id, attachments as objects) or the SDK's (every field sent, echoed).
 */
import { getCountryCallingCode, isSupportedCountry } from 'libphonenumber-js/min';
import { feishuCodes } from '../endpoints/codes.js';
import { carriedInside } from '../endpoints/registry.js';
import type { AnswerShape, EndpointDescription, Fields, MatchBeforeCreate, ReadBack } from '../endpoints/types.js';
import type { RecordStore, StoredRecord } from './store.js';
import { checkWireBody, type JsonObject } from './validateWire.js';
import { nestAt, valueAt } from './wireShape.js';

/**
 * Which source the answers follow where the docs pages and the SDK's types disagree (see the facts file): `docs`, the
 * less convenient, by default; `sdk` echoes external_id and attachment_id_list and keeps assessments through a PUT.
 */
export type Reading = 'docs' | 'sdk';
export const readings: readonly Reading[] = ['docs', 'sdk'];

export type ReadAnswer = { ok: true; body: JsonObject } | { ok: false; code: number; problem: string };

const parameterError: number = feishuCodes.parameterError.code;

function refused(problem: string, code = parameterError): ReadAnswer {
  return { ok: false, code, problem };
}

/** A stand-in for an uploaded file's name and size, which the sandbox does not keep. */
const attachmentSize = 1024;

/** An item shaped as the docs have it: the omitted fields left out, id lists answered as lists of objects. */
function asDocsHaveIt(item: JsonObject, shape: AnswerShape | undefined): JsonObject {
  if (!shape) return item;
  for (const field of shape.omitted) delete item[field];
  for (const [sent, { field, idKey }] of Object.entries(shape.idObjects ?? {})) {
    const ids = item[sent];
    delete item[sent];
    if (Array.isArray(ids)) item[field] = ids.map((id) => ({ [idKey]: id, name: `attachment-${String(id)}.pdf`, size: attachmentSize }));
  }
  return item;
}

/**
 * A record as read back: its id, its fields, and the records carried inside it: those written with it (already in
 * its body, with their ids) followed by those created later that point at it; shaped by the reading.
 */
export function readBackItem(store: RecordStore, endpoints: readonly EndpointDescription[], resource: string, record: StoredRecord, reading: Reading): JsonObject {
  const shaped = (body: JsonObject, endpoint: EndpointDescription | undefined) => (reading === 'docs' ? asDocsHaveIt(body, endpoint?.docsAnswer) : body);
  const item: JsonObject = shaped({ id: record.id, ...structuredClone(record.body) }, endpoints.find((endpoint) => endpoint.resource === resource));
  for (const { child, field } of carriedInside(endpoints, resource)) {
    const written = Array.isArray(item[field]) ? (item[field] as JsonObject[]).map((element) => shaped(element, child)) : [];
    const pointing = store
      .children(child.resource, record.id)
      .map((stored) => shaped({ id: stored.id, ...structuredClone(stored.body) }, child));
    if (written.length + pointing.length > 0) item[field] = [...written, ...pointing];
  }
  return item;
}

/** The page a query asks for, once its parameters are known ones (`allowed`, page_size, page_token) and well formed. */
function pageOf(query: URLSearchParams, allowed: readonly string[], maxPageSize: number): { offset: number; size: number } | { problem: string } {
  for (const name of query.keys()) {
    if (!allowed.includes(name) && name !== 'page_size' && name !== 'page_token') return { problem: `unknown query parameter ${name}` };
  }
  const sizeText = query.get('page_size');
  const size = sizeText === null ? maxPageSize : Number(sizeText);
  if (!/^\d+$/.test(sizeText ?? '0') || size < 1 || size > maxPageSize) {
    return { problem: `page_size must be an integer 1..${maxPageSize}, got ${JSON.stringify(sizeText)}` };
  }
  const token = query.get('page_token');
  if (token !== null && !/^\d+$/.test(token)) return { problem: `page_token ${JSON.stringify(token)} is not one this server gave` };
  return { offset: token === null ? 0 : Number(token), size };
}

function paged(store: RecordStore, endpoints: readonly EndpointDescription[], resource: string, records: StoredRecord[], page: { offset: number; size: number }, reading: Reading): ReadAnswer {
  const end = page.offset + page.size;
  const items = records.slice(page.offset, end).map((record) => readBackItem(store, endpoints, resource, record, reading));
  const hasMore = end < records.length;
  return { ok: true, body: { code: 0, msg: 'success', data: { items, has_more: hasMore, ...(hasMore ? { page_token: String(end) } : {}) } } };
}

/**
 * POST path with `{ [idList]: ids }`: the stored records among those ids, in the order asked, unknown ids left out;
 * the query may narrow them to one parent (`?external_application_id=`). With neither, every record.
 */
function batchQuery(
  store: RecordStore,
  endpoints: readonly EndpointDescription[],
  endpoint: EndpointDescription,
  readBack: Extract<ReadBack, { kind: 'batchQuery' }>,
  query: URLSearchParams,
  body: unknown,
  reading: Reading,
): ReadAnswer {
  const parentField = endpoint.parent?.field;
  const page = pageOf(query, parentField ? [parentField] : [], readBack.maxIds);
  if ('problem' in page) return refused(page.problem);
  const fields: Fields = { [readBack.idList]: { type: { kind: 'strings', maxItems: readBack.maxIds }, description: 'ids to read' } };
  const checked = checkWireBody(body ?? {}, fields, 'partial');
  if (!checked.ok) return refused(checked.problem);

  const ids = checked.body[readBack.idList] as string[] | undefined;
  const parentId = parentField === undefined ? null : query.get(parentField);
  let records = ids
    ? [...new Set(ids)].flatMap((id) => store.get(endpoint.resource, id) ?? [])
    : parentId !== null
      ? store.children(endpoint.resource, parentId)
      : store.list(endpoint.resource);
  if (ids && parentId !== null) records = records.filter((record) => record.body[parentField!] === parentId);
  return paged(store, endpoints, endpoint.resource, records, page, reading);
}

/** GET path?{parentParam}=id: the records of that parent, in creation order. */
function listByParent(
  store: RecordStore,
  endpoints: readonly EndpointDescription[],
  endpoint: EndpointDescription,
  readBack: Extract<ReadBack, { kind: 'listByParent' }>,
  query: URLSearchParams,
  reading: Reading,
): ReadAnswer {
  const page = pageOf(query, [readBack.parentParam], readBack.pageSize);
  if ('problem' in page) return refused(page.problem);
  const parentId = query.get(readBack.parentParam);
  if (!parentId) return refused(`${readBack.parentParam} is required`);
  // The records are found by the description's parent field, which the query names by parentParam.
  return paged(store, endpoints, endpoint.resource, store.children(endpoint.resource, parentId), page, reading);
}

/**
 * The look-up (talents/batch_get_id): a record matches only if every kind of key sent matches it, and a phone key
 * only under the record's own dialling code (the request's, default 86). Each match comes back with its id, the
 * keys it matched by and its dialling code. A malformed key (a mobile that is not digits) answers the description's
 * bad-key code.
 */
export function lookUp(store: RecordStore, endpoint: EndpointDescription, match: MatchBeforeCreate, body: unknown): ReadAnswer {
  const fields: Fields = {};
  for (const key of match.keys) {
    fields[key.param] = { type: { kind: 'strings', maxItems: match.maxKeys }, description: key.field };
    if (key.diallingCode) fields[key.diallingCode.param] = { type: { kind: 'string' }, description: 'the dialling code' };
  }
  const checked = checkWireBody(body, fields, 'partial');
  if (!checked.ok) return refused(checked.problem);

  const sent = match.keys.flatMap((key) => {
    const values = checked.body[key.param] as string[] | undefined;
    const code = key.diallingCode && ((checked.body[key.diallingCode.param] as string | undefined) ?? key.diallingCode.default);
    return values && values.length > 0 ? [{ key, values: new Set(values), code }] : [];
  });
  for (const { key, values, code } of sent) {
    const malformed = key.digitsOnly ? [...values, ...(code === undefined ? [] : [code])].find((value) => !/^\d+$/.test(value)) : undefined;
    if (malformed !== undefined) return refused(`${key.param} holds a malformed key ${JSON.stringify(malformed)}`, match.badKeyCodes?.[0] ?? parameterError);
  }
  const matches =
    sent.length === 0
      ? []
      : store
          .list(endpoint.resource)
          .filter((record) =>
            sent.every(({ key, values, code }) => values.has(valueAt(record.body, key.field) as string) && (code === undefined || ownDiallingCode(record.body, key) === code)),
          )
          .map((record) => ({
            [match.idField]: record.id,
            ...Object.fromEntries(
              sent.flatMap(({ key }) => [
                [key.answerField, valueAt(record.body, key.field)],
                ...(key.diallingCode ? [[key.diallingCode.answerField, ownDiallingCode(record.body, key)]] : []),
              ]),
            ),
          }));
  return { ok: true, body: { code: 0, msg: 'success', ...nestAt(match.itemsAt, matches) } };
}

/** The dialling code a stored record's phone is under: its location code's region's (CN_1: 86), else the default. */
function ownDiallingCode(body: JsonObject, key: MatchBeforeCreate['keys'][number]): string {
  const { locationField, default: fallback } = key.diallingCode!;
  const region = /^([A-Z]{2})_/.exec(String(valueAt(body, locationField) ?? ''))?.[1];
  return region !== undefined && isSupportedCountry(region) ? getCountryCallingCode(region) : fallback;
}

/** The read-back the endpoint describes; records read inside their parent have no request of their own. */
export function readBack(
  store: RecordStore,
  endpoints: readonly EndpointDescription[],
  endpoint: EndpointDescription,
  query: URLSearchParams,
  body: unknown,
  reading: Reading,
): ReadAnswer {
  const described = endpoint.readBack;
  switch (described?.kind) {
    case 'batchQuery':
      return batchQuery(store, endpoints, endpoint, described, query, body, reading);
    case 'listByParent':
      return listByParent(store, endpoints, endpoint, described, query, reading);
    default:
      return refused(`${endpoint.title} has no read-back of its own`);
  }
}
