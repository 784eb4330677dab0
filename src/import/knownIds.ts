/**
 * What a run knows about each external_id, in one compact and exact structure: the Feishu id and body hash an
 * earlier run logged for it, and the line where this run first saw it. Keys, ids and hashes live as UTF-8 bytes in
 * one growing arena, with offsets and lengths in typed arrays, so a million ids cost tens of megabytes instead of a
 * Map's hundreds, and two ids are equal only when their bytes are: no valid record is ever refused as a duplicate
 * because two ids share a fingerprint.
 */

const EMPTY = -1;
const NONE = 0xffffffff;

export interface KnownRecord {
  /** The Feishu id. */
  id: string;
  /** The hash of the body that was sent, when the log kept one. */
  hash?: string;
}

export class KnownIds {
  #arena = Buffer.allocUnsafe(1 << 16);
  #used = 0;
  #count = 0;
  /** Per entry: where its key starts in the arena, the key's byte length, and its 32-bit hash. */
  #keyStart = new Uint32Array(1024);
  #keyLength = new Uint32Array(1024);
  #keyHash = new Uint32Array(1024);
  /** Per entry: the Feishu id and body hash, each as start and length in the arena (start NONE when absent). */
  #idStart = new Uint32Array(1024).fill(NONE);
  #idLength = new Uint32Array(1024);
  #hashStart = new Uint32Array(1024).fill(NONE);
  #hashLength = new Uint32Array(1024);
  /** Per entry: the line this run first saw the key at; 0 when it has not. */
  #line = new Uint32Array(1024);
  /** Open addressing: slot -> entry index, EMPTY when free; at most half full. */
  #slots = new Int32Array(2048).fill(EMPTY);
  #scratch = Buffer.allocUnsafe(256);

  /** How many distinct keys are known. */
  get size(): number {
    return this.#count;
  }

  /** Records that an earlier run created (or updated) `key` as Feishu `id`; a later line replaces an earlier one. */
  recordCreated(key: string, id: string, hash?: string): void {
    const entry = this.#insert(key);
    [this.#idStart[entry], this.#idLength[entry]] = this.#store(id);
    if (hash === undefined) this.#hashStart[entry] = NONE;
    else [this.#hashStart[entry], this.#hashLength[entry]] = this.#store(hash);
  }

  /** What an earlier run created for `key`, if anything. */
  created(key: string): KnownRecord | undefined {
    const entry = this.#find(key);
    if (entry === EMPTY || this.#idStart[entry] === NONE) return undefined;
    const id = this.#text(this.#idStart[entry]!, this.#idLength[entry]!);
    const hashStart = this.#hashStart[entry]!;
    return hashStart === NONE ? { id } : { id, hash: this.#text(hashStart, this.#hashLength[entry]!) };
  }

  /** Records `key` as seen by this run at `line`; returns the line it was first seen at, if it was seen before. */
  firstLine(key: string, line: number): number | undefined {
    const entry = this.#insert(key);
    const seenAt = this.#line[entry]!;
    if (seenAt !== 0) return seenAt;
    this.#line[entry] = line;
    return undefined;
  }

  /** Every created key with its Feishu id, in the order first recorded. */
  *createdIds(): IterableIterator<[string, string]> {
    for (let entry = 0; entry < this.#count; entry++) {
      if (this.#idStart[entry] === NONE) continue;
      yield [this.#text(this.#keyStart[entry]!, this.#keyLength[entry]!), this.#text(this.#idStart[entry]!, this.#idLength[entry]!)];
    }
  }

  #find(key: string): number {
    const length = this.#encode(key);
    const hash = hashBytes(this.#scratch, length);
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot]!;
      if (entry === EMPTY || this.#matches(entry, hash, length)) return entry;
    }
  }

  #insert(key: string): number {
    const length = this.#encode(key);
    const hash = hashBytes(this.#scratch, length);
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot]!;
      if (entry === EMPTY) break;
      if (this.#matches(entry, hash, length)) return entry;
    }
    const entry = this.#count++;
    if (entry === this.#keyStart.length) this.#growEntries();
    const [start] = this.#store(this.#scratch, length);
    this.#keyStart[entry] = start;
    this.#keyLength[entry] = length;
    this.#keyHash[entry] = hash;
    this.#slots[slot] = entry;
    if (this.#count * 2 > this.#slots.length) this.#growSlots();
    return entry;
  }

  #matches(entry: number, hash: number, length: number): boolean {
    if (this.#keyHash[entry] !== hash || this.#keyLength[entry] !== length) return false;
    const start = this.#keyStart[entry]!;
    return this.#arena.compare(this.#scratch, 0, length, start, start + length) === 0;
  }

  /** The key's UTF-8 bytes in the scratch buffer; returns their length. */
  #encode(key: string): number {
    if (key.length * 3 > this.#scratch.length) this.#scratch = Buffer.allocUnsafe(key.length * 3);
    return this.#scratch.write(key, 0, 'utf8');
  }

  /** Appends text (or the first `length` bytes of a buffer) to the arena; returns its start and byte length. */
  #store(value: string | Buffer, length?: number): [number, number] {
    const bytes = typeof value === 'string' ? Buffer.byteLength(value) : length!;
    if (this.#used + bytes > this.#arena.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#arena.length * 2, this.#used + bytes));
      this.#arena.copy(grown, 0, 0, this.#used);
      this.#arena = grown;
    }
    const start = this.#used;
    if (typeof value === 'string') this.#arena.write(value, start, 'utf8');
    else value.copy(this.#arena, start, 0, bytes);
    this.#used += bytes;
    return [start, bytes];
  }

  #text(start: number, length: number): string {
    return this.#arena.toString('utf8', start, start + length);
  }

  #growEntries(): void {
    const capacity = this.#keyStart.length * 2;
    const grow = (array: Uint32Array, fill?: number) => {
      const grown = new Uint32Array(capacity);
      if (fill !== undefined) grown.fill(fill, array.length);
      grown.set(array);
      return grown;
    };
    this.#keyStart = grow(this.#keyStart);
    this.#keyLength = grow(this.#keyLength);
    this.#keyHash = grow(this.#keyHash);
    this.#idStart = grow(this.#idStart, NONE);
    this.#idLength = grow(this.#idLength);
    this.#hashStart = grow(this.#hashStart, NONE);
    this.#hashLength = grow(this.#hashLength);
    this.#line = grow(this.#line);
  }

  #growSlots(): void {
    const slots = new Int32Array(this.#slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.#count; entry++) {
      let slot = this.#keyHash[entry]! & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = entry;
    }
    this.#slots = slots;
  }
}

/** FNV-1a over bytes, with a final avalanche so that similar ids spread over the table. */
function hashBytes(bytes: Buffer, length: number): number {
  let hash = 0x811c9dc5;
  for (let at = 0; at < length; at++) hash = Math.imul(hash ^ bytes[at]!, 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}
