/** Small formatting helpers for people: counts, rates, durations and timestamps. */

const integer = new Intl.NumberFormat('en-US');

export function count(value: number): string {
  return integer.format(value);
}

/**
 * `1 record`, `2 records`, `1,204 records`: a counted noun, for every count printed for people. `many` is for nouns
 * that do not just take an s (`entry`, `entries`).
 */
export function plural(value: number, noun: string, many = `${noun}s`): string {
  return `${count(value)} ${value === 1 ? noun : many}`;
}

/** `1 application`, `2 background-checks`: every resource's name is the plural of one noun, ending in s. */
export function resourceCount(value: number, resource: string): string {
  return plural(value, resource.replace(/s$/, ''), resource);
}

export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

export function perSecond(value: number): string {
  return `${value.toFixed(1)}/s`;
}

/** `2026-11-25T10:31:02Z`: to the second, UTC. */
export function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
