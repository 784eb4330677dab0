/**
 * The language of endpoint descriptions: everything hire-import knows about one Feishu Hire endpoint, as data.
 * Validation, sending, pacing, the sandbox, `init`, verify and undo read these descriptions; no other module names
 * an API path, a body field, a limit or a permission.
 */

/** A request limit on one or two periods; reaching either one triggers the gateway's 429. */
export interface Limit {
  perSecond: number;
  perMinute?: number;
}

/**
 * The type of one body field.
 * - `string`, `int`, `strings` (a list of text) are what they say;
 * - `ms`: a moment as epoch milliseconds, an integer on the wire; `msString`: the same as a string of digits;
 * - `object`: nested fields (`basic_info.name` in a mapping);
 * - `list`: a list of objects (a mapping fills it like the assessment dimensions: entries, `each`);
 * - `phone`: a phone number as people write it; sent as the digits of its national number, its dialling code kept
 *   beside the body for the look-up (src/validate/phone.ts).
 */
export type FieldType =
  /** `format: 'email'`: one email address (no space, one @, a dotted domain), refused before it is sent otherwise. */
  | { kind: 'string'; format?: 'email' }
  | { kind: 'int'; labels?: EnumLabels; min?: number; max?: number }
  | { kind: 'ms' }
  | { kind: 'msString' }
  | { kind: 'strings'; maxItems?: number }
  | { kind: 'object'; fields: Fields }
  | { kind: 'list'; of: Fields; answer?: AnswerRule }
  | { kind: 'phone' };

/** An enum: each API integer and the labels an export may use for it (matched trimmed and case-insensitively). */
export type EnumLabels = Record<number, readonly string[]>;

export interface Field {
  type: FieldType;
  required?: boolean;
  /** One line for `init` and the docs. */
  description: string;
  /**
   * Not sent: the field only keys the result log (talents have no external_id in the API, so the legacy key
   * lives only in our log).
   */
  localOnly?: boolean;
  /**
   * Column names an export may use for this field, most telling first (`init` guesses with them; also the keys of
   * an item of a JSON array, for list element fields). Compared lowercase without spaces, `_`, `-` and `.`.
   */
  hints?: readonly string[];
  /**
   * Legacy words `init` may translate to each value of an `int` field in a drafted `map`, besides its labels
   * (strong_yes -> 2). Only guesses for the user to check: validation does not accept them.
   */
  labelHints?: EnumLabels;
}

export type Fields = Record<string, Field>;

/**
 * Lists whose elements carry their answer in a field chosen by another field (an assessment dimension: score for
 * type 1, option for 2, content for 3, options for 4). A mapping's `answer` lands in that field, and an element
 * without it is invalid.
 */
export interface AnswerRule {
  /** The field that chooses, e.g. assessment_type. */
  by: string;
  /** Its value -> the field that holds the answer. */
  fieldFor: Record<number, string>;
}

/** Where the Feishu id of a created record sits in the answer, as a dotted path (data.external_application.id). */
export type IdPath = string;

/** Reading records back by id, for verify and for recovering creates whose answer was lost. */
export type ReadBack =
  /**
   * POST path with `{ [idList]: ids }` (at most `maxIds`), answer data.items[] with `id`, paged by page_token; or,
   * without ids, POST path?{parent field}=id: the records of one parent (recovering a create whose answer was lost).
   */
  | { kind: 'batchQuery'; path: string; idList: string; maxIds: number; limit: Limit }
  /** GET path?{parentParam}=id, answer data.items[], paged by page_token, page_size at most `pageSize`. */
  | { kind: 'listByParent'; path: string; parentParam: string; pageSize: number; limit: Limit }
  /** Carried inside another resource's read-back: the parent's items hold these under `field`. */
  | { kind: 'insideParent'; field: string };

export interface EndpointDescription {
  /** The CLI's name: `hire-import applications FILE`. */
  resource: string;
  /** For messages: "external application". */
  title: string;
  /** The request body's fields. */
  fields: Fields;
  /** The field that keys the result log: the legacy system's key. */
  externalId: string;
  create: { path: string; idAt: IdPath; limit: Limit };
  /** PUT overwrites the whole record (send every field); PATCH changes the fields given. */
  update?: Update;
  delete?: { limit: Limit };
  readBack?: ReadBack;
  /** The body field that holds the parent's Feishu id, the parent's resource, and the code a missing parent gets. */
  parent?: { field: string; resource: string; missingCode: number };
  /**
   * Look an existing record up before creating one (talents: by email, then by mobile). One kind of key per request,
   * because the API ANDs kinds; many keys per request. A match is reused instead of created.
   */
  match?: MatchBeforeCreate;
  /** Permissions, to name when Feishu refuses the app. */
  permissions: readonly string[];
  /**
   * What a read-back item holds where the docs pages and the SDK's types disagree: the docs' reading. The SDK's
   * types echo every field sent; the tool reads back so as to be right under both.
   */
  docsAnswer?: AnswerShape;
  /**
   * Fields the server normalises or does not return on read-back: verify does not compare them. Dotted paths,
   * `list[].field` for a field of every element. When the external id is among them, a create whose answer was lost
   * cannot be found again by it: recovery after a crash is not possible for the endpoint.
   */
  notReturned?: readonly string[];
}

export interface Update {
  method: 'PUT' | 'PATCH';
  limit: Limit;
  /** The only fields the update's body takes (the assessment PATCH): the others are refused. Left out: every field. */
  fields?: readonly string[];
  /** Lists an update takes fewer items in than a create (an offer PUT: 10 attachment ids, 20 on create). */
  maxItems?: Readonly<Record<string, number>>;
  /**
   * The update overwrites the records read back inside this one, those created on their own too (an interview PUT
   * replaces all its assessments): it is refused while a log says such a child exists under the record.
   */
  replacesCarried?: true;
}

/** A read-back item as the docs pages have it, compared with the body that was sent. */
export interface AnswerShape {
  /** Fields sent that the item does not hold (external_id): never compared, never searched by. */
  omitted: readonly string[];
  /**
   * Lists of ids sent that come back as lists of objects (attachment_id_list as attachment_list[{id, name, size}]):
   * the sent field, the answer's field, and the key that holds each id.
   */
  idObjects?: Readonly<Record<string, { field: string; idKey: string }>>;
}

export interface MatchBeforeCreate {
  path: string;
  limit: Limit;
  /** Tried in order; each reads one body field and sends it in its own list parameter. */
  keys: ReadonlyArray<{
    field: string;
    param: string;
    /** the answer's item field that holds the same key */
    answerField: string;
    /** A key of digits only (a mobile number): anything else is malformed and answers the first of `badKeyCodes`. */
    digitsOnly?: boolean;
    /**
     * A phone key: each request carries one dialling code, in `param` (`default` when a key has none), and a
     * record matches only under its own; the answer's items say theirs in `answerField`. A stored record's own is
     * the one of the region its `locationField` names (CN_1: China, 86), else `default`.
     */
    diallingCode?: { param: string; answerField: string; default: string; locationField: string };
  }>;
  /** The answer's list of matches and, in each, the id. */
  itemsAt: string;
  idField: string;
  /** The most keys one request may carry (not documented; kept small). */
  maxKeys: number;
  /** Codes meaning "this key is malformed" (1002009: a bad mobile number): the record is invalid, never "no match". */
  badKeyCodes?: readonly number[];
}
