/**
 * Finding an existing record before creating one (talents: by email, then by mobile), as an endpoint description's
 * `match` says. One kind of key per request, because the API ANDs kinds, and for phone keys one dialling code per
 * request (a talent matches only under its own); the keys of the records in flight share a request (collected for
 * up to 50 ms or until `maxKeys`), and each key's match is told apart by the answer's own key field. A request whose
 * answer cannot be told apart (a malformed key refuses the whole request; an item whose key reads differently from
 * any key sent) is split in halves until it can, down to one key per request; a key the server still calls
 * malformed alone makes its record invalid: it is never read as "no match".
 *
 * Records of one run that share a key are settled one after another: a later one reuses the id the earlier one
 * found or created instead of asking a server that may not show a just-created record yet, so two rows of one
 * candidate never make two talents. The last `remembered` keys are kept for that; older ones are asked for again.
 */
import type { Clock } from '../clock.js';
import type { MatchBeforeCreate } from '../endpoints/types.js';
import { compilePath, keyText } from '../map/path.js';
import { diallingCodeAt } from '../validate/phone.js';

/** How a lookup request ended, as the sender reports it (it has already retried what was worth retrying). */
export type QueryResult = { kind: 'ok'; body: unknown } | QueryFailure | { kind: 'pending' };
/** `invalid`: the field of the record the server refused as malformed (a mobile number): the record is invalid. */
export type QueryFailure = { kind: 'failed'; code: number | string; msg: string; logId?: string; retryable?: true; invalid?: string };
export type Query = (body: Record<string, unknown>) => Promise<QueryResult>;

export type Found = { kind: 'found'; id: string } | { kind: 'none' } | QueryFailure | { kind: 'pending' };

/** One key of a record: its kind (an index into `match.keys`, the order they are tried in), its text, its dialling code. */
export interface MatchKey {
  kind: number;
  text: string;
  /** For a phone key: the dialling code it is looked up under. */
  code?: string;
}

export interface Claim {
  /** Looks the keys up in order: each first among the records of this run that had it, then on the server. */
  find(): Promise<Found>;
  /** The record's outcome: its Feishu id, or undefined when it has none. Later records sharing a key wait for this. */
  settle(id: string | undefined): void;
}

export interface MatcherOptions {
  match: MatchBeforeCreate;
  query: Query;
  clock: Clock;
  /** On abort, keys being collected are asked for at once (the query then reports them pending). */
  signal: AbortSignal;
  collectMs?: number;
  remembered?: number;
}

interface Batch {
  /** Normalised key -> the text sent and the lookups waiting for it. */
  keys: Map<string, { text: string; waiting: Array<(found: Found) => void> }>;
}

const none: Found = { kind: 'none' };
const pending: Found = { kind: 'pending' };

export class Matcher {
  readonly #options: Required<MatcherOptions>;
  readonly #readers: Array<{ field: (data: unknown) => unknown; answerField: (data: unknown) => unknown }>;
  readonly #readItems: (data: unknown) => unknown;
  readonly #readId: (data: unknown) => unknown;
  /** Being collected, per kind and dialling code (batchOf). */
  readonly #open = new Map<string, Batch>();
  /** `kind:normalised key` -> the outcome of the latest record of this run that had the key. */
  readonly #claims = new Map<string, Promise<string | undefined>>();

  constructor(options: MatcherOptions) {
    this.#options = { collectMs: 50, remembered: 10_000, ...options };
    const { match } = options;
    this.#readers = match.keys.map((key) => ({ field: compilePath(key.field), answerField: compilePath(key.answerField) }));
    this.#readItems = compilePath(match.itemsAt);
    this.#readId = compilePath(match.idField);
  }

  /** The kinds of key, for messages: the last part of each field's path (email, mobile). */
  get keyNames(): string[] {
    return this.#options.match.keys.map((key) => key.field.split('.').pop()!);
  }

  /**
   * The keys a body can be looked up by, in the order they are tried; none when it has none. `local` holds what
   * validation kept beside the body: a phone's dialling code (else the description's default).
   */
  keysOf(body: Record<string, unknown>, local: Record<string, unknown> = {}): MatchKey[] {
    return this.#readers.flatMap((reader, kind) => {
      const text = keyText(reader.field(body));
      if (text === '') return [];
      const { field, diallingCode } = this.#options.match.keys[kind]!;
      if (!diallingCode) return [{ kind, text }];
      const code = local[diallingCodeAt(field)];
      return [{ kind, text, code: typeof code === 'string' ? code : diallingCode.default }];
    });
  }

  /** Makes the caller the latest record with these keys; it must `settle` however it ends. */
  claim(keys: MatchKey[]): Claim {
    let settle!: (id: string | undefined) => void;
    const outcome = new Promise<string | undefined>((resolve) => (settle = resolve));
    const earlier = keys.map((key) => {
      const name = claimName(key);
      const before = this.#claims.get(name);
      this.#claims.delete(name); // re-inserted last, so the oldest claims are forgotten first
      this.#claims.set(name, outcome);
      return before;
    });
    for (const name of this.#claims.keys()) {
      if (this.#claims.size <= this.#options.remembered) break;
      this.#claims.delete(name);
    }
    return {
      find: async () => {
        for (const [index, key] of keys.entries()) {
          const id = await earlier[index];
          if (id !== undefined) return { kind: 'found', id };
          const found = await this.#lookUpKey(key);
          if (found.kind !== 'none') return found;
        }
        return none;
      },
      settle,
    };
  }

  /** Looks the keys up on the server only, in order (after a lost create answer, only the server knows). */
  async lookUp(keys: MatchKey[]): Promise<Found> {
    for (const key of keys) {
      const found = await this.#lookUpKey(key);
      if (found.kind !== 'none') return found;
    }
    return none;
  }

  #lookUpKey(key: MatchKey): Promise<Found> {
    const name = batchName(key);
    let batch = this.#open.get(name);
    if (!batch) {
      const opened: Batch = { keys: new Map() };
      this.#open.set(name, (batch = opened));
      void this.#options.clock.sleep(this.#options.collectMs, this.#options.signal).then(() => this.#flush(key, opened));
    }
    const normalised = normalise(key.text);
    const entry = batch.keys.get(normalised) ?? { text: key.text, waiting: [] };
    batch.keys.set(normalised, entry);
    const found = new Promise<Found>((resolve) => entry.waiting.push(resolve));
    if (batch.keys.size >= this.#options.match.maxKeys) this.#flush(key, batch);
    return found;
  }

  /** Sends the batch `key` was collected into (its kind and dialling code). */
  #flush(key: MatchKey, batch: Batch): void {
    const name = batchName(key);
    if (this.#open.get(name) !== batch) return; // already sent
    this.#open.delete(name);
    const entries = [...batch.keys.values()];
    void this.#resolve(key, entries.map((entry) => entry.text)).then((results) => {
      entries.forEach((entry, index) => entry.waiting.forEach((resolve) => resolve(results[index]!)));
    });
  }

  /** What each text (of `like`'s kind and dialling code) matches, in order; never rejects. */
  async #resolve(like: MatchKey, texts: string[]): Promise<Found[]> {
    const { match, query } = this.#options;
    const described = match.keys[like.kind]!;
    const code = described.diallingCode && like.code !== undefined ? { [described.diallingCode.param]: like.code } : {};
    const result = await query({ ...code, [described.param]: texts });
    if (result.kind === 'pending') return texts.map(() => pending);
    if (result.kind === 'failed') {
      const malformed = typeof result.code === 'number' && (match.badKeyCodes ?? []).includes(result.code);
      if (!malformed) return texts.map(() => result);
      if (texts.length > 1) return this.#split(like, texts);
      const shown = like.code === undefined ? texts[0] : `+${like.code} ${texts[0]}`;
      return [{ ...result, msg: `Feishu refused ${shown} as malformed (${result.msg}): correct it in the input`, invalid: described.field }];
    }
    const items = this.#readItems(result.body);
    const list = Array.isArray(items) ? items : [];
    const ids = list.map((item) => this.#readId(item));
    if (ids.some((id) => typeof id !== 'string' || id === '')) {
      return texts.map(() => ({ kind: 'failed', code: 'MATCH', msg: `a lookup answered a match without ${match.idField}` }));
    }
    if (texts.length === 1) return [ids.length > 0 ? { kind: 'found', id: ids[0] as string } : none];
    const sent = new Set(texts.map(normalise));
    const byKey = new Map<string, string>();
    for (const [index, item] of list.entries()) {
      const key = normalise(keyText(this.#readers[like.kind]!.answerField(item)));
      if (!sent.has(key)) return this.#split(like, texts); // cannot tell whose match it is
      if (!byKey.has(key)) byKey.set(key, ids[index] as string);
    }
    return texts.map((text) => {
      const id = byKey.get(normalise(text));
      return id === undefined ? none : { kind: 'found', id };
    });
  }

  async #split(like: MatchKey, texts: string[]): Promise<Found[]> {
    const half = Math.ceil(texts.length / 2);
    const [first, second] = await Promise.all([this.#resolve(like, texts.slice(0, half)), this.#resolve(like, texts.slice(half))]);
    return [...first!, ...second!];
  }
}

/** Records of one run share an outcome when they share a key: its kind, its dialling code and its text. */
function claimName(key: MatchKey): string {
  return `${batchName(key)}:${normalise(key.text)}`;
}

/** Keys are asked for together when they are of one kind and, for phones, one dialling code. */
function batchName(key: MatchKey): string {
  return key.code === undefined ? String(key.kind) : `${key.kind}+${key.code}`;
}

/** Keys compare trimmed and in any case (Feishu may answer an email in another case than it was sent). */
function normalise(text: string): string {
  return text.trim().toLowerCase();
}
