/** Request latencies, for the summary's p50/p99. A run of a million requests keeps 8 MB of samples; more are sampled. */
export class Latencies {
  readonly #samples: number[] = [];
  #seen = 0;
  readonly #capacity: number;

  constructor(capacity = 1_000_000) {
    this.#capacity = capacity;
  }

  record(ms: number): void {
    this.#seen++;
    if (this.#samples.length < this.#capacity) this.#samples.push(ms);
    else this.#samples[Math.floor((this.#seen * 2654435761) % this.#capacity)] = ms; // spread replacements evenly
  }

  /** The p-th percentile (0-100) in milliseconds, or null before any request. */
  percentile(p: number): number | null {
    if (this.#samples.length === 0) return null;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  }
}
