/**
 * What a run knows about each external_id, in one compact and exact structure: whether an earlier run created it
 * (with the Feishu id and body hash it logged, when those are kept, and whether it was found rather than made), the
 * creates sent whose outcome the log lacks (intents), and the line where this run first saw it.
 *
 * Keys live as UTF-8 bytes in an arena of 1 MiB chunks and the facts about each key in typed arrays of 65,536-entry
 * chunks, so growing never copies (no peak at twice the size) and a fact never recorded costs nothing. A Feishu id
 * (decimal digits) and a body hash (16 hex digits) are held as two 32-bit numbers each; anything else as text. A
 * million keys cost about 27 MB, 43 MB with their ids and hashes. Two keys are equal only when their bytes are: no
 * valid record is ever refused as a duplicate because two keys share a fingerprint.
 */

export interface KnownRecord {
  /** The Feishu id. */
  id: string;
  /** The hash of the body that was sent, when the log kept one. */
  hash?: string;
  /** Found on Feishu rather than made by this tool (a talent matched by email): it existed before. */
  matched?: true;
}

/** How a line says a record exists: made (`created`), changed since (`updated`), or found (`matched`). */
export type Done = 'created' | 'updated' | 'matched';


const ENTRY_BITS = 16;
const ENTRY_CHUNK = 1 << ENTRY_BITS;
const ENTRY_MASK = ENTRY_CHUNK - 1;
const ARENA_BITS = 20;
const ARENA_CHUNK = 1 << ARENA_BITS;
const ARENA_MASK = ARENA_CHUNK - 1;

/** Bits of an entry's flags. */
const CREATED = 1;
const ID_NUMBER = 2;
const ID_TEXT = 4;
const HASH_NUMBER = 8;
const HASH_TEXT = 16;
/** This run saw the key: its line is the line it first appeared at. */
const SEEN = 32;
/** Found rather than made: the record existed before this tool. */
const MATCHED = 64;
/** A create was sent (an intent) and no line has said since that the record exists. */
const INTENT = 128;

const TWO_32 = 2 ** 32;
const loneSurrogate = /\p{Cs}/u;
const decimalId = /^(?:0|[1-9][0-9]{0,19})$/;
const hexHash = /^[0-9a-f]{16}$/;

/** A growing array of numbers in chunks: it grows without copying, and a chunk never written is never allocated. */
class Chunked<Chunk extends Uint32Array | Uint8Array> {
  readonly #chunks: Chunk[] = [];
  readonly #allocate: (length: number) => Chunk;

  constructor(allocate: (length: number) => Chunk) {
    this.#allocate = allocate;
  }

  get(index: number): number {
    const chunk = this.#chunks[index >>> ENTRY_BITS];
    return chunk === undefined ? 0 : chunk[index & ENTRY_MASK]!;
  }

  set(index: number, value: number): void {
    const at = index >>> ENTRY_BITS;
    (this.#chunks[at] ??= this.#allocate(ENTRY_CHUNK))[index & ENTRY_MASK] = value;
  }
}

const u32 = (length: number) => new Uint32Array(length);
const u8 = (length: number) => new Uint8Array(length);

export class KnownIds {
  #count = 0;
  /** Open addressing: slot -> entry + 1, 0 when free; at most half full. */
  #slots = new Int32Array(1024);
  /** Arena chunks; a key is its length (LEB128) then its bytes, never split between chunks. */
  readonly #arena: Buffer[] = [];
  #arenaUsed = ARENA_CHUNK;
  /**
   * Per entry: where its key sits (chunk << 20 | offset), what is known (flags), and the line this run first saw it at
   * (SEEN), else the token of its pending intent (INTENT).
   */
  readonly #keyAt = new Chunked(u32);
  readonly #flags = new Chunked(u8);
  readonly #line = new Chunked(u32);
  readonly #idHigh = new Chunked(u32);
  readonly #idLow = new Chunked(u32);
  readonly #hashHigh = new Chunked(u32);
  readonly #hashLow = new Chunked(u32);
  /** The inputHash a key was first seen with by this run (SEEN), to tell an exact duplicate from a clash. */
  readonly #inputHigh = new Chunked(u32);
  readonly #inputLow = new Chunked(u32);
  /**
   * The caller's token of an entry's pending intent (where its line starts) is kept in its `#line` until this run sees
   * the key (SEEN): a typed array rather than a Map, so that a million intents, each settled a line or so later, make
   * no garbage and take no memory of their own. Tokens of 2^32 or more go to this Map.
   */
  readonly #largeIntentAt = new Map<number, number>();
  /** The rare values the numbers cannot hold, by entry. */
  readonly #idTexts = new Map<number, string>();
  readonly #hashTexts = new Map<number, string>();
  readonly #textKeys = new Map<string, number>();
  readonly #textKeyOf = new Map<number, string>();
  #scratch = Buffer.allocUnsafe(256);

  /** How many distinct keys are known. */
  get size(): number {
    return this.#count;
  }

  /**
   * Records a line that says `key` exists on Feishu as `id`: `created` or `updated` by this tool, or `matched` (found,
   * existing before). A later line replaces an earlier one; an update keeps a found record found. Leave out the id
   * and hash when nothing will ask for them: `has` still answers. It settles an intent for `key`.
   */
  recordCreated(key: string, id?: string, hash?: string, how: Done = 'created'): void {
    const entry = this.#entryOfText(key, true);
    let flags = this.#done(entry, how);
    if (id !== undefined) flags |= this.#storeId(entry, id);
    if (hash !== undefined) flags |= this.#storeHash(entry, hash);
    this.#flags.set(entry, flags);
  }

  /**
   * `recordCreated` from the bytes of a log line, without making strings: the key is `bytes[keyStart, keyEnd)`, and
   * the id and hash likewise (a start below 0: not kept). The bytes must be valid UTF-8.
   */
  recordCreatedFrom(bytes: Buffer, keyStart: number, keyEnd: number, idStart: number, idEnd: number, hashStart: number, hashEnd: number, how: Done = 'created'): void {
    const entry = this.#entry(bytes, keyStart, keyEnd, true);
    let flags = this.#done(entry, how);
    if (idStart >= 0) {
      if (this.#decimal(bytes, idStart, idEnd, entry)) flags |= ID_NUMBER;
      else {
        this.#idTexts.set(entry, bytes.toString('utf8', idStart, idEnd));
        flags |= ID_TEXT;
      }
    }
    if (hashStart >= 0) {
      if (this.#hex(bytes, hashStart, hashEnd, entry)) flags |= HASH_NUMBER;
      else {
        this.#hashTexts.set(entry, bytes.toString('utf8', hashStart, hashEnd));
        flags |= HASH_TEXT;
      }
    }
    this.#flags.set(entry, flags);
  }

  /** Records that `key` is no longer on Feishu (an undo deleted it): not created any more, until a later create. */
  forget(key: string): void {
    this.#forget(this.#entryOfText(key, false));
  }

  forgetFrom(bytes: Buffer, keyStart: number, keyEnd: number): void {
    this.#forget(this.#entry(bytes, keyStart, keyEnd, false));
  }

  /** Records that `key` exists on Feishu other than as it was sent (verify): its hash is forgotten, so it is updated. */
  forgetHash(key: string): void {
    this.#forgetHash(this.#entryOfText(key, false));
  }

  forgetHashFrom(bytes: Buffer, keyStart: number, keyEnd: number): void {
    this.#forgetHash(this.#entry(bytes, keyStart, keyEnd, false));
  }

  /**
   * Records that a create of `key` was sent (an intent line, found by `token`), unless the key is created already: it
   * stays pending until a line says the record exists.
   */
  recordIntent(key: string, token: number): void {
    this.#intent(this.#entryOfText(key, true), token);
  }

  recordIntentFrom(bytes: Buffer, keyStart: number, keyEnd: number, token: number): void {
    this.#intent(this.#entry(bytes, keyStart, keyEnd, true), token);
  }

  /** Whether an earlier run created `key`. */
  has(key: string): boolean {
    const entry = this.#entryOfText(key, false);
    return entry >= 0 && (this.#flags.get(entry) & CREATED) !== 0;
  }

  /** What an earlier run created for `key`, if anything; its id must have been kept. */
  created(key: string): KnownRecord | undefined {
    const entry = this.#entryOfText(key, false);
    return entry >= 0 && (this.#flags.get(entry) & CREATED) !== 0 ? this.#record(entry) : undefined;
  }

  /** Makes room for about `count` keys in all, so that reading a large log does not rehash the table as it grows. */
  reserve(count: number): void {
    while (count * 2 > this.#slots.length) this.#growSlots();
  }

  /**
   * Records `key` as seen by this run at `line`; returns the line it was first seen at, if it was seen before. Its
   * pending intent, if any, is no longer reported (read the intents before the records).
   */
  firstLine(key: string, line: number): number | undefined {
    const entry = this.#entryOfText(key, true);
    const flags = this.#flags.get(entry);
    if ((flags & SEEN) !== 0) return this.#line.get(entry);
    this.#flags.set(entry, (flags | SEEN) & ~INTENT);
    this.#line.set(entry, line);
    return undefined;
  }

  /**
   * `firstLine` that also remembers the input the key was first seen with (an inputHash, 16 hex digits): a later
   * sighting says whether its input is the same (an exact duplicate row) or not (the key clashes).
   */
  firstSeen(key: string, line: number, input: string): { line: number; sameInput: boolean } | undefined {
    const entry = this.#entryOfText(key, true);
    const high = Number.parseInt(input.slice(0, 8), 16);
    const low = Number.parseInt(input.slice(8, 16), 16);
    const flags = this.#flags.get(entry);
    if ((flags & SEEN) !== 0) {
      return { line: this.#line.get(entry), sameInput: this.#inputHigh.get(entry) === high && this.#inputLow.get(entry) === low };
    }
    this.firstLine(key, line);
    this.#inputHigh.set(entry, high);
    this.#inputLow.set(entry, low);
    return undefined;
  }

  /** Every created key with what is known of it, in the order first recorded; their ids must have been kept. */
  *createdRecords(): IterableIterator<[string, KnownRecord]> {
    for (let entry = 0; entry < this.#count; entry++) {
      if ((this.#flags.get(entry) & CREATED) !== 0) yield [this.#keyOf(entry), this.#record(entry)];
    }
  }

  /** The intents no line has settled, with their tokens: creates sent whose record the log does not say exists. */
  *pendingIntents(): IterableIterator<[string, number]> {
    for (let entry = 0; entry < this.#count; entry++) {
      if ((this.#flags.get(entry) & INTENT) !== 0) yield [this.#keyOf(entry), this.#largeIntentAt.get(entry) ?? this.#line.get(entry)];
    }
  }

  /** The flags of `entry` once done as `how`, its id and hash cleared; settles its intent. */
  #done(entry: number, how: Done): number {
    const before = this.#flags.get(entry);
    const matched = how === 'matched' || (how === 'updated' && (before & (CREATED | MATCHED)) === (CREATED | MATCHED));
    return (before & ~(ID_NUMBER | ID_TEXT | HASH_NUMBER | HASH_TEXT | MATCHED | INTENT)) | CREATED | (matched ? MATCHED : 0);
  }

  #forget(entry: number): void {
    if (entry >= 0) this.#flags.set(entry, this.#flags.get(entry) & ~(CREATED | MATCHED | ID_NUMBER | ID_TEXT | HASH_NUMBER | HASH_TEXT));
  }

  #forgetHash(entry: number): void {
    if (entry >= 0) this.#flags.set(entry, this.#flags.get(entry) & ~(HASH_NUMBER | HASH_TEXT));
  }

  #intent(entry: number, token: number): void {
    const flags = this.#flags.get(entry);
    if ((flags & (CREATED | SEEN)) !== 0) return;
    this.#flags.set(entry, flags | INTENT);
    if (token < TWO_32) {
      this.#line.set(entry, token);
      this.#largeIntentAt.delete(entry);
    } else this.#largeIntentAt.set(entry, token);
  }

  #record(entry: number): KnownRecord {
    const record: KnownRecord = { id: this.#idOf(entry) };
    const hash = this.#hashOf(entry);
    if (hash !== undefined) record.hash = hash;
    if ((this.#flags.get(entry) & MATCHED) !== 0) record.matched = true;
    return record;
  }

  /** The entry of a key given as text: -1 when unknown and not `insert`. */
  #entryOfText(key: string, insert: boolean): number {
    if (key.length * 3 > this.#scratch.length) this.#scratch = Buffer.allocUnsafe(key.length * 3);
    const scratch = this.#scratch;
    let length = 0;
    // Most keys are ASCII: copied by hand, faster than a call to the encoder for a short key.
    for (; length < key.length; length++) {
      const code = key.charCodeAt(length);
      if (code >= 0x80) break;
      scratch[length] = code;
    }
    if (length < key.length) {
      if (loneSurrogate.test(key)) return this.#textEntry(key, insert);
      length = scratch.write(key, 0, 'utf8');
    }
    return this.#entry(scratch, 0, length, insert);
  }

  /** The entry of the key `bytes[start, end)`: -1 when unknown and not `insert`. */
  #entry(bytes: Buffer, start: number, end: number, insert: boolean): number {
    const hash = hashBytes(bytes, start, end);
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const held = this.#slots[slot]!;
      if (held === 0) break;
      if (this.#keyEquals(held - 1, bytes, start, end)) return held - 1;
    }
    if (!insert) return -1;
    const entry = this.#count++;
    this.#keyAt.set(entry, this.#storeKey(bytes, start, end));
    this.#slots[slot] = entry + 1;
    if (this.#count * 2 > this.#slots.length) this.#growSlots();
    return entry;
  }

  #textEntry(key: string, insert: boolean): number {
    const known = this.#textKeys.get(key);
    if (known !== undefined || !insert) return known ?? -1;
    const entry = this.#count++;
    this.#textKeys.set(key, entry);
    this.#textKeyOf.set(entry, key);
    return entry;
  }

  /** Whether the arena key of `entry` (every key in the slots is one) is `bytes[start, end)`. */
  #keyEquals(entry: number, bytes: Buffer, start: number, end: number): boolean {
    const at = this.#keyAt.get(entry);
    const chunk = this.#arena[at >>> ARENA_BITS]!;
    const length = storedLength(chunk, at & ARENA_MASK);
    const offset = (at & ARENA_MASK) + prefixSize(length);
    if (length !== end - start) return false;
    for (let index = 0; index < length; index++) if (chunk[offset + index] !== bytes[start + index]) return false;
    return true;
  }

  /** Appends a key to the arena, its length first; returns where it sits. */
  #storeKey(bytes: Buffer, start: number, end: number): number {
    const length = end - start;
    const prefix = prefixSize(length);
    if (this.#arenaUsed + prefix + length > ARENA_CHUNK) {
      this.#arena.push(Buffer.allocUnsafe(Math.max(ARENA_CHUNK, prefix + length)));
      this.#arenaUsed = 0;
    }
    const index = this.#arena.length - 1;
    const chunk = this.#arena[index]!;
    const at = ((index << ARENA_BITS) | this.#arenaUsed) >>> 0;
    let offset = this.#arenaUsed;
    for (let rest = length; ; rest = Math.floor(rest / 0x80)) {
      chunk[offset++] = rest >= 0x80 ? (rest & 0x7f) | 0x80 : rest;
      if (rest < 0x80) break;
    }
    for (let index = start; index < end; index++) chunk[offset++] = bytes[index]!;
    // A key longer than a chunk has a chunk of its own: the next key starts a new one.
    this.#arenaUsed = offset > ARENA_CHUNK ? ARENA_CHUNK : offset;
    return at;
  }

  #keyOf(entry: number): string {
    const text = this.#textKeyOf.get(entry);
    if (text !== undefined) return text;
    const at = this.#keyAt.get(entry);
    const chunk = this.#arena[at >>> ARENA_BITS]!;
    const length = storedLength(chunk, at & ARENA_MASK);
    const offset = (at & ARENA_MASK) + prefixSize(length);
    return chunk.toString('utf8', offset, offset + length);
  }

  #storeId(entry: number, id: string): number {
    if (decimalId.test(id)) {
      const value = BigInt(id);
      if (value < 2n ** 64n) {
        this.#idHigh.set(entry, Number(value >> 32n));
        this.#idLow.set(entry, Number(value & 0xffffffffn));
        return ID_NUMBER;
      }
    }
    this.#idTexts.set(entry, id);
    return ID_TEXT;
  }

  #storeHash(entry: number, hash: string): number {
    if (hexHash.test(hash)) {
      this.#hashHigh.set(entry, Number.parseInt(hash.slice(0, 8), 16));
      this.#hashLow.set(entry, Number.parseInt(hash.slice(8), 16));
      return HASH_NUMBER;
    }
    this.#hashTexts.set(entry, hash);
    return HASH_TEXT;
  }

  /** Stores the decimal id `bytes[start, end)` as two 32-bit numbers, if it is one below 2^64 in canonical form. */
  #decimal(bytes: Buffer, start: number, end: number, entry: number): boolean {
    const length = end - start;
    if (length < 1 || length > 20 || (bytes[start] === 0x30 && length > 1)) return false;
    let high = 0;
    let low = 0;
    for (let index = start; index < end; index++) {
      const digit = bytes[index]! - 0x30;
      if (digit < 0 || digit > 9) return false;
      low = low * 10 + digit; // below 2^36: exact
      const carry = Math.floor(low / TWO_32);
      low -= carry * TWO_32;
      high = high * 10 + carry;
      if (high >= TWO_32) return false;
    }
    this.#idHigh.set(entry, high);
    this.#idLow.set(entry, low);
    return true;
  }

  /** Stores the hash `bytes[start, end)` as two 32-bit numbers, if it is 16 lower-case hex digits. */
  #hex(bytes: Buffer, start: number, end: number, entry: number): boolean {
    if (end - start !== 16) return false;
    let high = 0;
    let low = 0;
    for (let index = 0; index < 16; index++) {
      const byte = bytes[start + index]!;
      const digit = byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : byte >= 0x61 && byte <= 0x66 ? byte - 0x61 + 10 : -1;
      if (digit < 0) return false;
      if (index < 8) high = high * 16 + digit;
      else low = low * 16 + digit;
    }
    this.#hashHigh.set(entry, high);
    this.#hashLow.set(entry, low);
    return true;
  }

  #idOf(entry: number): string {
    const flags = this.#flags.get(entry);
    if ((flags & ID_NUMBER) !== 0) return ((BigInt(this.#idHigh.get(entry)) << 32n) | BigInt(this.#idLow.get(entry))).toString();
    if ((flags & ID_TEXT) !== 0) return this.#idTexts.get(entry)!;
    throw new Error('KnownIds: the Feishu ids were not kept (read the log with ids)');
  }

  #hashOf(entry: number): string | undefined {
    const flags = this.#flags.get(entry);
    if ((flags & HASH_NUMBER) !== 0) return hex8(this.#hashHigh.get(entry)) + hex8(this.#hashLow.get(entry));
    if ((flags & HASH_TEXT) !== 0) return this.#hashTexts.get(entry);
    return undefined;
  }

  #growSlots(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.#count; entry++) {
      if (this.#textKeyOf.has(entry)) continue;
      const at = this.#keyAt.get(entry);
      const chunk = this.#arena[at >>> ARENA_BITS]!;
      const length = storedLength(chunk, at & ARENA_MASK);
      const offset = (at & ARENA_MASK) + prefixSize(length);
      let slot = hashBytes(chunk, offset, offset + length) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.#slots = slots;
  }
}

/** The bytes of a key's length prefix (LEB128: 7 bits a byte). */
function prefixSize(length: number): number {
  let size = 1;
  for (let rest = length; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

/** The length a key's prefix at `offset` holds. */
function storedLength(chunk: Buffer, offset: number): number {
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = chunk[offset++]!;
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return length;
  }
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/** FNV-1a over bytes, with a final avalanche so that similar ids spread over the table. */
function hashBytes(bytes: Buffer, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let at = start; at < end; at++) hash = Math.imul(hash ^ bytes[at]!, 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}
