/**
 * The external_ids seen so far in a run, with the line each first appeared on, so a repeated id is refused instead
 * of silently sent twice. Kept as 64-bit fingerprints in typed arrays (25 MB for a million ids) rather than a Map of
 * strings (about 50 MB), so that a dry run over millions of rows stays in small memory. Two different ids share a
 * fingerprint with odds of about 1 in 10^7 over a million ids.
 */
export class SeenIds {
  #first = new Uint32Array(1024);
  #second = new Uint32Array(1024);
  /** The line of each slot's id; 0 marks an empty slot (lines start at 1). */
  #lines = new Uint32Array(1024);
  #count = 0;

  /** Records `id` as seen at `line`; returns the line it was seen at before, if it was. */
  firstLine(id: string, line: number): number | undefined {
    const [first, second] = fingerprint(id);
    const mask = this.#lines.length - 1;
    for (let slot = first & mask; ; slot = (slot + 1) & mask) {
      const seenAt = this.#lines[slot]!;
      if (seenAt === 0) {
        this.#first[slot] = first;
        this.#second[slot] = second;
        this.#lines[slot] = line;
        if (++this.#count * 2 > this.#lines.length) this.#grow();
        return undefined;
      }
      if (this.#first[slot] === first && this.#second[slot] === second) return seenAt;
    }
  }

  #grow(): void {
    const [first, second, lines] = [this.#first, this.#second, this.#lines];
    const capacity = lines.length * 2;
    this.#first = new Uint32Array(capacity);
    this.#second = new Uint32Array(capacity);
    this.#lines = new Uint32Array(capacity);
    const mask = capacity - 1;
    for (let old = 0; old < lines.length; old++) {
      if (lines[old] === 0) continue;
      let slot = first[old]! & mask;
      while (this.#lines[slot] !== 0) slot = (slot + 1) & mask;
      this.#first[slot] = first[old]!;
      this.#second[slot] = second[old]!;
      this.#lines[slot] = lines[old]!;
    }
  }
}

/** Two independent 32-bit string hashes (FNV-1a and a murmur-style mix), one 64-bit fingerprint. */
function fingerprint(text: string): [number, number] {
  let fnv = 0x811c9dc5;
  let mix = 0x9747b28c;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    fnv = Math.imul(fnv ^ code, 0x01000193);
    mix = Math.imul(mix ^ code, 0x5bd1e995);
    mix ^= mix >>> 15;
  }
  mix = Math.imul(mix ^ (mix >>> 13), 0xc2b2ae35);
  return [(fnv ^ (fnv >>> 16)) >>> 0, (mix ^ (mix >>> 16)) >>> 0];
}
